"""Limit monitoring between rebalances (``ballast monitor`` and the cycle's monitor stage):
every account's holdings against every rule in force, an alert for each breach, and an
adjustment proposal — a stored run, checked, approved and executed like any other — whose
sells are sized to bring each account back within its limits. Breaches the model cures are
handed to the rebalancer instead (see ballast.compliance.limit_adjust)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np

from ballast.audit.journal import Draft
from ballast.compliance.check import evaluate, rules_of
from ballast.compliance.inputs import CheckInput
from ballast.compliance.limit_adjust import (
    REBALANCED,
    SOLD,
    Adjustments,
    adjusted_input,
    size_adjustments,
)
from ballast.compliance.results import Violation
from ballast.config import CostModel
from ballast.domain import (
    Account,
    AccountId,
    ConfigError,
    InstrumentId,
    TaxLot,
    Term,
    decimal_of,
    holding_term,
)
from ballast.engine.check import rule_sets
from ballast.engine.check_input import build_check_input
from ballast.engine.market import load_market
from ballast.engine.queries import lots_as_of, snapshot
from ballast.ledger.relief import select_lots
from ballast.store import AccountProposal, ProposedTrade, Store, UnitOfWork

POLICY_VERSION = "limit-monitor"
ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class MonitorResult:
    """Every breach of the holdings, the adjustment trades (stored as run ``run_id`` unless a
    dry run or none), the accounts to rebalance with why, and the breaches the adjustment
    would leave (expected empty)."""

    as_of: date
    accounts: int
    breaches: tuple[Violation, ...]
    trades: tuple[ProposedTrade, ...]
    run_id: int | None
    rebalance: dict[str, str]
    remaining: tuple[Violation, ...]


def monitor(store: Store, *, as_of: date | None = None, rules_paths: Sequence[Path] = (),
            exclude: Collection[str] = (), dry_run: bool = False,
            costs: CostModel | None = None) -> MonitorResult:
    """Check the holdings of every account (but ``exclude``) against the rules as of
    ``as_of`` (default: the latest priced day); propose and store the adjustment."""
    snap = snapshot(store, as_of=as_of, missing_fx_nan=True)
    with store.transaction() as tx:
        sets = rule_sets(tx.latest_rule_sets(), rules_paths)
        if not sets:
            raise ConfigError("no compliance rules to monitor", hint="Load them with "
                              "`ballast rules import <file.yaml>` or pass --rules FILE.")
        accounts = tx.accounts()
        rows = [k for k, a in enumerate(snap.accounts) if a not in exclude]
        watched = [accounts[AccountId(snap.accounts[k])] for k in rows]
        proposals = [_holding(a, float(snap.cash_value[k]))
                     for a, k in zip(watched, rows, strict=True)]
        rules = rules_of(sets)
        inp = build_check_input(tx, snap, snap.as_of, proposals, [], sets)
        breaches, _ = evaluate(inp, rules)
        adj = size_adjustments(inp, [b for b in breaches if b.blocks],
                               {r.id: r for r in rules})
        remaining, _ = evaluate(adjusted_input(inp, adj), rules)
        adjusted = {inp.accounts[a] for a, _ in adj.reasons}
        left = tuple(v for v in remaining
                     if v.account in adjusted and v.blocks and v.kind in SOLD)
        rebalance = {v.account: f"limit monitoring: {v.explanation}" for v in breaches
                     if v.blocks and v.kind in REBALANCED and v.account not in adjusted}
        trades = _trades(tx, inp, adj, [accounts[AccountId(a)] for a in inp.accounts],
                         snap.as_of, costs or CostModel())
        run_id = None
        if trades and not dry_run:
            props = _proposals(inp, adj, trades, proposals)
            run_id = tx.add_rebalance_run(snap.as_of, snap.id, POLICY_VERSION, props, trades)
            tx.audit_run(run_id, snap.as_of, snap.id, POLICY_VERSION, props, trades)
        if breaches and not dry_run:
            tx.append_audit([Draft("alert.limit_breach", (f"account:{v.account}",),
                                   v.explanation, {"rule": v.rule_id, "kind": v.kind,
                                                   "measured": v.measured, "limit": v.limit,
                                                   "adjustment_run": run_id},
                                   snapshot_id=snap.id) for v in breaches])
    return MonitorResult(snap.as_of, len(watched), tuple(breaches), tuple(trades), run_id,
                         rebalance, left)


def _holding(account: Account, cash: float) -> AccountProposal:
    """An account as a proposal without trades: what the rules read of it."""
    c = _dec(cash, "0.01")
    return AccountProposal(str(account.id), "trade", account.model or "", "", "holdings", ZERO,
                           c, c, ZERO, ZERO, ZERO, ZERO)


def _trades(tx: UnitOfWork, inp: CheckInput, adj: Adjustments, accounts: list[Account],
            as_of: date, costs: CostModel) -> list[ProposedTrade]:
    """One trade per changed position, priced at the close, with the lots a sell relieves by
    the account's method and its estimated gains."""
    cells = sorted(adj.reasons)
    if not cells:
        return []
    market = load_market(tx, as_of)
    closes, _ = market.closes(list(inp.instruments), as_of)
    instruments = tx.instruments()
    lots = lots_as_of(tx, [accounts[a] for a in sorted({a for a, _ in cells})], as_of)
    by_position: dict[tuple[str, str], list[TaxLot]] = {}
    for lot in lots:
        by_position.setdefault((str(lot.account_id), str(lot.instrument_id)), []).append(lot)
    out = []
    for a, j in cells:
        account, ident = accounts[a], inp.instruments[j]
        q = Decimal(repr(float(abs(adj.delta[a, j])))).quantize(
            instruments[InstrumentId(ident)].lot_size)
        unit = float(inp.value_before[a, j] / inp.quantity_before[a, j])
        value, local = unit * float(q), Decimal(repr(float(closes[j])))
        side = "sell" if adj.delta[a, j] < 0 else "buy"
        relieved, st, lt = _relief(by_position.get((str(account.id), ident), []), q, account,
                                   as_of, local) if side == "sell" else ("", ZERO, ZERO)
        out.append(ProposedTrade(
            str(account.id), ident, side, q, _dec(unit, "0.0001"), _dec(value, "0.01"),
            _dec(costs.cost(value), "0.01"), "(limit adjustment)", relieved, st, lt,
            "; ".join(adj.reasons[(a, j)]), instruments[InstrumentId(ident)].currency,
            local.quantize(Decimal("0.0001")), (local * q).quantize(Decimal("0.01"))))
    return out


def _relief(lots: list[TaxLot], quantity: Decimal, account: Account, as_of: date, price: Decimal
            ) -> tuple[str, Decimal, Decimal]:
    """The lots a sell relieves (``LOT:QTY;…``) and its short- and long-term gains."""
    chosen = select_lots(lots, quantity, account.lot_method, sale_date=as_of, price=price)
    st = lt = ZERO
    for lot, q in chosen:
        gain = (price * q - lot.unit_cost * q).quantize(Decimal("0.01"))
        if holding_term(lot.holding_start, as_of) is Term.LONG:
            lt += gain
        else:
            st += gain
    return ";".join(f"{lot.id}:{q.normalize():f}" for lot, q in chosen), st, lt


def _proposals(inp: CheckInput, adj: Adjustments, trades: list[ProposedTrade],
               holdings: list[AccountProposal]) -> list[AccountProposal]:
    """The adjusted accounts' proposals: status trade, the breaches as their reasons."""
    by_account: dict[str, list[ProposedTrade]] = {}
    for t in trades:
        by_account.setdefault(t.account_id, []).append(t)
    held = {h.account_id: h for h in holdings}
    out = []
    for account, mine in by_account.items():
        a = inp.accounts.index(account)
        total = float(inp.value_before[a].sum() + inp.cash_before[a])
        freed = sum(float(t.est_value) * (1 if t.side == "sell" else -1) for t in mine)
        reasons = sorted({r.split(": sell ")[0] for (k, _), rs in adj.reasons.items()
                          if k == a for r in rs})
        h = held[account]
        out.append(AccountProposal(
            account, "trade", h.model, "", "limit breach: " + "; ".join(reasons),
            _dec(total, "0.01"), h.cash_before, h.cash_before + _dec(freed, "0.01"), ZERO,
            ZERO, sum((t.est_short_term_gain for t in mine), ZERO),
            sum((t.est_long_term_gain for t in mine), ZERO)))
    return out


def _dec(x: float, places: str) -> Decimal:
    return decimal_of(x, places) if np.isfinite(x) else ZERO


__all__ = ["MonitorResult", "monitor"]
