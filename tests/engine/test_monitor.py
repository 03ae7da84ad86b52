"""Limit monitoring between rebalances on SQLite and PostgreSQL: breaches of the holdings
themselves become alerts and an adjustment run whose sells are sized to get back within the
limits (hand-computed below), with lots and gains; breaches the model cures are handed to the
rebalancer."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from typer.testing import CliRunner

from ballast.cli import app
from ballast.engine.audit import journal
from ballast.engine.imports import ImportKind, import_file
from ballast.engine.monitor import monitor
from ballast.store import Store

from .conftest import write

AS_OF = date(2021, 1, 5)
MAX_10 = "name: conc\nrules:\n  - {id: max-10, kind: max_weight, by: instrument, limit: 0.10}\n"
CASH_90 = "name: cash\nrules:\n  - {id: cash-90, kind: min_cash, limit: 0.90, account: H2-TAX}\n"
MIN_VTI = ("name: min\nrules:\n  - {id: vti-min, kind: min_weight, by: instrument, "
           "groups: [VTI], limit: 0.5, model: balanced}\n")


def load(store: Store, files: dict[str, Path]) -> None:
    for kind in ("instruments", "households", "accounts", "prices", "transactions"):
        import_file(store, ImportKind(kind), files[kind], today=date(2021, 1, 6))


def test_a_concentration_breach_is_sold_down_to_just_under_the_limit(
        store: Store, book_files: dict[str, Path], tmp_path: Path) -> None:
    load(store, book_files)
    found = monitor(store, as_of=AS_OF, rules_paths=[write(tmp_path, "r.yaml", MAX_10)])
    assert {(b.account, b.subject) for b in found.breaches} == {("H1-TAX", "AAPL"),
                                                                ("H2-TAX", "VTI")}
    trades = {(t.account_id, t.instrument_id): t for t in found.trades}
    # H1-TAX: AAPL 100 × 131.01 = 13,101.00 of 102,448.00 (cash 84,997.00, XOM 4,350.00):
    # 12.79 %; aim 10 % × 0.98 → sell 1 − 9.8/12.79 = 23.4 % → 24 shares (9.72 % after).
    # H2-TAX: VTI 100 × 195.40 of 54,540.00: 35.83 % → sell 72.6 % → 73 shares (9.67 %).
    assert {k: (t.side, t.quantity) for k, t in trades.items()} == {
        ("H1-TAX", "AAPL"): ("sell", Decimal(24)), ("H2-TAX", "VTI"): ("sell", Decimal(73))}
    aapl = trades["H1-TAX", "AAPL"]
    assert aapl.lots == "T2:24" and aapl.est_long_term_gain == Decimal("1344.00")  # 24 × 56.00
    assert "AAPL is 12.8% of H1-TAX, above the firm's 10% maximum" in aapl.rationale
    assert found.run_id is not None and found.remaining == ()
    with store.transaction() as tx:
        props = {p.account_id: p for p in tx.proposals(found.run_id)}
    assert props["H1-TAX"].reasons.startswith("limit breach: AAPL is 12.8%")
    alerts = [e for e in journal(store) if e.kind == "alert.limit_breach"]
    assert len(alerts) == 2 and alerts[0].payload["adjustment_run"] == found.run_id


def test_overlapping_breaches_sell_the_larger_of_what_each_asks(
        store: Store, book_files: dict[str, Path], tmp_path: Path) -> None:
    load(store, book_files)
    rules = [write(tmp_path, "a.yaml", MAX_10), write(tmp_path, "b.yaml", CASH_90)]
    found = monitor(store, as_of=AS_OF, rules_paths=rules, dry_run=True)
    # cash 35,000 of 54,540 = 64.17 %; to 90 % × 1.02: (0.918 − 0.6417) × 54,540 = 15,068
    # of 19,540 in VTI → 77.1 % → 78 shares, more than the 73 the concentration asks.
    vti = next(t for t in found.trades if t.account_id == "H2-TAX")
    assert vti.quantity == Decimal(78) and found.run_id is None and found.remaining == ()
    assert "VTI is 35.8% of H2-TAX" in vti.rationale
    assert "cash would be 64.2% of H2-TAX, below" in vti.rationale


def test_a_breach_the_model_cures_is_handed_to_the_rebalancer(
        store: Store, book_files: dict[str, Path], tmp_path: Path) -> None:
    load(store, book_files)
    found = monitor(store, as_of=AS_OF, rules_paths=[write(tmp_path, "m.yaml", MIN_VTI)])
    assert found.trades == () and found.run_id is None
    assert found.rebalance == {"H2-TAX": "limit monitoring: VTI is 35.8% of H2-TAX, below model "
                               "balanced's 50% minimum per instrument"}


def test_cli_monitor(store: Store, book_files: dict[str, Path], tmp_path: Path) -> None:
    load(store, book_files)
    rules = write(tmp_path, "r.yaml", MAX_10)
    result = CliRunner().invoke(app, ["monitor", "--as-of", "2021-01-05", "--rules", str(rules),
                                      "--db", store.url])
    assert result.exit_code == 0, result.output
    assert "H1-TAX" in result.output and "sell 24 AAPL" in result.output
    assert "ballast check --run" in result.output
