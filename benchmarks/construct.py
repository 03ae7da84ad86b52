"""Construction benchmark: ballast's optimizers against PyPortfolioOpt, skfolio and Riskfolio-Lib.

Each method runs on 20 assets (skfolio's S&P 500 sample), 100 assets (Pooksoft S&P 500 adjusted
closes) and 400 assets (returns from a seeded 5-factor model), over the last 1,000 daily returns.
Every side gets the same μ (mean × 252), Σ (sample covariance × 252) or scenarios and solves the
same problem; the time is the best of a few repeats after a warm-up run (fewer for a solve
that has taken 6 s in all) and includes building the problem (each
library's constructor and solve; skfolio's fit with a prior that hands over the same μ and Σ).
Prints one JSON line: per method and size, ballast's seconds, the fastest peer's name and
seconds, ``ratio_vs_fastest_peer`` and the largest weight difference against that peer; and
``worst_ratio_vs_fastest_peer`` over all.

    python benchmarks/construct.py [--repeats N]
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import riskfolio as rf
from pypfopt import BlackLittermanModel, EfficientCVaR, EfficientFrontier, HRPOpt
from pypfopt.black_litterman import market_implied_prior_returns
from skfolio import RiskMeasure
from skfolio.optimization import MeanRisk, ObjectiveFunction, RiskBudgeting
from skfolio.prior import BasePrior, ReturnDistribution

import ballast.construct as bc

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
DAYS, RF, DELTA = 1000, 0.02, 2.5
BUDGET_SECONDS = 6.0
Weights = Callable[[], np.ndarray]


class FixedPrior(BasePrior):  # type: ignore[misc]
    """A skfolio prior that hands over given moments (so skfolio solves the same problem)."""

    def __init__(self, mu: np.ndarray | None = None, cov: np.ndarray | None = None) -> None:
        self.mu = mu
        self.cov = cov

    def fit(self, X: Any, y: None = None, **fit_params: Any) -> FixedPrior:
        self.return_distribution_ = ReturnDistribution(
            mu=self.mu, covariance=self.cov, returns=np.asarray(X))
        return self


def real_returns(n: int) -> pd.DataFrame:
    """Daily returns of ``n`` real stocks over the last DAYS days they all cover."""
    if n == 20:
        prices = pd.read_csv(DATA / "pkg_bundled" / "skfolio" / "sp500_dataset.csv.gz",
                             index_col=0, parse_dates=True)
    else:
        folder = DATA / "pooksoft_sp500_daily_adjusted"
        series = {}
        for path in sorted(folder.glob("[A-Z]*.csv")):
            frame = pd.read_csv(path, index_col="timestamp", parse_dates=True)
            if len(frame) > DAYS + 1:
                series[path.stem] = frame["adjusted_close"]
            if len(series) == n:
                break
        prices = pd.DataFrame(series).sort_index()
    return prices.iloc[-DAYS - 1:].pct_change().dropna()


def synthetic_returns(n: int, seed: int = 42) -> pd.DataFrame:
    """DAYS daily returns of ``n`` assets from a 5-factor model."""
    rng = np.random.default_rng(seed)
    betas = rng.normal(1.0, 0.4, size=(n, 5)) * np.array([1.0, 0.5, 0.5, 0.3, 0.3])
    factors = rng.normal(0.0003, 0.008, size=(DAYS, 5))
    noise = rng.normal(0.0, 0.015, size=(DAYS, n)) * rng.uniform(0.5, 1.5, size=n)
    returns = factors @ betas.T + rng.uniform(-0.0002, 0.0008, size=n) + noise
    return pd.DataFrame(returns, columns=[f"A{i:03d}" for i in range(n)])


def best_of(fn: Weights, repeats: int) -> tuple[float, np.ndarray]:
    """Best time of ``repeats`` runs (fewer once 6 s have been spent) and the weights, after
    one untimed warm-up run unless that run took over a second (then it counts)."""
    start = time.perf_counter()
    out = np.asarray(fn(), dtype=np.float64)
    spent = time.perf_counter() - start
    fastest = spent if spent > 1.0 else np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        out = np.asarray(fn(), dtype=np.float64)
        took = time.perf_counter() - start
        fastest, spent = min(fastest, took), spent + took
        if spent > BUDGET_SECONDS:
            break
    return fastest, out


def riskfolio_port(x: pd.DataFrame, mu: pd.Series, cov: pd.DataFrame) -> Any:
    port = rf.Portfolio(returns=x)
    port.mu, port.cov = mu.to_frame().T, cov
    port.solvers = ["CLARABEL"]
    return port


def problems(x: pd.DataFrame) -> dict[str, tuple[Weights, dict[str, Weights]]]:
    """Per method: ballast's solve and each peer's solve of the same problem."""
    xa = x.to_numpy()
    mu_a, cov_a = xa.mean(axis=0) * 252, np.cov(xa, rowvar=False) * 252
    mu, cov = pd.Series(mu_a, index=x.columns), pd.DataFrame(cov_a, x.columns, x.columns)
    floor = bc.min_variance(cov_a, mu=mu_a).expected_return or 0.0
    target = floor + 0.5 * (mu_a.max() - floor)
    caps = np.linspace(1.0, 3.0, len(mu_a))
    views = {name: float(mu_a[i]) for i, name in enumerate(x.columns[:3])}
    picks = np.eye(len(mu_a))[:3]

    def sk(**kw: Any) -> Weights:
        return lambda: MeanRisk(prior_estimator=FixedPrior(mu_a / 252, cov_a / 252),
                                **kw).fit(x).weights_

    def rfo(obj: str, rm: str = "MV", lowerret: float | None = None) -> Weights:
        def run() -> np.ndarray:
            port = riskfolio_port(x, mu, cov)
            if lowerret is not None:
                port.lowerret = lowerret
            return port.optimization(model="Classic", rm=rm, obj=obj, rf=RF,
                                     hist=True).to_numpy().ravel()
        return run

    def pf_ef(method: str, *args: float) -> Weights:
        def run() -> np.ndarray:
            ef = EfficientFrontier(mu, cov)
            getattr(ef, method)(*args)
            return ef.weights
        return run

    def pf_bl() -> np.ndarray:
        prior = market_implied_prior_returns(pd.Series(caps, x.columns), DELTA, cov)
        model = BlackLittermanModel(cov, pi=prior, absolute_views=views)
        ef = EfficientFrontier(model.bl_returns(), model.bl_cov())
        ef.max_sharpe(RF)
        return ef.weights

    def our_bl() -> np.ndarray:
        post = bc.black_litterman(cov_a, bc.market_implied_prior(caps, cov_a, DELTA), picks,
                                  list(views.values()))
        return bc.max_sharpe(post.mean, post.cov, risk_free_rate=RF).weights

    def rf_rp() -> np.ndarray:
        port = riskfolio_port(x, mu, cov)
        return port.rp_optimization(model="Classic", rm="MV", hist=True).to_numpy().ravel()

    def pf_cvar() -> np.ndarray:
        ef = EfficientCVaR(mu, x)
        ef.min_cvar()
        return ef.weights

    def pf_hrp() -> np.ndarray:
        return pd.Series(HRPOpt(cov_matrix=cov).optimize()).reindex(x.columns).to_numpy()

    return {
        "min_variance": (lambda: bc.min_variance(cov_a).weights, {
            "pypfopt": pf_ef("min_volatility"), "skfolio": sk(),
            "riskfolio": rfo("MinRisk")}),
        "max_sharpe": (lambda: bc.max_sharpe(mu_a, cov_a, risk_free_rate=RF).weights, {
            "pypfopt": pf_ef("max_sharpe", RF),
            "skfolio": lambda: MeanRisk(objective_function=ObjectiveFunction.MAXIMIZE_RATIO,
                                        risk_free_rate=RF / 252,
                                        prior_estimator=FixedPrior(mu_a / 252, cov_a / 252)
                                        ).fit(x).weights_,
            "riskfolio": rfo("Sharpe")}),
        "efficient_return": (lambda: bc.efficient_return(mu_a, cov_a, target).weights, {
            "pypfopt": pf_ef("efficient_return", target),
            "skfolio": sk(min_return=target / 252),
            "riskfolio": rfo("MinRisk", lowerret=target)}),
        "mean_cvar": (lambda: bc.mean_cvar(xa).weights, {
            "pypfopt": pf_cvar, "skfolio": sk(risk_measure=RiskMeasure.CVAR),
            "riskfolio": rfo("MinRisk", rm="CVaR")}),
        "risk_parity": (lambda: bc.risk_parity(cov_a).weights, {
            "skfolio": lambda: RiskBudgeting(prior_estimator=FixedPrior(mu_a / 252, cov_a / 252)
                                             ).fit(x).weights_,
            "riskfolio": rf_rp}),
        "hrp": (lambda: bc.hrp(cov_a).weights, {"pypfopt": pf_hrp}),
        "black_litterman_max_sharpe": (our_bl, {"pypfopt": pf_bl}),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    out: dict[str, Any] = {"benchmark": "construct", "repeats": args.repeats, "days": DAYS,
                           "methods": {}}
    worst = 0.0
    for n, x in ((20, real_returns(20)), (100, real_returns(100)),
                 (400, synthetic_returns(400))):
        for method, (ours, peers) in problems(x).items():
            seconds, w = best_of(ours, args.repeats)
            row: dict[str, Any] = {"ballast_seconds": round(seconds, 5),
                                   "data": "synthetic" if n == 400 else "real", "peers": {}}
            for name, peer in peers.items():
                try:
                    t, pw = best_of(peer, args.repeats)
                except Exception as exc:  # a peer failing is reported, not fatal
                    row["peers"][name] = {"error": f"{type(exc).__name__}: {exc}"[:160]}
                    continue
                row["peers"][name] = {"seconds": round(t, 5),
                                      "max_weight_diff": float(np.abs(pw - w).max())}
            timed = {k: v for k, v in row["peers"].items() if "seconds" in v}
            if timed:
                name = min(timed, key=lambda k: timed[k]["seconds"])
                ratio = seconds / timed[name]["seconds"]
                row.update(fastest_peer=name, fastest_peer_seconds=timed[name]["seconds"],
                           ratio_vs_fastest_peer=round(ratio, 4),
                           max_weight_diff_vs_fastest_peer=timed[name]["max_weight_diff"])
                worst = max(worst, ratio)
            out["methods"].setdefault(method, {})[str(n)] = row
    out["worst_ratio_vs_fastest_peer"] = round(worst, 4)
    print(json.dumps(out, separators=(",", ":")))


if __name__ == "__main__":
    main()
