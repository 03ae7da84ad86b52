"""Portfolio constraints as one frozen value, turned into named linear blocks.

Variables are the weights w [N], followed by turnover slacks t [N] when a turnover limit is set
(|w − w0| ≤ t, Σt ≤ τ). The pairwise checks in :meth:`Constraints.check` catch the common
conflicts with a precise message before any solver runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from ballast.construct.arrays import FloatArray, finite_vector, vector
from ballast.construct.factors import FactorBounds
from ballast.construct.linear import Block, LinearModel, range_block, weight_rows
from ballast.domain.errors import ConfigError, DataError

BUDGET = "budget"
BOUNDS = "weight bounds"


@dataclass(frozen=True, slots=True, eq=False)
class Constraints:
    """What the weights must satisfy; the default is long-only, fully invested.

    ``lower``/``upper``: bounds per asset (scalar or [N]; ±inf for none). ``budget``: Σw.
    ``groups``: one label per asset, with ``group_bounds`` {label: (lo, hi)} on the group sums.
    ``current`` and ``max_turnover``: Σ|w − current| ≤ max_turnover. ``max_holdings``: at most
    that many non-zero weights (exact MILP for mean-CVaR, a heuristic for the QPs).
    ``factors``: limits on factor exposures.
    """

    lower: float | FloatArray = 0.0
    upper: float | FloatArray = 1.0
    budget: float = 1.0
    groups: Sequence[str] = ()
    group_bounds: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    current: FloatArray | None = None
    max_turnover: float | None = None
    max_holdings: int | None = None
    factors: FactorBounds | None = None

    def bounds(self, n: int) -> tuple[FloatArray, FloatArray]:
        """Lower and upper bound vectors for ``n`` assets."""
        return vector(self.lower, n, "lower"), vector(self.upper, n, "upper")

    def n_vars(self, n: int) -> int:
        """Number of decision variables: weights, plus turnover slacks."""
        return 2 * n if self.max_turnover is not None else n

    def model(self, n: int) -> LinearModel:
        """The named linear blocks of these constraints for ``n`` assets."""
        nv = self.n_vars(n)
        lo, hi = self.bounds(n)
        eye = np.eye(n)
        blocks = [range_block(BOUNDS, eye, lo, hi, nv),
                  Block(f"{BUDGET} Σw = {self.budget:g}", weight_rows(np.ones((1, n)), nv),
                        np.array([self.budget]), equality=True)]
        for label, (glo, ghi) in self.group_bounds.items():
            member = np.array([g == label for g in self._labels(n)], dtype=np.float64)
            blocks.append(range_block(f"group {label} in [{glo:g}, {ghi:g}]", member[None, :],
                                      np.array([glo]), np.array([ghi]), nv))
        if self.max_turnover is not None:
            w0 = self._current(n)
            ident = sp.identity(n, format="csr")
            rows = sp.vstack([sp.hstack([ident, -ident]), sp.hstack([-ident, -ident]),
                              sp.hstack([sp.csr_matrix((1, n)), np.ones((1, n))])],
                             format="csr")
            blocks.append(Block(f"turnover Σ|w − current| ≤ {self.max_turnover:g}", rows,
                                np.concatenate([w0, -w0, [self.max_turnover]])))
        if self.factors is not None:
            blocks += self.factors.blocks(nv)
        return LinearModel(n, nv, tuple(blocks))

    def describe(self, n: int) -> tuple[str, ...]:
        """One line per constraint family, for the construction report."""
        lo, hi = self.bounds(n)
        lines = [f"{BOUNDS} [{_span(lo)}, {_span(hi)}]", f"{BUDGET} Σw = {self.budget:g}"]
        lines += [f"group {g} in [{a:g}, {b:g}]" for g, (a, b) in self.group_bounds.items()]
        if self.max_turnover is not None:
            lines.append(f"turnover Σ|w − current| ≤ {self.max_turnover:g}")
        if self.max_holdings is not None:
            lines.append(f"max holdings {self.max_holdings}")
        if self.factors is not None:
            lines += [f"factor {f} in [{self.factors.lower[j]:g}, {self.factors.upper[j]:g}]"
                      for j, f in enumerate(self.factors.names)]
        return tuple(lines)

    def check(self, n: int, names: tuple[str, ...]) -> None:
        """Raise ConfigError naming the first simple conflict among these constraints."""
        lo, hi = self.bounds(n)
        bad = [names[i] for i in np.flatnonzero(lo > hi)]
        if bad:
            raise ConfigError(f"{BOUNDS}: lower > upper for {', '.join(bad[:5])}")
        if lo.sum() > self.budget + 1e-12:
            raise ConfigError(f"{BOUNDS} conflict with the {BUDGET}: Σ lower bounds = "
                              f"{lo.sum():g} > budget {self.budget:g}")
        if hi.sum() < self.budget - 1e-12:
            raise ConfigError(f"{BOUNDS} conflict with the {BUDGET}: Σ upper bounds = "
                              f"{hi.sum():g} < budget {self.budget:g}")
        self._check_groups(n, lo, hi)
        if self.max_holdings is not None:
            self._check_holdings(lo, hi)
        if self.max_turnover is not None and self.max_turnover < 0:
            raise ConfigError(f"max_turnover {self.max_turnover:g} is negative")

    def _labels(self, n: int) -> Sequence[str]:
        if self.group_bounds and len(self.groups) != n:
            raise DataError(f"{len(self.groups)} group labels for {n} assets", field="groups")
        return self.groups

    def _current(self, n: int) -> FloatArray:
        if self.current is None:
            raise ConfigError("a turnover limit needs the current weights")
        return finite_vector(self.current, n, "current")

    def _check_groups(self, n: int, lo: FloatArray, hi: FloatArray) -> None:
        labels = np.asarray(self._labels(n), dtype=object)
        for label, (glo, ghi) in self.group_bounds.items():
            member = labels == label
            what = f"group {label} in [{glo:g}, {ghi:g}]"
            if not member.any():
                raise ConfigError(f"{what}: no asset is in group {label}")
            if glo > ghi:
                raise ConfigError(f"{what}: lower bound above upper bound")
            if glo > hi[member].sum() + 1e-12:
                raise ConfigError(f"{what} conflicts with the {BOUNDS}: Σ upper bounds of "
                                  f"its members = {hi[member].sum():g} < {glo:g}")
            if ghi < lo[member].sum() - 1e-12:
                raise ConfigError(f"{what} conflicts with the {BOUNDS}: Σ lower bounds of "
                                  f"its members = {lo[member].sum():g} > {ghi:g}")
        if self.group_bounds and set(labels) <= set(self.group_bounds):
            tops = sum(min(b, hi[labels == g].sum()) for g, (_, b) in self.group_bounds.items())
            if tops < self.budget - 1e-12:
                raise ConfigError(f"group bounds conflict with the {BUDGET}: the groups hold "
                                  f"at most {tops:g} < budget {self.budget:g}")
            floors = sum(max(a, lo[labels == g].sum())
                         for g, (a, _) in self.group_bounds.items())
            if floors > self.budget + 1e-12:
                raise ConfigError(f"group bounds conflict with the {BUDGET}: the groups need "
                                  f"at least {floors:g} > budget {self.budget:g}")

    def _check_holdings(self, lo: FloatArray, hi: FloatArray) -> None:
        k = self.max_holdings
        assert k is not None
        if k < 1:
            raise ConfigError(f"max holdings {k} must be at least 1")
        forced = int(np.count_nonzero(lo > 0))
        if forced > k:
            raise ConfigError(f"max holdings {k} conflicts with the {BOUNDS}: {forced} assets "
                              "have a positive lower bound")
        if self.budget > 0 and (lo >= 0).all():
            best = float(np.sort(hi)[::-1][:k].sum())
            if best < self.budget - 1e-12:
                raise ConfigError(f"max holdings {k} conflicts with the {BOUNDS} and the "
                                  f"{BUDGET}: the {k} largest upper bounds sum to {best:g} < "
                                  f"budget {self.budget:g}")


def _span(values: FloatArray) -> str:
    """A bound vector in a few characters: its value when constant, else its range."""
    a, b = float(values.min()), float(values.max())
    return f"{a:g}" if a == b else f"{a:g}..{b:g}"
