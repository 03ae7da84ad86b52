"""docs/fix.md: its settings example is valid and its Python example runs against the loopback
acceptor, with the outcome the page describes."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

pytest.importorskip("quickfix")

from ballast.execution import OrderState
from ballast.execution.fix import FixSettings

from .fix_counterparty import Counterparty

DOC = Path(__file__).resolve().parents[2] / "docs" / "fix.md"


def block(name: str, language: str) -> str:
    [found] = re.findall(rf"<!-- {name} -->\s*```{language}\n(.*?)```", DOC.read_text(), re.S)
    return str(found)


def test_the_settings_example_is_valid() -> None:
    settings = FixSettings.model_validate(yaml.safe_load(block("fix-settings", "yaml")))
    assert (settings.host, settings.port, settings.sender_comp_id, settings.target_comp_id) == \
        ("fix.broker.example", 9878, "BALLAST", "BROKER")
    assert settings.store_dir == Path("var/fix/broker") and settings.heartbeat_seconds == 30
    assert "HeartBtInt=30" in settings.session_text


def test_the_python_example_runs(tmp_path: Path) -> None:
    with Counterparty(tmp_path) as cp:
        source = block("fix-example", "python").replace("port=9878", f"port={cp.port}") \
            .replace('Path("var/fix/broker")', f'Path("{tmp_path / "ballast"}")')
        names: dict[str, object] = {}
        exec(compile(source, "<docs/fix.md python block>", "exec"), names)
        assert cp.received == {"B7-0f3a9c1e2b4d5a6f": 1}
        status = names["status"]
        assert getattr(status, "client_order_id", None) == "B7-0f3a9c1e2b4d5a6f"
        assert getattr(status, "state", None) in {OrderState.SUBMITTED, OrderState.ACCEPTED,
                                                  OrderState.FILLED}
        fills = names["fills"]
        assert isinstance(fills, list) and sum((f.quantity for f in fills), Decimal(0)) in {0, 100}
