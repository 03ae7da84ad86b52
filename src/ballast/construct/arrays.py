"""Array types and input checks shared by the optimizers."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from ballast.domain.errors import DataError

FloatArray = npt.NDArray[np.float64]


def vector(values: npt.ArrayLike, n: int, what: str) -> FloatArray:
    """``values`` as a finite float vector of length ``n`` (a scalar is broadcast)."""
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim == 0:
        arr = np.full(n, float(arr))
    if arr.shape != (n,):
        raise DataError(f"{what} has shape {arr.shape}, expected ({n},)", field=what)
    return arr


def finite_vector(values: npt.ArrayLike, n: int, what: str) -> FloatArray:
    """Like :func:`vector`, and every entry finite."""
    arr = vector(values, n, what)
    if not np.isfinite(arr).all():
        raise DataError(f"{what} has non-finite entries", field=what)
    return arr


def covariance(cov: npt.ArrayLike) -> FloatArray:
    """A finite, square, symmetric covariance matrix (symmetrized to round-off)."""
    arr = np.asarray(cov, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1] or arr.shape[0] == 0:
        raise DataError(f"covariance has shape {arr.shape}, expected a non-empty (N, N)",
                        field="cov")
    if not np.isfinite(arr).all():
        raise DataError("covariance has non-finite entries", field="cov")
    scale = max(float(np.abs(arr).max()), 1e-300)
    if float(np.abs(arr - arr.T).max()) > 1e-8 * scale:
        raise DataError("covariance is not symmetric", field="cov")
    sym: FloatArray = (arr + arr.T) / 2.0
    return sym


def asset_names(names: Sequence[str] | None, n: int) -> tuple[str, ...]:
    """The given names (checked for length and uniqueness), or ``"0"`` … ``"N-1"``."""
    if names is None:
        return tuple(str(i) for i in range(n))
    out = tuple(names)
    if len(out) != n:
        raise DataError(f"{len(out)} names for {n} assets", field="names")
    if len(set(out)) != n:
        raise DataError("asset names are not unique", field="names")
    return out


def factor_of(cov: FloatArray) -> FloatArray:
    """F with FᵀF = cov (Cholesky, or the PSD square root when cov is singular)."""
    try:
        return np.asarray(np.linalg.cholesky(cov).T, dtype=np.float64)
    except np.linalg.LinAlgError:
        vals, vecs = np.linalg.eigh(cov)
        root = (vecs * np.sqrt(np.clip(vals, 0.0, None))).T
        return np.asarray(root, dtype=np.float64)
