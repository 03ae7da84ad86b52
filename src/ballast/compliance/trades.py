"""Rules on the trades and the account: restricted lists, liquidity, wash sales,
suitability."""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from ballast.compliance.context import (
    EPS,
    Found,
    Post,
    floor_lot,
    group_codes,
    owner,
    pct,
    violation,
)
from ballast.compliance.results import Violation
from ballast.config.compliance import Action, Liquidity, Restricted, Suitability, WashSale


def restricted(post: Post, rule: Restricted) -> Found:
    """Buying a restricted instrument breaks the rule (a fix drops the buy); holding one after
    the trades is a warning."""
    inp = post.inp
    listed = np.isin(np.asarray(inp.instruments), sorted(rule.restricted_on(inp.as_of)))
    mask = np.broadcast_to(listed, inp.restricted.shape)
    if rule.account_lists:
        mask = mask | inp.restricted
    mask = mask & post.in_scope(rule.model, rule.account)[:, None]
    buys = (inp.trade_side > 0) & inp.live & mask[inp.trade_account, inp.trade_instrument]
    out = []
    for t in np.flatnonzero(buys).tolist():
        a, j = int(inp.trade_account[t]), int(inp.trade_instrument[t])
        whose = owner(rule.scope) if listed[j] else f"{inp.accounts[a]}'s own"
        out.append(violation(
            rule.id, rule.scope, rule.kind, rule.action, inp.accounts[a], inp.instruments[j],
            float(inp.trade_value[t]), 0.0, (t,),
            f"{inp.accounts[a]} would buy {inp.trade_quantity[t]:g} {inp.instruments[j]}, "
            f"which is on {whose} restricted list"))
    bought = np.zeros(mask.shape, dtype=bool)
    bought[inp.trade_account[buys], inp.trade_instrument[buys]] = True
    held = mask & (post.quantity > EPS) & ~bought
    for a, j in zip(*(x.tolist() for x in np.nonzero(held)), strict=True):
        out.append(violation(
            rule.id, rule.scope, rule.kind, Action.WARN, inp.accounts[a], inp.instruments[j],
            float(post.weight[a, j]), 0.0, (),
            f"{inp.accounts[a]} holds {inp.instruments[j]} ({pct(float(post.weight[a, j]))} of "
            f"its value), which is on "
            f"{owner(rule.scope) if listed[j] else 'its own'} restricted list; no buy proposed"))
    return Found(out, np.where(buys, 0.0, np.inf))


def liquidity(post: Post, rule: Liquidity) -> Found:
    """Each order at most ``max_adv_fraction`` of ADV (a fix cuts it to that), each buy of an
    instrument with ADV at least ``min_adv`` (a fix drops it); unknown ADV is a warning."""
    inp = post.inp
    adv = inp.adv[inp.trade_instrument]
    scoped = post.in_scope(rule.model, rule.account)[inp.trade_account] & (inp.trade_quantity > 0)
    cap = np.full(len(adv), np.inf)
    out = []
    for t in np.flatnonzero(scoped & np.isnan(adv)).tolist():
        out.append(_trade_violation(post, rule, t, Action.WARN, np.nan, "ADV unknown",
                                    "its average daily volume is unknown, so the liquidity "
                                    "limit cannot be checked"))
    if rule.max_adv_fraction is not None:
        with np.errstate(invalid="ignore"):
            share = inp.trade_quantity / adv
            big = scoped & (share > rule.max_adv_fraction + EPS)
        for t in np.flatnonzero(big).tolist():
            out.append(_trade_violation(
                post, rule, t, rule.action, float(share[t]), rule.max_adv_fraction,
                f"that is {share[t] * 100:.1f}% of its average daily volume, above "
                f"{owner(rule.scope)} {rule.max_adv_fraction * 100:g}% limit"))
        lot = inp.lot_size[inp.trade_instrument]
        cap = np.where(big, floor_lot(rule.max_adv_fraction * adv, lot), cap)
    if rule.min_adv is not None:
        with np.errstate(invalid="ignore"):
            thin = scoped & (inp.trade_side > 0) & (adv < rule.min_adv)
        for t in np.flatnonzero(thin).tolist():
            out.append(_trade_violation(
                post, rule, t, rule.action, float(adv[t]), rule.min_adv,
                f"its average daily volume of {adv[t]:,.0f} shares is below "
                f"{owner(rule.scope)} minimum of {rule.min_adv:,.0f}"))
        cap = np.where(thin, 0.0, cap)
    return Found(out, cap)


def _trade_violation(post: Post, rule: Liquidity | WashSale, t: int, action: Action,
                     measured: float, limit: float | str, why: str) -> Violation:
    inp = post.inp
    a, j = int(inp.trade_account[t]), int(inp.trade_instrument[t])
    side = "buy" if inp.trade_side[t] > 0 else "sell"
    return violation(rule.id, rule.scope, rule.kind, action, inp.accounts[a], inp.instruments[j],
                     measured, limit if isinstance(limit, float) else np.nan, (t,),
                     f"{inp.accounts[a]} would {side} {inp.trade_quantity[t]:g} "
                     f"{inp.instruments[j]}: {why}")


def wash_sale(post: Post, rule: WashSale) -> Found:
    """No buy of a wash-sale group its household sold at a loss within the window or sells at
    a loss in this batch; a fix drops the buy."""
    inp = post.inp
    since = np.datetime64(inp.as_of - timedelta(days=rule.window_days), "D")
    recent = inp.loss_date >= since
    m, k = len(inp.wash_group), len(inp.loss_group)
    names, codes = group_codes([*inp.wash_group, *inp.loss_group, *inp.batch_loss_group])
    inst_group = codes[:m]
    g = len(names)
    house = inp.household[inp.trade_account]
    tkey = house * g + inst_group[inp.trade_instrument]
    old_keys = inp.loss_household[recent] * g + codes[m:m + k][recent]
    batch_keys = np.r_[tkey[inp.loss_sale], inp.batch_loss_household * g + codes[m + k:]]
    scoped = post.in_scope(rule.model, rule.account)[inp.trade_account]
    hit = (scoped & (inp.trade_side > 0) & (inp.trade_quantity > 0)
           & np.isin(tkey, np.union1d(old_keys, batch_keys)))
    in_batch = np.isin(tkey, batch_keys)
    out = []
    for t in np.flatnonzero(hit).tolist():
        group = names[int(inst_group[inp.trade_instrument[t]])]
        when = "in this batch" if in_batch[t] else f"in the last {rule.window_days} days"
        out.append(_trade_violation(
            post, rule, t, rule.action, 1.0, 0.0,
            f"the household sold {group} at a loss {when} (wash sale, {owner(rule.scope)} "
            "rule)"))
    return Found(out, np.where(hit, 0.0, np.inf))


def suitability(post: Post, rule: Suitability) -> Found:
    """The model's risk level at most the account's risk score; unknown: a warning."""
    inp = post.inp
    level, score = inp.model_risk_level, inp.risk_score
    scoped = post.in_scope(rule.model, rule.account)
    unknown = scoped & (np.isnan(level) | np.isnan(score))
    with np.errstate(invalid="ignore"):
        above = scoped & (level > score)
    out = []
    for a in np.flatnonzero(above | unknown).tolist():
        acct, model = inp.accounts[a], inp.models[a]
        if unknown[a]:
            missing = " and ".join(w for w, v in (("the risk level of model " + model, level[a]),
                                                  ("the risk score of " + acct, score[a]))
                                   if np.isnan(v))
            out.append(violation(rule.id, rule.scope, rule.kind, Action.WARN, acct, model,
                                 np.nan, np.nan, (), f"suitability unknown: {missing} "
                                 "is not set"))
        else:
            out.append(violation(
                rule.id, rule.scope, rule.kind, rule.action, acct, model, float(level[a]),
                float(score[a]), (), f"model {model} has risk level {level[a]:g}, above the "
                f"risk score {score[a]:g} of {acct}: the model is not suitable for the account"))
    return Found(out)

