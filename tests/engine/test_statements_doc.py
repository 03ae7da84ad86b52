"""The examples of docs/reporting.md run: the Python example, the recipients CSV, the webhook
receiver's check, and every command of the CLI block (the send against a loopback SMTP
server)."""

from __future__ import annotations

import hashlib
import hmac
import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ballast.cli import app
from ballast.engine.deliver import read_recipients
from ballast.engine.demo import load_demo
from ballast.engine.workspace import open_store
from reporting.servers import MailHandler, smtp_server

DOC = (Path(__file__).resolve().parents[2] / "docs" / "reporting.md").read_text()


def block(name: str, lang: str) -> str:
    [text] = re.findall(rf"<!-- {name} -->\s*```{lang}\n(.*?)```", DOC, re.S)
    return text


def test_python_example_runs() -> None:
    exec(compile(block("statement", "python"), "docs/reporting.md", "exec"), {})


def test_recipients_example_parses(tmp_path: Path) -> None:
    path = tmp_path / "recipients.csv"
    path.write_text(block("recipients", "csv"), encoding="utf-8")
    assert read_recipients(path) == {
        "HH001": ("ann.abbott@example.com", "bob.abbott@example.com"),
        "HH002": ("cruz@example.org",)}


def test_receiver_check_accepts_our_signature_only() -> None:
    scope: dict[str, object] = {}
    exec(compile(block("verify", "python"), "docs/reporting.md", "exec"), scope)
    check = scope["is_from_ballast"]
    body = b'{"id":"journal-1"}'
    good = "sha256=" + hmac.new(b"k", body, hashlib.sha256).hexdigest()
    assert check(body, good, "k") and not check(body + b" ", good, "k")  # type: ignore[operator]


def test_cli_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'book.db'}")
    load_demo(store, households=2)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "recipients.csv").write_text(block("recipients", "csv"), encoding="utf-8")
    handler = MailHandler()
    with smtp_server(handler) as port:
        for line in block("cli", "bash").strip().splitlines():
            args = shlex.split(line.replace("--smtp-port 2525", f"--smtp-port {port}"))
            assert args[0] == "ballast"
            out = CliRunner().invoke(app, args[1:], env={"BALLAST_DATABASE_URL": store.url})
            assert out.exit_code == 0, (line, out.output, out.exception)
    assert (tmp_path / "statements" / "statement-HH001-TAX-2020Q1.pdf").exists()
    assert (tmp_path / "statements" / "statement-HH002-2020-03.html").exists()
    assert (tmp_path / "reports" / "firm-report-2020Q1.pdf").exists()
    assert sorted(r.rcpt_tos[0] for r in handler.received) == [
        "ann.abbott@example.com", "bob.abbott@example.com", "cruz@example.org"]
    store.close()
