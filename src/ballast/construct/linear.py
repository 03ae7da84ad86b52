"""Named blocks of linear constraint rows over the decision variables.

Every family of constraints (weight bounds, budget, one group, turnover, one factor, a target
return…) is one :class:`Block`, so an infeasible problem can be explained by the families that
conflict rather than by row numbers.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ballast.construct.arrays import FloatArray


@dataclass(frozen=True, slots=True, eq=False)
class Block:
    """Rows ``matrix @ x == rhs`` (``equality``) or ``matrix @ x <= rhs``, named for messages."""

    name: str
    matrix: sp.csr_matrix
    rhs: FloatArray
    equality: bool = False


@dataclass(frozen=True, slots=True, eq=False)
class LinearModel:
    """The linear constraints of a problem over ``n_vars`` variables (weights first)."""

    n_assets: int
    n_vars: int
    blocks: tuple[Block, ...]

    def plus(self, *blocks: Block) -> LinearModel:
        """This model with more blocks."""
        return LinearModel(self.n_assets, self.n_vars, self.blocks + blocks)

    def without(self, names: Collection[str]) -> LinearModel:
        """This model less the blocks called ``names``."""
        kept = tuple(b for b in self.blocks if b.name not in names)
        return LinearModel(self.n_assets, self.n_vars, kept)

    def stacked(self, extra: int = 0) -> tuple[sp.csr_matrix, FloatArray, sp.csr_matrix,
                                                FloatArray]:
        """(A, b, G, h) with ``extra`` zero columns appended: A x = b, G x ≤ h."""
        out = []
        for equality in (True, False):
            parts = [b for b in self.blocks if b.equality is equality]
            width = self.n_vars + extra
            if not parts:
                out += [sp.csr_matrix((0, width)), np.zeros(0)]
                continue
            mat = sp.vstack([b.matrix for b in parts], format="csr")
            if extra:
                mat = sp.hstack([mat, sp.csr_matrix((mat.shape[0], extra))], format="csr")
            out += [mat, np.concatenate([b.rhs for b in parts])]
        return out[0], out[1], out[2], out[3]


def weight_rows(coefs: FloatArray, n_vars: int) -> sp.csr_matrix:
    """Rows acting on the weights only: ``coefs`` [m, N] padded to ``n_vars`` columns."""
    m, n = coefs.shape
    return sp.hstack([sp.csr_matrix(coefs), sp.csr_matrix((m, n_vars - n))], format="csr")


def range_block(name: str, coefs: FloatArray, lower: FloatArray, upper: FloatArray,
                n_vars: int) -> Block:
    """``lower ≤ coefs @ w ≤ upper`` (infinite sides dropped; equal sides an equality)."""
    if np.array_equal(lower, upper):
        return Block(name, weight_rows(coefs, n_vars), upper.copy(), equality=True)
    hi, lo = np.isfinite(upper), np.isfinite(lower)
    rows = np.vstack([coefs[hi], -coefs[lo]])
    return Block(name, weight_rows(rows, n_vars), np.concatenate([upper[hi], -lower[lo]]))
