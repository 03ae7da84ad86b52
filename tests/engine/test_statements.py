"""Statements assembled from the demo book: figures agree with the book read another way
(snapshots, stored transactions and gains), a period or account without data is said plainly,
and the automation's journaled decisions are told in words."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from ballast.domain import TransactionKind, UnknownReference
from ballast.engine import kill_switch, rebalance
from ballast.engine.check import check
from ballast.engine.demo import load_demo
from ballast.engine.period import parse_period
from ballast.engine.queries import gain_rows, position_rows, snapshot
from ballast.engine.simulation import execute_run
from ballast.engine.statement_batch import BatchItem, write_statements
from ballast.engine.statements import Format, build_statement, write_statement
from ballast.engine.workspace import open_store
from ballast.store import Store

RULES = ("name: fixing\nrules:\n  - {id: no-jnj, kind: restricted, action: auto_fix, "
         "instruments: [JNJ]}\n")
Q1_2020 = parse_period("2020Q1", today=date(2021, 3, 31))


def _accounts(store: Store) -> list[str]:
    with store.transaction() as tx:
        return sorted(tx.accounts())


def test_account_statement_agrees_with_the_book(demo_store: Store) -> None:
    account = next(a for a in _accounts(demo_store) if a.endswith("-TAX"))
    s = build_statement(demo_store, Q1_2020, account=account, generated=date(2020, 4, 2))
    assert s.notices == () and s.has_data and s.subject_id == account

    positions = position_rows(demo_store, account=account, as_of=Q1_2020.end)
    assert sorted((h.symbol, h.quantity) for h in s.holdings) == sorted(
        (p.symbol, p.quantity) for p in positions if p.quantity)
    snap = snapshot(demo_store, as_of=Q1_2020.end, account=account)
    assert s.performance is not None
    # NAV (the measurement side) and the snapshot (the ledger side) value the same close
    assert s.performance.end_value == pytest.approx(float(snap.account_value[0]), rel=1e-9)
    assert sum(h.weight for h in s.holdings) + next(
        r.weight for r in s.allocation if r.label == "Cash") == pytest.approx(1.0)
    assert sum(r.weight for r in s.allocation) == pytest.approx(1.0)
    assert sum(r.target or 0.0 for r in s.allocation) == pytest.approx(1.0)

    with demo_store.transaction() as tx:
        booked = tx.transactions([account], until=Q1_2020.end, since=Q1_2020.start)
    assert [(t.day, t.kind) for t in s.transactions] == [(t.trade_date, t.kind.value)
                                                           for t in booked]
    fees = sum((t.fees + (t.amount if t.kind is TransactionKind.FEE else 0) for t in booked),
               Decimal(0))
    assert s.fees == fees

    year = gain_rows(demo_store, year=2020, account=account)
    in_q1 = [g for g in year if g.sold <= Q1_2020.end]
    assert len(s.gains) == len(in_q1)
    assert s.gains_summary.short_term + s.gains_summary.long_term == sum(
        (g.gain for g in in_q1), Decimal(0))


def test_household_statement_covers_its_accounts(demo_store: Store) -> None:
    with demo_store.transaction() as tx:
        household = sorted(h.id for h in tx.households())[0]
        members = sorted(tx.accounts([household]))
    s = build_statement(demo_store, Q1_2020, household=household)
    assert [a.account_id for a in s.accounts] == members
    assert {h.account_id for h in s.holdings} == set(members)
    singles = [build_statement(demo_store, Q1_2020, account=a) for a in members]
    assert s.performance is not None
    assert s.performance.end_value == pytest.approx(
        sum(x.performance.end_value for x in singles if x.performance), rel=1e-9)
    assert len(s.transactions) == sum(len(x.transactions) for x in singles)


@pytest.mark.parametrize("label", ["2031Q1", "2016-06"])
def test_a_period_without_data_says_so(demo_store: Store, tmp_path: Path, label: str) -> None:
    period = parse_period(label, today=date(2031, 12, 31))
    account = _accounts(demo_store)[0]
    s = build_statement(demo_store, period, account=account)
    assert not s.has_data and s.holdings == () and s.transactions == ()
    assert s.notices[0].startswith(f"There is nothing to report for {label}: account "
                                   f"{account} has no holdings or prices between")
    [pdf] = write_statement(s, tmp_path, Format.PDF)
    text = "".join(p.get_textpage().get_text_range() for p in pdfium.PdfDocument(pdf))
    assert "There is nothing to report" in text and "No transactions in this period." in text


def test_unknown_account_or_household_is_a_clear_error(demo_store: Store) -> None:
    with pytest.raises(UnknownReference, match="no account 'NOPE'") as exc:
        build_statement(demo_store, Q1_2020, account="NOPE")
    assert "ballast accounts" in exc.value.hint
    with pytest.raises(UnknownReference, match="no household 'NOPE'"):
        build_statement(demo_store, Q1_2020, household="NOPE")


@pytest.fixture(scope="module")
def traded_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A two-household demo book rebalanced, checked and executed on its last day, with a
    kill-switch drill in the period."""
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('traded') / 'book.db'}")
    load_demo(store, households=2)
    rebalance.rebalance(store)
    rules = tmp_path_factory.mktemp("rules") / "fix.yaml"
    rules.write_text(RULES, encoding="utf-8")
    check(store, rules_paths=[rules])
    assert execute_run(store).booked
    kill_switch.engage(store, reason="custodian outage", user="ops",
                       now=datetime(2021, 3, 15, 14, 0, tzinfo=UTC))
    kill_switch.disengage(store, reason="custodian back", user="ops",
                          now=datetime(2021, 3, 16, 9, 0, tzinfo=UTC))
    try:
        yield store
    finally:
        store.close()


def test_the_automation_is_told_in_words(traded_store: Store) -> None:
    period = parse_period("2021Q1", today=date(2021, 3, 31))
    with traded_store.transaction() as tx:
        traded = sorted({t.account_id for t in tx.proposed_trades(1)})
    s = build_statement(traded_store, period, account=traded[0])
    headlines = [a.headline for a in s.activity]
    assert headlines[0] == "Trading paused" and headlines[1] == "Trading resumed"
    assert s.activity[0].detail.startswith("The firm-wide kill switch was engaged by ops: "
                                           "Custodian outage.")
    review = next(a for a in s.activity if a.headline.startswith("Rebalance review"))
    assert review.day == date(2021, 3, 31) and "Why:" in review.detail
    assert any(h.startswith("Compliance") for h in headlines)
    assert any(h.endswith("executed") for h in headlines)
    assert not math.isnan(s.allocation[0].weight)
    earlier = build_statement(traded_store, Q1_2020, account=traded[0])
    assert earlier.activity == ()


def test_an_account_funded_inside_the_period(demo_store: Store) -> None:
    with demo_store.transaction() as tx:
        first = min(t.trade_date for t in tx.transactions(["HH001-TAX"]))
    quarter = parse_period(f"{first.year}Q{(first.month - 1) // 3 + 1}", today=first)
    s = build_statement(demo_store, quarter, account="HH001-TAX")
    assert s.performance is not None and s.performance.start_value == 0
    assert s.performance.net_flows > 0 and s.performance.twr is not None
    assert s.performance.money_weighted is None  # shown as a dash, not a misleading rate
    assert s.transactions[0].kind == "deposit"


def test_a_batch_writes_what_one_statement_at_a_time_writes(demo_store: Store,
                                                            tmp_path: Path) -> None:
    """The batch measures every statement from one replay of the book: the files are the
    same as building each statement alone (including one with nothing to report)."""
    account = _accounts(demo_store)[0]
    with demo_store.transaction() as tx:
        household = sorted(h.id for h in tx.households())[1]
    quiet = parse_period("2031Q1", today=date(2031, 12, 31))
    for period in (Q1_2020, quiet):
        items = [BatchItem(account=account), BatchItem(household=household)]
        written = write_statements(demo_store.url, period, items, tmp_path / "batch",
                                   fmt=Format.HTML, firm="F", generated=date(2020, 4, 2),
                                   workers=2)
        alone = [write_statement(build_statement(demo_store, period, account=i.account,
                                                 household=i.household, firm="F",
                                                 generated=date(2020, 4, 2)),
                                 tmp_path / "alone", Format.HTML) for i in items]
        assert [w.files[0].read_text() for w in written] == [f[0].read_text() for f in alone]
        assert (period is quiet) == all(w.notices for w in written)
