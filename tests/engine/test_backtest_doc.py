"""The spec example in docs/backtesting.md runs, and so do the CLI and the shipped demo spec."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from ballast.cli.app import app
from ballast.config.backtest import PolicyKind, load_backtest
from ballast.domain import ConfigError
from ballast.engine.backtest.simulate import universe

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "backtesting.md"


def _example(tmp_path: Path) -> Path:
    [block] = re.findall(r"<!-- backtest-spec -->\s*```yaml\n(.*?)```", DOC.read_text(), re.S)
    path = tmp_path / "spec.yaml"
    path.write_text(block)
    return path


def test_doc_example_through_the_cli(tmp_path: Path) -> None:
    spec = _example(tmp_path)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["backtest", str(spec), "--out", str(out)],
                                terminal_width=200)
    assert result.exit_code == 0, result.output
    for policy in ("buy_and_hold", "monthly", "bands", "bands_harvest"):
        assert policy in result.output
    assert "stress COVID" in result.output
    summary = json.loads((out / "summary.json").read_text())
    by_name = {p["policy"]: p for p in summary["policies"]}
    assert summary["sessions"] == 253
    assert by_name["monthly"]["trades"] > by_name["buy_and_hold"]["trades"] > 0
    assert by_name["bands_harvest"]["harvested_losses"] > 0
    assert by_name["bands"]["harvested_losses"] == 0
    rows = (out / "accounts.csv").read_text().splitlines()
    assert len(rows) == 1 + 4 * 4


def test_demo_spec_is_valid() -> None:
    path = ROOT / "src" / "ballast" / "sample" / "backtests" / "demo.yaml"
    spec = load_backtest(path)
    assert [p.kind for p in spec.policies] == [PolicyKind.NONE, PolicyKind.CALENDAR,
                                               PolicyKind.BANDS, PolicyKind.BANDS]
    u = universe(spec, path.parent)
    assert len(u.accounts) == sum(g.count for g in spec.accounts)
    xom = next(i for i in u.instruments if i.id == "XOM")
    assert (xom.sector, xom.kind.value, xom.lot_size) == ("Energy", "equity", 1)
    assert len(u.prices.dates) == 1068


def test_bad_spec_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("name: x\naccounts: []\npolicies: []\n")
    result = CliRunner().invoke(app, ["backtest", str(path)])
    assert isinstance(result.exception, ConfigError)  # main() prints it with its hint
    assert "not a valid backtest spec" in str(result.exception)
    assert "accounts" in str(result.exception)
