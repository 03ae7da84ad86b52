"""Capital-gains tax of a year, per account, as arrays: short- and long-term net gains offset
each other (a net loss of one term reduces the other's gain), an unused loss carries forward to
later years, and what remains is taxed at the policy's short- and long-term rates."""

from __future__ import annotations

import numpy as np

from ballast.ledger.snapshot import FloatArray


def gains_tax(short: FloatArray, long: FloatArray, carry: FloatArray, rate_short: float,
              rate_long: float) -> tuple[FloatArray, FloatArray]:
    """(tax, loss carried forward) for net realized ``short`` and ``long`` gains and the loss
    ``carry`` (positive) brought from earlier years; every array is per account."""
    st = short - carry
    lt = long
    m = (st < 0) & (lt > 0)  # a net loss of one term offsets the other term's gain
    st, lt = np.where(m, 0.0, st), np.where(m, lt + st, lt)
    m = (lt < 0) & (st > 0)
    st, lt = np.where(m, st + lt, st), np.where(m, 0.0, lt)
    tax = rate_short * np.maximum(st, 0.0) + rate_long * np.maximum(lt, 0.0)
    left = -(np.minimum(st, 0.0) + np.minimum(lt, 0.0))
    return tax, left
