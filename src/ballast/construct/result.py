"""The outcome of one construction: weights and what a construction report prints."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ballast.construct.arrays import FloatArray


@dataclass(frozen=True, slots=True, eq=False)
class Result:
    """Target weights of one optimizer run.

    ``weights`` sum to the budget (or less: the rest is cash, e.g. after volatility targeting).
    ``expected_return`` and ``sharpe`` are None when the method had no expected returns.
    ``metrics`` holds method-specific figures (CVaR, tracking error, cash, leverage…);
    ``contributions`` each asset's share of the variance (see :func:`risk_contributions`).
    """

    method: str
    names: tuple[str, ...]
    weights: FloatArray
    contributions: FloatArray
    volatility: float
    expected_return: float | None = None
    sharpe: float | None = None
    risk_free_rate: float = 0.0
    status: str = "optimal"
    constraints: tuple[str, ...] = ()
    metrics: tuple[tuple[str, float], ...] = ()

    def weight(self, name: str) -> float:
        """The weight of the asset called ``name``."""
        return float(self.weights[self.names.index(name)])

    def metric(self, key: str) -> float:
        """A method-specific figure by name (KeyError when the method has none)."""
        return dict(self.metrics)[key]

    @property
    def holdings(self) -> int:
        """Number of names with a weight above 1e-8 in absolute value."""
        return int(np.count_nonzero(np.abs(self.weights) > 1e-8))

    def report(self) -> str:
        """A plain-text construction report: method, figures, constraints and weights."""
        lines = [f"method: {self.method} ({self.status})"]
        if self.expected_return is not None:
            lines.append(f"expected return: {self.expected_return:.6f}")
        lines.append(f"volatility: {self.volatility:.6f}")
        if self.sharpe is not None:
            lines.append(f"sharpe (rf {self.risk_free_rate:g}): {self.sharpe:.6f}")
        lines += [f"{key}: {value:.6f}" for key, value in self.metrics]
        lines += ["constraints:"] + [f"  {c}" for c in self.constraints or ("none",)]
        order = np.argsort(-np.abs(self.weights), kind="stable")
        lines.append("weights (risk contribution):")
        rc = self.contributions
        lines += [f"  {self.names[i]}: {self.weights[i]:.6f} ({rc[i]:.4f})" for i in order
                  if abs(self.weights[i]) > 1e-8]
        return "\n".join(lines)


def risk_contributions(weights: npt.ArrayLike, cov: npt.ArrayLike) -> FloatArray:
    """Each asset's share of the portfolio variance, wᵢ(Σw)ᵢ / wᵀΣw (sums to 1)."""
    w = np.asarray(weights, dtype=np.float64)
    parts: FloatArray = w * (np.asarray(cov, dtype=np.float64) @ w)
    total = parts.sum()
    return parts / total if total > 0 else np.zeros_like(parts)


def make_result(method: str, names: tuple[str, ...], weights: FloatArray, cov: FloatArray, *,
                mu: FloatArray | None = None, risk_free_rate: float = 0.0,
                constraints: tuple[str, ...] = (), status: str = "optimal",
                metrics: tuple[tuple[str, float], ...] = ()) -> Result:
    """A :class:`Result` with return, volatility and Sharpe computed from the inputs."""
    w = np.where(np.abs(weights) < 1e-12, 0.0, weights) + 0.0
    vol = float(np.sqrt(max(float(w @ cov @ w), 0.0)))
    ret = None if mu is None else float(mu @ w)
    sharpe = None if ret is None or vol == 0.0 else (ret - risk_free_rate) / vol
    return Result(method=method, names=names, weights=w, volatility=vol, expected_return=ret,
                  sharpe=sharpe, risk_free_rate=risk_free_rate, status=status,
                  constraints=constraints, metrics=metrics,
                  contributions=risk_contributions(w, cov))
