"""Rebalancing proposals: each run, what it proposed for each account, and why."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import func, insert, select

from ballast.store.repository import Repository
from ballast.store.schema import proposals, proposed_fx, proposed_trades, rebalance_runs


@dataclass(frozen=True, slots=True)
class ProposedTrade:
    """One proposed trade with its estimate and its rationale.

    ``est_price`` and ``est_value`` are in the account's base currency; ``est_local_price``
    and ``est_local_value`` in the trade's ``currency`` (the instrument's; None in runs stored
    before the two were recorded, where they differ).
    """

    account_id: str
    instrument_id: str
    side: str  # "buy" | "sell"
    quantity: Decimal
    est_price: Decimal
    est_value: Decimal
    est_cost: Decimal
    sleeve: str
    lots: str  # lots relieved by a sell, "LOTID:QTY;…" (empty for a buy)
    est_short_term_gain: Decimal
    est_long_term_gain: Decimal
    rationale: str
    currency: str
    est_local_price: Decimal | None
    est_local_value: Decimal | None


@dataclass(frozen=True, slots=True)
class ProposedFx:
    """One proposed currency conversion: buy ``buy_amount`` of ``buy_currency`` with
    ``sell_amount`` of ``sell_currency`` at ``rate`` (units sold per unit bought); ``est_cost``
    is in the account's base currency."""

    account_id: str
    sell_currency: str
    buy_currency: str
    sell_amount: Decimal
    buy_amount: Decimal
    rate: Decimal
    est_cost: Decimal
    rationale: str


@dataclass(frozen=True, slots=True)
class AccountProposal:
    """What a run decided for one account: trade, no action, or skipped (with why)."""

    account_id: str
    status: str  # "trade" | "no_action" | "skipped"
    model: str
    model_version: str
    reasons: str
    value: Decimal
    cash_before: Decimal
    cash_after: Decimal
    drift_before: Decimal
    drift_after: Decimal
    est_short_term_gain: Decimal
    est_long_term_gain: Decimal


@dataclass(frozen=True, slots=True)
class RebalanceRun:
    """A stored run and its header figures."""

    id: int
    as_of: date
    created_at: datetime
    snapshot_id: str
    policy_version: str
    accounts: int
    triggered: int
    trades: int


class ProposalRepository(Repository):
    """Rebalancing runs and their proposals."""

    def add_rebalance_run(self, as_of: date, snapshot_id: str, policy_version: str,
                          accounts: Sequence[AccountProposal],
                          trades: Sequence[ProposedTrade],
                          fx: Sequence[ProposedFx] = ()) -> int:
        """Store a run with its account proposals, trades and FX legs; returns the run id."""
        triggered = sum(1 for a in accounts if a.status == "trade")
        run_id = int(self._conn.execute(insert(rebalance_runs).values(
            as_of=as_of, created_at=datetime.now(UTC), snapshot_id=snapshot_id,
            policy_version=policy_version, accounts=len(accounts), triggered=triggered,
            trades=len(trades)).returning(rebalance_runs.c.id)).scalar_one())
        c = self._codec
        self._write(proposals, (
            "run_id", "account_id", "status", "model", "model_version", "reasons", "value",
            "cash_before", "cash_after", "drift_before", "drift_after", "est_short_term_gain",
            "est_long_term_gain"), (
            (run_id, a.account_id, a.status, a.model, a.model_version, a.reasons,
             c.dec(a.value), c.dec(a.cash_before), c.dec(a.cash_after),
             c.dec(a.drift_before), c.dec(a.drift_after), c.dec(a.est_short_term_gain),
             c.dec(a.est_long_term_gain)) for a in accounts))
        seq: dict[str, int] = {}
        rows = []
        for t in trades:
            seq[t.account_id] = seq.get(t.account_id, 0) + 1
            rows.append((run_id, t.account_id, seq[t.account_id], t.instrument_id, t.side,
                         c.dec(t.quantity), c.dec(t.est_price), c.dec(t.est_value),
                         c.dec(t.est_cost), t.sleeve, t.lots, c.dec(t.est_short_term_gain),
                         c.dec(t.est_long_term_gain), t.rationale, t.currency,
                         c.opt_dec(t.est_local_price), c.opt_dec(t.est_local_value)))
        self._write(proposed_trades, (
            "run_id", "account_id", "seq", "instrument_id", "side", "quantity", "est_price",
            "est_value", "est_cost", "sleeve", "lots", "est_short_term_gain",
            "est_long_term_gain", "rationale", "currency", "est_local_price",
            "est_local_value"), rows)
        self._write(proposed_fx, (
            "run_id", "account_id", "seq", "sell_currency", "buy_currency", "sell_amount",
            "buy_amount", "rate", "est_cost", "rationale"), (
            (run_id, x.account_id, k, x.sell_currency, x.buy_currency, c.dec(x.sell_amount),
             c.dec(x.buy_amount), c.dec(x.rate), c.dec(x.est_cost), x.rationale)
            for k, x in enumerate(fx, start=1)))
        return run_id

    def rebalance_runs(self) -> list[RebalanceRun]:
        """Every run, newest first."""
        t = rebalance_runs
        return [RebalanceRun(r.id, r.as_of, r.created_at, r.snapshot_id, r.policy_version,
                             r.accounts, r.triggered, r.trades)
                for r in self._conn.execute(select(t).order_by(t.c.id.desc()))]

    def proposals(self, run_id: int) -> list[AccountProposal]:
        """The account proposals of a run, by account."""
        t = proposals
        query = select(t).where(t.c.run_id == run_id).order_by(t.c.account_id)
        return [AccountProposal(r.account_id, r.status, r.model, r.model_version, r.reasons,
                                r.value, r.cash_before, r.cash_after, r.drift_before,
                                r.drift_after, r.est_short_term_gain, r.est_long_term_gain)
                for r in self._conn.execute(query)]

    def proposed_trades(self, run_id: int) -> list[ProposedTrade]:
        """The trades of a run, by account in proposal order."""
        t = proposed_trades
        query = select(t).where(t.c.run_id == run_id).order_by(t.c.account_id, t.c.seq)
        return [ProposedTrade(r.account_id, r.instrument_id, r.side, r.quantity, r.est_price,
                              r.est_value, r.est_cost, r.sleeve, r.lots, r.est_short_term_gain,
                              r.est_long_term_gain, r.rationale, r.currency, r.est_local_price,
                              r.est_local_value)
                for r in self._conn.execute(query)]

    def proposed_fx(self, run_id: int) -> list[ProposedFx]:
        """The FX legs of a run, by account in proposal order."""
        t = proposed_fx
        query = select(t).where(t.c.run_id == run_id).order_by(t.c.account_id, t.c.seq)
        return [ProposedFx(r.account_id, r.sell_currency, r.buy_currency, r.sell_amount,
                           r.buy_amount, r.rate, r.est_cost, r.rationale)
                for r in self._conn.execute(query)]

    def last_proposals(self) -> dict[str, tuple[date | None, str]]:
        """Per account: the as-of date of its last proposal that traded (None if none) and the
        model version of its last proposal."""
        p, r = proposals, rebalance_runs
        rows = self._conn.execute(
            select(p.c.account_id, p.c.status, p.c.model_version, r.c.as_of)
            .join(r, r.c.id == p.c.run_id).order_by(r.c.id)).all()
        out: dict[str, tuple[date | None, str]] = {}
        for account_id, status, version, as_of in rows:
            traded = as_of if status == "trade" else out.get(account_id, (None, ""))[0]
            out[account_id] = (traded, version)
        return out

    def run_count(self) -> int:
        """How many rebalancing runs are stored."""
        return int(self._conn.scalar(select(func.count()).select_from(rebalance_runs)) or 0)
