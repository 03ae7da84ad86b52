"""The examples of docs/api.md and docs/security.md run as written."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ballast.config.approvals import ApprovalMode, parse_approval_policy

from .conftest import Api, maker_checker

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _block(doc: str, name: str, language: str = "python") -> str:
    [block] = re.findall(rf"<!-- {name} -->\s*```{language}\n(.*?)```",
                         (DOCS / doc).read_text(encoding="utf-8"), re.S)
    return str(block)


def test_the_approval_example_of_the_api_page_runs(api: Api) -> None:
    maker_checker(api.store)
    names: dict[str, Any] = {"client": api.client, "token": api.tokens["tina"]}
    exec(compile(_block("api.md", "approve"), "docs/api.md", "exec"), names)
    assert names["pending"] == ["H1-IRA", "H1-TAX"]
    assert names["why"] == ["buy 10 AAPL: buy 10 AAPL: back to the model",
                            "buy 5 VTI: buy 5 VTI: back to the model"]


def test_the_security_examples_run() -> None:
    exec(compile(_block("security.md", "primitives"), "docs/security.md", "exec"), {})
    policy = parse_approval_policy(_block("security.md", "policy", "yaml"))
    assert policy.mode is ApprovalMode.MAKER_CHECKER
    assert str(policy.auto_approve_below) == "25000"


def test_the_login_throttling_example_runs(api: Api) -> None:
    exec(compile(_block("security.md", "throttle"), "docs/security.md", "exec"),
         {"client": api.client})
