"""Hierarchical risk parity (López de Prado, 2016), as PyPortfolioOpt's HRPOpt computes it.

Distance dᵢⱼ = √((1 − ρᵢⱼ)/2); single-linkage clustering (scipy); the leaves in the tree's
pre-order (quasi-diagonalization); then recursive bisection of that ordered list: each half
gets a share 1 − V₁/(V₁ + V₂) of its parent's weight, with Vₖ the variance of the half's
inverse-variance portfolio.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import scipy.cluster.hierarchy as sch
from scipy.spatial.distance import squareform

from ballast.construct.arrays import FloatArray, asset_names, covariance, finite_vector
from ballast.construct.result import Result, make_result
from ballast.domain.errors import DataError

LINKAGES = ("single", "complete", "average", "weighted", "centroid", "median", "ward")


def hrp(cov: npt.ArrayLike, *, corr: npt.ArrayLike | None = None, linkage: str = "single",
        mu: npt.ArrayLike | None = None, names: Sequence[str] | None = None,
        risk_free_rate: float = 0.0) -> Result:
    """HRP weights from a covariance (and optionally a separately estimated correlation)."""
    sigma = covariance(cov)
    n = sigma.shape[0]
    labels = asset_names(names, n)
    var = np.diag(sigma)
    if (var <= 0).any():
        raise DataError("HRP needs a positive variance for every asset", field="cov")
    rho = sigma / np.sqrt(np.outer(var, var)) if corr is None else covariance(corr)
    if rho.shape != (n, n):
        raise DataError(f"correlation has shape {rho.shape}, expected ({n}, {n})", field="corr")
    if linkage not in LINKAGES:
        raise DataError(f"unknown linkage {linkage!r}; use one of {', '.join(LINKAGES)}",
                        field="linkage")
    dist = np.sqrt(np.clip((1.0 - rho) / 2.0, 0.0, 1.0))
    tree = sch.linkage(squareform(dist, checks=False), linkage)
    order = np.asarray(sch.to_tree(tree, rd=False).pre_order(), dtype=np.intp)
    w = _bisect(sigma, order)
    mean = None if mu is None else finite_vector(mu, n, "mu")
    return make_result("hierarchical risk parity", labels, w, sigma, mu=mean,
                       risk_free_rate=risk_free_rate,
                       constraints=(f"{linkage} linkage on correlation distance",
                                    "long-only, Σw = 1"))


def _cluster_variance(sigma: FloatArray, items: npt.NDArray[np.intp]) -> float:
    block = sigma[np.ix_(items, items)]
    ivp = 1.0 / np.diag(block)
    ivp /= ivp.sum()
    return float(ivp @ block @ ivp)


def _bisect(sigma: FloatArray, order: npt.NDArray[np.intp]) -> FloatArray:
    w = np.ones(sigma.shape[0])
    clusters = [order]
    while clusters:
        halves = [part for c in clusters if c.size > 1
                  for part in (c[:c.size // 2], c[c.size // 2:])]
        for first, second in zip(halves[::2], halves[1::2], strict=True):
            v1, v2 = _cluster_variance(sigma, first), _cluster_variance(sigma, second)
            alpha = 1.0 - v1 / (v1 + v2)
            w[first] *= alpha
            w[second] *= 1.0 - alpha
        clusters = halves
    return w
