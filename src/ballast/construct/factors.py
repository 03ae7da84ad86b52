"""Factor exposure limits and tilts: linear bounds on Bᵀw for a betas matrix B [N, K]."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ballast.construct.arrays import FloatArray, vector
from ballast.construct.linear import Block, range_block
from ballast.domain.errors import ConfigError, DataError


@dataclass(frozen=True, slots=True, eq=False)
class FactorBounds:
    """``lower[k] ≤ Σᵢ betas[i, k]·wᵢ ≤ upper[k]`` for each factor k (±inf for no limit)."""

    betas: FloatArray
    lower: FloatArray
    upper: FloatArray
    names: tuple[str, ...]

    @classmethod
    def limits(cls, betas: npt.ArrayLike, lower: npt.ArrayLike = -np.inf,
               upper: npt.ArrayLike = np.inf, names: tuple[str, ...] = ()) -> FactorBounds:
        """Exposure limits; scalars apply to every factor."""
        b = np.asarray(betas, dtype=np.float64)
        if b.ndim != 2 or not np.isfinite(b).all():
            raise DataError(f"factor betas must be a finite (N, K) matrix, got {b.shape}",
                            field="betas")
        k = b.shape[1]
        lo, hi = vector(lower, k, "factor lower"), vector(upper, k, "factor upper")
        labels = names or tuple(f"factor {j}" for j in range(k))
        if len(labels) != k:
            raise DataError(f"{len(labels)} factor names for {k} factors", field="names")
        bad = [labels[j] for j in range(k) if lo[j] > hi[j]]
        if bad:
            raise ConfigError(f"factor bounds: lower > upper for {', '.join(bad)}")
        return cls(b, lo, hi, labels)

    @classmethod
    def tilt(cls, betas: npt.ArrayLike, target: npt.ArrayLike, tolerance: float = 0.0,
             names: tuple[str, ...] = ()) -> FactorBounds:
        """Exposures held within ``tolerance`` of ``target`` (a tilt toward those factors)."""
        k = np.asarray(betas).shape[-1]
        t = vector(target, k, "factor target")
        return cls.limits(betas, t - tolerance, t + tolerance, names)

    def blocks(self, n_vars: int) -> list[Block]:
        """One block per factor, named ``factor <name> in [lo, hi]``."""
        return [range_block(f"factor {name} in [{self.lower[j]:g}, {self.upper[j]:g}]",
                            self.betas[:, j][None, :], self.lower[j:j + 1],
                            self.upper[j:j + 1], n_vars)
                for j, name in enumerate(self.names)
                if np.isfinite(self.lower[j]) or np.isfinite(self.upper[j])]


def exposures(weights: npt.ArrayLike, betas: npt.ArrayLike) -> FloatArray:
    """Portfolio factor exposures Bᵀw."""
    out: FloatArray = np.asarray(betas, dtype=np.float64).T @ np.asarray(weights, np.float64)
    return out
