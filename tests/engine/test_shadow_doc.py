"""The configuration example of docs/shadow.md runs as documented: a shadow started in the
past, the cycles of two sessions running both shadows, and the comparisons."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ballast.cli import app
from ballast.config.cycle import load_cycle_config
from ballast.config.rebalance import TradeTo
from ballast.engine.demo import load_demo
from ballast.engine.shadow_compare import compare_shadow
from ballast.engine.workspace import open_store

DOC = Path(__file__).resolve().parents[2] / "docs" / "shadow.md"


def test_the_documented_shadows_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    [block] = re.findall(r"<!-- shadow-config -->\s*```yaml\n(.*?)```", DOC.read_text(), re.S)
    monkeypatch.chdir(tmp_path)  # the example's paths are relative to the working directory
    (tmp_path / "cycle.yaml").write_text(block)
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "firm.yaml").write_text(
        "name: light\nrules:\n  - {id: no-shorts, kind: no_shorts}\n")
    cfg = load_cycle_config(Path("cycle.yaml"))
    assert [s.name for s in cfg.shadows] == ["harvest", "model"]
    harvest = cfg.shadow("harvest").rebalance
    assert harvest is not None and harvest.trade_to is TradeTo.BAND_EDGE
    live = open_store("sqlite:///book.db")
    load_demo(live, households=2)
    db = ["--config", "cycle.yaml", "--db", live.url]
    runner = CliRunner()
    started = runner.invoke(app, ["shadow", "start", "--name", "harvest", "--from",
                                  "2021-02-26", *db])
    assert started.exit_code == 0, started.output
    for day in ("2021-03-01", "2021-03-02"):
        ran = runner.invoke(app, ["cycle", "--date", day, *db], terminal_width=200)
        assert ran.exit_code == 0, ran.output
        assert f"shadow harvest {day}: completed" in ran.output
        assert f"shadow model {day}: completed" in ran.output
    assert Path("shadow-model-broker.sqlite").is_file()
    shown = runner.invoke(app, ["shadow", "compare", "--name", "harvest", *db, "--csv",
                                "harvest.csv", "--trades-csv", "trades.csv"],
                          terminal_width=200)
    assert shown.exit_code == 0, shown.output
    assert "since 2021-02-26: shadow − live" in shown.output
    assert Path("harvest.csv").read_text().startswith("date,live_nav,shadow_nav,")
    assert Path("trades.csv").read_text().startswith("date,account,instrument,side,live,")
    model = compare_shadow(live, cfg, "model")  # started by the first cycle, on 2021-02-26
    assert model.start.isoformat() == "2021-02-26"
    assert [d.difference for d in model.days] == [0.0, 0.0, 0.0] and model.trades == ()
    harvest_firm = compare_shadow(live, cfg, "harvest")
    with live.transaction() as tx:
        accounts = sorted(tx.accounts())
    each = [compare_shadow(live, cfg, "harvest", account=a) for a in accounts]
    for which in ("live", "shadow"):  # the accounts add up to the book
        assert sum(getattr(c.days[-1], which).nav for c in each) == pytest.approx(
            getattr(harvest_firm.days[-1], which).nav, abs=0.01)
    assert sum(len(c.trades) for c in each) == len(harvest_firm.trades)
    listed = runner.invoke(app, ["shadow", "list", "--config", "cycle.yaml"],
                           terminal_width=200)
    assert listed.exit_code == 0, listed.output
    words = listed.output.split()
    assert "harvest" in words and "model" in words and "not started" not in listed.output
    assert words.count("2021-02-26") == 2 and words.count("completed") == 2
    caught_up = runner.invoke(app, ["shadow", "run", "--name", "model", "--until",
                                    "2021-03-02", *db])
    assert caught_up.exit_code == 0 and "nothing to run through 2021-03-02" in caught_up.output
    live.close()
