"""explain: the entries behind a trade, an order, an account or a run."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ballast.audit import Draft, chain, explain, parse_target
from ballast.domain import DataError

AT = datetime(2026, 11, 22, tzinfo=UTC)
JOURNAL = chain([
    Draft("rebalance.run", ("run:1",), "run 1: 2 accounts to trade"),
    Draft("rebalance.proposed", ("run:1", "account:A", "trade:1:A:1", "instrument:SPY"), "buy"),
    Draft("rebalance.proposed", ("run:1", "account:B", "trade:1:B:1", "instrument:SPY"), "sell"),
    Draft("compliance.approved", ("run:1", "check:1", "account:A", "trade:1:A:1"), "ok"),
    Draft("compliance.denied", ("run:1", "check:1", "account:B", "trade:1:B:1"), "no"),
    Draft("order.submitted", ("order:O1", "block:K1", "run:1", "instrument:SPY", "account:A"),
          "buy 10 SPY"),
    Draft("fill.booked", ("run:1", "block:K1", "account:A", "instrument:SPY",
                          "transaction:K1-1"), "booked"),
    Draft("rebalance.run", ("run:2",), "run 2"),
    Draft("kill_switch.engaged", ("kill_switch:account:A", "account:A"), "stop"),
], AT)


def seqs(target: str) -> list[int]:
    return [e.seq for e in explain(JOURNAL, parse_target(target))]


def test_a_trade_is_explained_from_trigger_to_booking() -> None:
    assert seqs("trade:1:A:1") == [1, 2, 4, 6, 7]
    assert seqs("trade:1:B:1") == [1, 3, 5]


def test_an_order_an_account_and_a_run() -> None:
    assert seqs("order:O1") == [1, 2, 4, 6, 7]
    assert seqs("account:A") == [2, 4, 6, 7, 9]
    assert seqs("run:2") == [8]
    assert seqs("trade:9:A:1") == []


@pytest.mark.parametrize("text", ["A1", "fill:3", "trade:"])
def test_an_unknown_target_is_refused(text: str) -> None:
    with pytest.raises(DataError, match="cannot explain"):
        parse_target(text)
