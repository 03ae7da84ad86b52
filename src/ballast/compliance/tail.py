"""VaR, CVaR and tracking error of every account at once: the formulas of
``ballast.analytics.var`` (historical, gaussian) applied to the rows of a [N, D] matrix of
portfolio returns, and ``analytics.risk.tracking_error`` as a quadratic form of the returns'
covariance (tests check each account against them)."""

from __future__ import annotations

import math

import numpy as np
from scipy.special import ndtri

from ballast.analytics.var import VarMethod
from ballast.compliance.context import EPS, Found, Post, owner, pct, trades_by_key, violation
from ballast.compliance.inputs import FloatArray
from ballast.config.compliance import Action, MaxTrackingError, MaxVar, TailMethod


def tail_losses(port: FloatArray, confidence: float,
                method: TailMethod) -> tuple[FloatArray, FloatArray]:
    """VaR and CVaR [N] of each row of ``port`` (returns [N, D]) as positive loss fractions."""
    d = port.shape[1]
    if VarMethod(method.value) is VarMethod.GAUSSIAN:
        mu, sigma = port.mean(axis=1), port.std(axis=1, ddof=1)
        z = float(ndtri(1.0 - confidence))
        pdf = math.exp(-z * z / 2.0) / math.sqrt(2.0 * math.pi)
        return -(mu + sigma * z), -mu + sigma * pdf / (1.0 - confidence)
    rank = max(math.ceil(round(confidence * d, 9)), 1)
    losses = np.partition(-port, rank - 1, axis=1)  # the rank-th smallest loss, larger after it
    var = losses[:, rank - 1]
    mass = (1.0 - confidence) * d
    cvar = (losses[:, rank:].sum(axis=1) + (mass - (d - rank)) * var) / mass
    return var, np.maximum(cvar, var)


def tracking_errors(active: FloatArray, returns: FloatArray, periods_per_year: int
                    ) -> FloatArray:
    """Annualized tracking error [N] of active weights [N, M] on daily returns [D, M]: the
    std (ddof 1) of each row's active returns, as the quadratic form of their covariance."""
    cov = np.atleast_2d(np.cov(returns, rowvar=False, ddof=1))
    variance = np.maximum(np.einsum("nm,nm->n", active @ cov, active), 0.0)
    return np.asarray(np.sqrt(variance * periods_per_year))


def _no_history(post: Post, rule: MaxVar | MaxTrackingError) -> Found:
    inp = post.inp
    acct = np.flatnonzero(post.in_scope(rule.model, rule.account))
    return Found([violation(rule.id, rule.scope, rule.kind, Action.WARN, inp.accounts[a],
                            "portfolio", np.nan, rule.limit, (),
                            f"{rule.kind} of {inp.accounts[a]} cannot be measured: fewer than "
                            "two days of returns") for a in acct.tolist()])


def _report(post: Post, rule: MaxVar | MaxTrackingError, measured: FloatArray,
            name: str) -> Found:
    inp = post.inp
    acct = np.flatnonzero(post.in_scope(rule.model, rule.account) & (measured > rule.limit + EPS))
    lists = trades_by_key(inp.live_account, acct)
    return Found([violation(rule.id, rule.scope, rule.kind, rule.action, inp.accounts[a],
                            "portfolio", float(measured[a]), rule.limit, trades,
                            f"{name} of {inp.accounts[a]} would be {pct(float(measured[a]))}, "
                            f"above {owner(rule.scope)} {pct(rule.limit)} limit")
                  for a, trades in zip(acct.tolist(), lists, strict=True)])


def max_var(post: Post, rule: MaxVar) -> Found:
    """One-day VaR or CVaR of the post-trade weights at most the limit."""
    if post.inp.returns.shape[0] < 2:
        return _no_history(post, rule)
    var, cvar = tail_losses(post.port_returns, rule.confidence, rule.method)
    measure = "VaR" if rule.kind == "max_var" else "CVaR"
    name = f"one-day {rule.confidence * 100:g}% {rule.method.value} {measure}"
    return _report(post, rule, var if rule.kind == "max_var" else cvar, name)


def max_tracking_error(post: Post, rule: MaxTrackingError) -> Found:
    """Tracking error of the post-trade weights against the model's targets at most the
    limit."""
    inp = post.inp
    if inp.returns.shape[0] < 2:
        return _no_history(post, rule)
    active = post.weight - inp.target_weight
    return _report(post, rule, tracking_errors(active, inp.returns, rule.periods_per_year),
                   "tracking error against the model")
