"""Array types of the analytics and the input checks every estimator shares.

Inputs are converted once to float64; a malformed input (wrong shape, NaN, infinity, too few
rows) raises :class:`~ballast.domain.DataError` naming the argument.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ballast.domain import DataError

FloatArray = npt.NDArray[np.float64]
DayArray = npt.NDArray[np.datetime64]


def _finite(a: FloatArray, name: str) -> FloatArray:
    bad = np.argwhere(~np.isfinite(a))
    if len(bad):
        raise DataError(f"{name}: non-finite value {a[tuple(bad[0])]} at index "
                        f"{tuple(int(i) for i in bad[0])}", field=name)
    return a


def as_matrix(a: npt.ArrayLike, name: str, min_rows: int = 2) -> FloatArray:
    """``a`` as a finite float64 [T, N] array with at least ``min_rows`` rows."""
    m = np.asarray(a, dtype=np.float64)
    if m.ndim != 2 or m.shape[1] == 0:
        raise DataError(f"{name}: expected a [T, N] array, got shape {m.shape}", field=name)
    if m.shape[0] < min_rows:
        raise DataError(f"{name}: needs at least {min_rows} rows, got {m.shape[0]}", field=name)
    return _finite(m, name)


def as_vector(a: npt.ArrayLike, name: str, length: int | None = None,
              min_len: int = 1) -> FloatArray:
    """``a`` as a finite float64 1-D array (of ``length`` when given, else at least ``min_len``)."""
    v = np.asarray(a, dtype=np.float64)
    if v.ndim != 1:
        raise DataError(f"{name}: expected a 1-D array, got shape {v.shape}", field=name)
    if length is not None and len(v) != length:
        raise DataError(f"{name}: expected length {length}, got {len(v)}", field=name)
    if len(v) < min_len:
        raise DataError(f"{name}: needs at least {min_len} values, got {len(v)}", field=name)
    return _finite(v, name)


def as_covariance(a: npt.ArrayLike, n: int, name: str = "cov") -> FloatArray:
    """``a`` as a finite symmetric float64 [n, n] array."""
    c = np.asarray(a, dtype=np.float64)
    if c.shape != (n, n):
        raise DataError(f"{name}: expected shape ({n}, {n}), got {c.shape}", field=name)
    _finite(c, name)
    if not np.allclose(c, c.T, rtol=1e-10, atol=1e-14):
        raise DataError(f"{name}: not symmetric", field=name)
    return c
