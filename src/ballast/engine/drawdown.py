"""Drawdown targets: each account's sleeve targets after the drawdown ladders of the rule
sets, for the rebalancing cycle (see docs/compliance.md, "Drawdown control").

A ladder with ``model`` is measured on the model's value series (its sleeve targets on the
first instrument of each sleeve, rebalanced daily); a firm or account ladder on the account's
own holdings as of the date, held through the window (flows do not move it). The most specific
ladder applies: the account's, else its model's, else the firm's."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from ballast.compliance.drawdown import AdjustedTargets, DrawdownDay, adjust, ladder
from ballast.compliance.inputs import FloatArray
from ballast.config.compliance import DrawdownRule, RuleSet
from ballast.config.models import ResolvedModel, resolve
from ballast.data.calendar import DayArray, to_date
from ballast.domain import DataError
from ballast.engine.history import load_history
from ballast.engine.weights import book_holdings, stored_models
from ballast.store import Store

SESSIONS = 252  # the window the running peak is taken over


@dataclass(frozen=True, slots=True)
class AccountDrawdown:
    """An account's ladder on the date: the rule, what was measured, the day's state and the
    sleeve targets (and cash target) the rebalancer should use."""

    account: str
    rule_id: str
    measured_on: str
    state: DrawdownDay
    adjusted: AdjustedTargets


def drawdown_targets(store: Store, sets: Iterable[RuleSet], as_of: date | None = None,
                     sessions: int = SESSIONS) -> list[AccountDrawdown]:
    """Adjusted sleeve targets of every account with a model that a ladder covers."""
    rules = [r for s in sets for r in s.drawdown]
    with store.transaction() as tx:
        day = as_of or tx.last_price_date()
        if day is None:
            raise DataError("no prices in the book", hint="Import prices first.")
        library = stored_models(tx)
        accounts = [a for a in tx.accounts().values() if a.model in library]
    start = day - timedelta(days=sessions * 7 // 5 + 10)
    by_model: dict[str, DrawdownDay] = {}
    out: list[AccountDrawdown] = []
    for account in accounts:
        rule = _applying(rules, str(account.id), account.model)
        if rule is None:
            continue
        model = resolve(account.model, library)
        if rule.model is None:
            state = _account_path(store, str(account.id), start, day, rule)
            basis = f"account {account.id}"
        else:
            if account.model not in by_model:
                by_model[account.model] = _model_path(store, model, start, day, rule)
            state, basis = by_model[account.model], f"model {account.model}"
        targets = {s.name: s.target for s in model.sleeves}
        out.append(AccountDrawdown(str(account.id), rule.id, basis, state,
                                   adjust(targets, model.cash_target, rule, state)))
    return out


def _applying(rules: list[DrawdownRule], account: str, model: str) -> DrawdownRule | None:
    for match in (lambda r: r.account == account, lambda r: r.model == model,
                  lambda r: r.model is None and r.account is None):
        found = [r for r in rules if match(r)]
        if found:
            return found[0]
    return None


def _model_path(store: Store, model: ResolvedModel, start: date, day: date,
                rule: DrawdownRule) -> DrawdownDay:
    ids = [s.instruments[0] for s in model.sleeves]
    with store.transaction() as tx:
        hist = load_history(tx, ids, day, start)
    with np.errstate(divide="ignore", invalid="ignore"):
        rets = np.nan_to_num(hist.prices[1:] / hist.prices[:-1] - 1.0)
    weights = np.array([s.target for s in model.sleeves])
    values = np.r_[1.0, np.cumprod(1.0 + rets @ weights)]
    return _last(hist.dates, values, rule)


def _account_path(store: Store, account: str, start: date, day: date,
                  rule: DrawdownRule) -> DrawdownDay:
    held = book_holdings(store, account=account, as_of=day)
    with store.transaction() as tx:
        hist = load_history(tx, held.instruments, day, start)
    filled = _ffill(hist.prices)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.nan_to_num(filled / filled[-1], nan=1.0)
    values = rel @ held.weights + (1.0 - held.weights.sum())
    return _last(hist.dates, values, rule)


def _ffill(prices: FloatArray) -> FloatArray:
    """Each missing close as the one before it (the first ones as the first known)."""
    out = prices.copy()
    for j in range(out.shape[1]):
        col = out[:, j]
        known = np.flatnonzero(~np.isnan(col))
        if len(known):
            col[:] = col[known[np.clip(np.searchsorted(known, np.arange(len(col)),
                                                       side="right") - 1, 0, None)]]
    return out


def _last(dates: DayArray, values: FloatArray, rule: DrawdownRule) -> DrawdownDay:
    if not len(dates):
        raise DataError("no price history for the drawdown ladder",
                        hint="Import closes for the window before the date.")
    return ladder([to_date(d) for d in dates], values, rule)[-1]
