"""Build the compliance check's arrays from a stored rebalance run, the book and the rules."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import numpy as np

from ballast.compliance import CheckInput
from ballast.compliance.inputs import DayArray, FloatArray, IntArray
from ballast.config.compliance import RuleSet, WashSale
from ballast.config.models import resolve
from ballast.domain import AccountId, Instrument, InstrumentId
from ballast.engine.history import load_history, window_start
from ballast.engine.weights import stored_models
from ballast.ledger.snapshot import Snapshot
from ballast.store import AccountProposal, ProposedTrade, UnitOfWork

RETURN_SESSIONS = 252  # daily returns behind the VaR and tracking-error rules


def build_check_input(tx: UnitOfWork, snap: Snapshot, as_of: date,
                      proposals: Sequence[AccountProposal], trades: Sequence[ProposedTrade],
                      sets: Sequence[RuleSet]) -> CheckInput:
    """The proposals' accounts before their trades (from ``snap``), the trades, instrument and
    account attributes, model targets, daily returns and the households' recent loss sales."""
    instruments, accounts = tx.instruments(), tx.accounts()
    library = stored_models(tx)
    names = sorted({p.model for p in proposals if p.model in library})
    targets = {n: {s.instruments[0]: s.target for s in resolve(n, library).sleeves}
               for n in names}
    ids = tuple(p.account_id for p in proposals)
    universe = tuple(sorted({*snap.instruments, *(t.instrument_id for t in trades),
                             *(i for t in targets.values() for i in t)}))
    col = {ident: j for j, ident in enumerate(universe)}
    row = {a: i for i, a in enumerate(ids)}
    n, m = len(ids), len(universe)
    qty, val = np.zeros((n, m)), np.zeros((n, m))
    snap_row = np.array([row.get(a, -1) for a in snap.accounts], dtype=np.int64)
    r = snap_row[snap.pos_account]
    keep = r >= 0
    c = np.array([col[i] for i in snap.instruments], dtype=np.int64)[snap.pos_instrument]
    np.add.at(qty, (r[keep], c[keep]), snap.quantity[keep])
    np.add.at(val, (r[keep], c[keep]), np.nan_to_num(snap.market_value[keep]))
    kept = [t for t in trades if t.account_id in row]
    target = np.zeros((n, m))
    restricted = np.zeros((n, m), dtype=bool)
    for i, p in enumerate(proposals):
        for ident, w in targets.get(p.model, {}).items():
            target[i, col[ident]] = w
        for ident in accounts[AccountId(p.account_id)].restrictions.do_not_buy:
            if ident in col:
                restricted[i, col[ident]] = True
    models_level = {k: v for s in sets for k, v in s.risk_profiles.models.items()}
    # An account's risk score: the rule sets' when they name it, else its suitability record's.
    scores = {**tx.risk_scores(ids),
              **{k: v for s in sets for k, v in s.risk_profiles.accounts.items()}}
    house_names, household = np.unique([accounts[AccountId(a)].household_id for a in ids],
                                       return_inverse=True)
    attrs = [instruments[InstrumentId(i)] for i in universe]
    window = max((r.window_days for s in sets for r in s.rules if isinstance(r, WashSale)),
                 default=30)
    loss_h, loss_g, loss_d = _loss_sales(tx, as_of, window, list(house_names), instruments)
    return CheckInput(
        as_of=as_of, accounts=ids, models=tuple(p.model for p in proposals),
        household=household.astype(np.int64), instruments=universe, quantity_before=qty,
        value_before=val, cash_before=np.array([float(p.cash_before) for p in proposals]),
        trade_account=np.array([row[t.account_id] for t in kept], dtype=np.int64),
        trade_instrument=np.array([col[t.instrument_id] for t in kept], dtype=np.int64),
        trade_side=np.array([1 if t.side == "buy" else -1 for t in kept], dtype=np.int64),
        trade_quantity=np.array([float(t.quantity) for t in kept]),
        trade_value=np.array([float(t.est_value) for t in kept]),
        trade_cost=np.array([float(t.est_cost) for t in kept]),
        trade_gain=np.array([float(t.est_short_term_gain + t.est_long_term_gain)
                             for t in kept]),
        issuer=tuple(i.issuer for i in attrs), asset_class=tuple(i.asset_class for i in attrs),
        sector=tuple(i.sector for i in attrs), country=tuple(i.country for i in attrs),
        currency=tuple(i.currency for i in attrs), kind=tuple(i.kind.value for i in attrs),
        wash_group=tuple(i.wash_sale_group or i.id for i in attrs),
        lot_size=np.array([float(i.lot_size) for i in attrs]), adv=np.full(m, np.nan),
        risk_score=np.array([scores.get(a, np.nan) for a in ids], dtype=np.float64),
        model_risk_level=np.array([models_level.get(p.model, np.nan) for p in proposals],
                                  dtype=np.float64),
        restricted=restricted, target_weight=target,
        returns=_returns(tx, universe, attrs, as_of),
        loss_household=loss_h, loss_group=loss_g, loss_date=loss_d,
    )


def _returns(tx: UnitOfWork, universe: tuple[str, ...], attrs: list[Instrument],
             as_of: date) -> FloatArray:
    """Daily simple returns [D, M] of the last sessions up to ``as_of``; a missing close
    gives a 0 return (documented)."""
    start = window_start(attrs, as_of, RETURN_SESSIONS)
    prices = load_history(tx, universe, as_of, start).prices[-RETURN_SESSIONS - 1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        returns = prices[1:] / prices[:-1] - 1.0
    return np.asarray(np.nan_to_num(returns, nan=0.0, posinf=0.0, neginf=0.0),
                      dtype=np.float64)


def _loss_sales(tx: UnitOfWork, as_of: date, window: int, houses: list[str],
                instruments: dict[InstrumentId, Instrument]
                ) -> tuple[IntArray, tuple[str, ...], DayArray]:
    """Sales at a loss in the window by the households checked: household code, wash-sale
    group, date."""
    accounts = tx.accounts(houses)
    code = {h: k for k, h in enumerate(houses)}
    gains = [g for g in tx.gains([str(a) for a in accounts],
                                 since=as_of - timedelta(days=window), until=as_of)
             if g.proceeds < g.cost_basis]
    groups = tuple(instruments[g.instrument_id].wash_sale_group or g.instrument_id
                   for g in gains)
    return (np.array([code[accounts[g.account_id].household_id] for g in gains],
                     dtype=np.int64), groups,
            np.array([g.sold for g in gains], dtype="datetime64[D]"))
