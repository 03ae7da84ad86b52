"""Small readable batches for the rule tests: holdings by value at a price of 100."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np

from ballast.compliance import CheckInput

PRICE = 100.0
INSTRUMENTS = ("AAPL", "GOOG", "GOOGL", "JNJ", "SPY", "XOM")
ATTRS: dict[str, tuple[str, ...]] = {
    "issuer": ("Apple", "Alphabet", "Alphabet", "", "", ""),
    "asset_class": ("equity", "equity", "equity", "equity", "equity", "equity"),
    "sector": ("Tech", "Tech", "Tech", "Health", "", "Energy"),
    "country": ("US", "US", "US", "US", "US", "US"),
    "currency": ("USD",) * 6,
    "kind": ("equity", "equity", "equity", "equity", "etf", "equity"),
    "wash_group": ("AAPL", "GOOG", "GOOG", "JNJ", "SPY", "XOM"),
}


def batch(holdings: dict[str, dict[str, float]], cash: dict[str, float],
          trades: list[tuple[str, str, str, float]] = (),  # type: ignore[assignment]
          **changes: Any) -> CheckInput:
    """Accounts holding ``{instrument: value}`` plus cash, and trades (account, instrument,
    side, quantity) at PRICE; ``changes`` override any field."""
    accounts = tuple(holdings)
    n, m = len(accounts), len(INSTRUMENTS)
    value = np.zeros((n, m))
    for i, a in enumerate(accounts):
        for ident, v in holdings[a].items():
            value[i, INSTRUMENTS.index(ident)] = v
    t_acct = np.array([accounts.index(t[0]) for t in trades], dtype=np.int64)
    fields: dict[str, Any] = dict(
        as_of=date(2021, 3, 31), accounts=accounts, models=("growth",) * n,
        household=np.arange(n, dtype=np.int64), instruments=INSTRUMENTS,
        quantity_before=value / PRICE, value_before=value,
        cash_before=np.array([cash[a] for a in accounts]), trade_account=t_acct,
        trade_instrument=np.array([INSTRUMENTS.index(t[1]) for t in trades], dtype=np.int64),
        trade_side=np.array([1 if t[2] == "buy" else -1 for t in trades], dtype=np.int64),
        trade_quantity=np.array([t[3] for t in trades], dtype=np.float64),
        trade_value=np.array([t[3] * PRICE for t in trades], dtype=np.float64),
        trade_cost=np.zeros(len(trades)), trade_gain=np.zeros(len(trades)),
        **ATTRS, lot_size=np.ones(m), adv=np.full(m, 1e6),
        risk_score=np.full(n, 5.0), model_risk_level=np.full(n, 4.0),
        restricted=np.zeros((n, m), dtype=bool), target_weight=np.zeros((n, m)),
        returns=np.zeros((0, m)), loss_household=np.zeros(0, dtype=np.int64), loss_group=(),
        loss_date=np.zeros(0, dtype="datetime64[D]"))
    fields.update(changes)
    return CheckInput(**fields)
