"""Rebalancing benchmark on real prices: snapshot-like columns → proposals, checked by cvxpy.

The book: the raw closes of 2021-03-31 for the Pooksoft S&P 500 tickers plus six ETFs from
Lean (SPY QQQ IWM EEM USO BNO), read from ../shared/data; 5 models of 8 sleeves (2–4
instruments each, cash target 2 %, minimum 1 %, 5/25 bands); households of 1–4 accounts;
account values log-normal around $250k; holdings drifted from target (about 20 % of accounts
trigger), 4 tax lots per holding, legacy do-not-sell holdings outside the model, deposits,
withdrawals and a few restrictions; whole shares everywhere.

Tax side: accounts are taxable, tax-deferred or tax-exempt (about 40/40/20 %); taxable ones
relieve lots by MIN_TAX, the others FIFO. Lots were acquired over the last ~3 years (from 31
days before AS_OF) at costs that drifted ±, so there are short- and long-term gains and losses.
Instruments are their own wash-sale group except a few pairs in one sleeve (SPY/IVV-like). In
about 5 % of households some holdings were topped up within the last 30 days (a recent lot =
a purchase) and their taxable accounts sold some model instruments at a loss within 30 days.

Timed end to end: from the long lot table (account, instrument, id, quantity, basis, acquired
day per lot), the prices, the cash, the account types and households, the instrument master's
wash-sale groups, the realized-loss table and the long restriction table — what a snapshot
provides — to dense arrays, the ``RebalanceInput``, :func:`ballast.rebalance.propose`, the
``TaxInput`` and :func:`ballast.rebalance.tax_pass` (lot choice, wash-sale guard, short-term
deferral), the households split over ``--workers`` forked processes (default: the machine's
cores); the tax pass's own time is reported too, and the whole run's time with the pass in one
process (``seconds_one_process``, ``speedup_vs_reference_one_process``): the reference solves
one account at a time in one process. Then the cvxpy reference
(tests/rebalance_reference) solves 400 sampled trading accounts (``--sample``).
``objective_gap_*`` is the gap of the FINAL (taxed) trades against the tax-aware reference —
the same problem as the engine + tax pass: per-lot sells with the pass's caps (no loss lots in
a buy window, short-term gain lots only beyond the hard band), no wash-sale-blocked buys, and a
tax cost at the reference's own rates (``reference_tax_rates``, 37 % short / 20 % long on
realized gains, losses 0 — the engine ranks lots with its policy's estimated rates, whose
defaults are the same) ÷ the account's value, with the engine's cost taken on the lots it
relieved. Alongside: ``objective_gap_tax_rules_only_*`` (the same caps, rates 0),
``objective_gap_drift_only_*`` (the final trades against the pure-drift problem, no lots),
``objective_gap_before_tax_*`` (the core's trades against the pure-drift problem) and the gap
split by taxable / not taxable. The hard constraints (with lot reliefs and no wash sale) are
checked on the final trades of those, of half as many sampled non-trading accounts and of as many
trading accounts of households with recent wash-sale activity. Prints one JSON line.
Targets (issue 3): 100,000 accounts in ≤ 60 s and ≤ 6 GB; ≥ 100× the reference's speed per
account; objective gap ≤ 1 % median and ≤ 5 % p95; zero constraint violations.

    python benchmarks/rebalance.py [--accounts N] [--sample N] [--seed N] [--data DIR]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from ballast.config.rebalance import RebalancePolicy
from ballast.domain import LotMethod
from ballast.rebalance import (
    Location,
    ModelTargets,
    RebalanceInput,
    SleeveTax,
    TaxedProposals,
    TaxInput,
    locate,
    propose,
    tax_pass,
)

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
AS_OF = "2021-03-31"
ETFS = ("spy", "qqq", "iwm", "eem", "uso", "bno")
SLEEVES = 8
WASH_DAYS = 30
TAXABLE, DEFERRED, EXEMPT = 0, 1, 2

F = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Days = npt.NDArray[np.datetime64]


def load_prices(data: Path) -> tuple[tuple[str, ...], F]:
    """Raw closes on AS_OF: Pooksoft tickers (close column) and Lean ETFs (deci-cents)."""
    pook = data / "pooksoft_sp500_daily_adjusted"
    lean = data / "lean_equity_fx" / "equity_usa_daily"
    if not pook.is_dir() or not lean.is_dir():
        sys.exit(f"benchmark data absent: need {pook} and {lean} (see ../shared/data/MANIFEST.md)")
    names: list[str] = []
    prices: list[float] = []
    for path in sorted(pook.glob("[!_]*.csv")):
        with path.open() as fh:
            for row in csv.DictReader(fh):
                if row["timestamp"] == AS_OF:
                    names.append(path.stem)
                    prices.append(float(row["close"]))
                    break
    key = AS_OF.replace("-", "") + " 00:00"
    for etf in ETFS:
        with (lean / f"{etf}.csv").open() as fh:
            for line in fh:
                if line.startswith(key):
                    names.append(etf.upper())
                    prices.append(int(line.split(",")[4]) / 10_000)
                    break
    if len(names) < 60:
        sys.exit(f"benchmark data incomplete: only {len(names)} prices on {AS_OF}")
    return tuple(names), np.array(prices)


@dataclass
class Snapshot:
    """Snapshot-like columns (long format), as the store would hand them over."""

    accounts: tuple[str, ...]
    household: Ints
    instruments: tuple[str, ...]
    price: F
    lot_account: npt.NDArray[np.int32]
    lot_instrument: npt.NDArray[np.int32]
    lot_quantity: F
    cash: F
    cash_needed: F
    model_of: Ints
    restrict_account: npt.NDArray[np.int32]
    restrict_instrument: npt.NDArray[np.int32]
    restrict_kind: npt.NDArray[np.int8]  # 1 do-not-buy, 2 do-not-sell
    models: tuple[ModelTargets, ...]
    account_type: npt.NDArray[np.int8]  # TAXABLE, DEFERRED, EXEMPT
    group_of: Ints  # instrument master: wash-sale group per instrument
    lot_id: tuple[str, ...]
    lot_basis: F  # total cost basis of the lot
    lot_acquired: Days
    loss_account: npt.NDArray[np.int32]  # realized losses (taxable accounts), last weeks
    loss_instrument: npt.NDArray[np.int32]
    loss_date: Days
    loss_quantity: F


def build_models(rng: np.random.Generator, m: int) -> tuple[ModelTargets, ...]:
    models = []
    for k in range(5):
        sizes = rng.integers(2, 5, SLEEVES)
        cols = rng.choice(m, int(sizes.sum()), replace=False)
        member = np.full(m, -1, dtype=np.int64)
        pref = np.full(m, -1, dtype=np.int64)
        member[cols] = np.repeat(np.arange(SLEEVES), sizes)
        pref[cols] = np.concatenate([np.arange(s) for s in sizes])
        target = rng.dirichlet(np.full(SLEEVES, 5.0)) * 0.98
        models.append(ModelTargets(
            name=f"model{k}", version="1", cash_target=0.02, cash_minimum=0.01,
            sleeve_names=tuple(f"sleeve{s}" for s in range(SLEEVES)), target=target,
            tolerance=np.minimum(0.05, 0.25 * target), member=member, preference=pref))
    return tuple(models)


def build_snapshot(n: int, names: tuple[str, ...], price: F, seed: int) -> Snapshot:
    rng = np.random.default_rng(seed)
    m = len(names)
    models = build_models(rng, m)
    sizes = rng.integers(1, 5, n)  # households of 1–4 accounts
    household = np.repeat(np.arange(sizes.size), sizes)[:n]
    model_of = rng.integers(0, len(models), n)
    total = np.clip(rng.lognormal(np.log(250_000), 0.9, n), 20_000, 20_000_000)
    # Target weight per (model, instrument): the sleeve's target split over its instruments.
    w_model = np.zeros((len(models), m))
    for k, md in enumerate(models):
        cols = np.flatnonzero(md.member >= 0)
        split = np.zeros(m)
        for s in range(SLEEVES):
            c = cols[md.member[cols] == s]
            split[c] = rng.dirichlet(np.full(c.size, 3.0))
        w_model[k, cols] = md.target[md.member[cols]] * split[cols]
    # Drift: a common sleeve-level shock plus instrument noise.
    sleeve_shock = rng.lognormal(0, 0.085, (n, SLEEVES))
    w = w_model[model_of] * rng.lognormal(0, 0.03, (n, m))
    member_of = np.stack([md.member for md in models])[model_of]
    w *= np.where(member_of >= 0, np.take_along_axis(sleeve_shock, np.maximum(member_of, 0),
                                                     axis=1), 1.0)
    w /= w.sum(axis=1, keepdims=True) / 0.98
    # Legacy do-not-sell holdings outside the model (30 % of accounts), rare sellable strays.
    outside = member_of < 0
    legacy = outside & (rng.random((n, m)) < 0.3 / 90)
    stray = outside & ~legacy & (rng.random((n, m)) < 0.002 / 90)
    w = np.where(legacy | stray, rng.uniform(0.005, 0.03, (n, m)), w)
    qty = np.floor(w * total[:, None] / price)
    cash = total * np.where(rng.random(n) < 0.04, rng.uniform(0.08, 0.15, n),
                            rng.uniform(0.015, 0.03, n))
    cash_needed = np.where(rng.random(n) < 0.02, rng.uniform(0.03, 0.10, n) * total, 0.0)
    # Four lots per holding (the snapshot is by lot), acquired over ~3 years up to 31 days
    # ago at a unit cost that drifted from today's price (gains and losses, short and long).
    acct, inst = np.nonzero(qty > 0)
    q = qty[acct, inst]
    parts = rng.dirichlet(np.ones(4), acct.size)
    lots = np.floor(parts * q[:, None])
    lots[:, 0] += q - lots.sum(axis=1)
    as_of = np.datetime64(AS_OF, "D")
    age = rng.integers(WASH_DAYS + 1, 3 * 365, lots.shape)
    years = age / 365.0
    unit_cost = price[inst][:, None] * np.exp(-rng.normal(0.10 * years, 0.22 * np.sqrt(years)))
    # Recent activity in ~5 % of households: some holdings of their first account topped up
    # within the last 30 days (lot 3 is new), and loss sales within 30 days in their taxable
    # accounts of instruments of their model.
    n_house = int(household.max()) + 1
    active = rng.random(n_house) < 0.05
    first = np.searchsorted(household, np.arange(n_house))
    first_active = np.zeros(n, dtype=bool)
    first_active[first[active]] = True
    topped = first_active[acct] & (rng.random(acct.size) < 0.3)
    age[topped, 3] = rng.integers(0, WASH_DAYS, int(topped.sum()))
    unit_cost[topped, 3] = price[inst[topped]] * rng.uniform(0.97, 1.03, int(topped.sum()))
    lots[topped, 3] = np.maximum(lots[topped, 3], 1.0)
    kind = rng.choice(3, n, p=[0.4, 0.4, 0.2]).astype(np.int8)
    sold = (active[household] & (kind == TAXABLE))[:, None] & (member_of >= 0) & (
        rng.random((n, m)) < 0.12)
    loss_a, loss_i = np.nonzero(sold)
    keep = lots.ravel() > 0
    lot_account = np.repeat(acct, 4).astype(np.int32)[keep]
    lot_quantity = lots.ravel()[keep]
    # Wash-sale groups: each instrument its own, except a few pairs of one sleeve of a model
    # (first and second choice; mostly in sleeves with a third instrument to switch to).
    group_of = np.arange(m, dtype=np.int64)
    paired: set[int] = set()
    for md in models:
        for s in range(SLEEVES):
            mem = np.flatnonzero(md.member == s)
            mem = mem[np.argsort(md.preference[mem])]
            if mem.size >= 2 and not paired & {int(mem[0]), int(mem[1])} and (
                    mem.size >= 3 or len(paired) == 0):
                group_of[mem[1]] = group_of[mem[0]]
                paired |= {int(mem[0]), int(mem[1])}
                break
    # Restrictions: legacy holdings are do-not-sell; 1 % of model instruments do-not-buy; 0.5 %
    # of model holdings do-not-sell.
    nb_a, nb_i = np.nonzero((member_of >= 0) & (rng.random((n, m)) < 0.01))
    ns_a, ns_i = np.nonzero(legacy | ((member_of >= 0) & (qty > 0) & (rng.random((n, m)) < 0.005)))
    return Snapshot(
        accounts=tuple(f"acct{i:06d}" for i in range(n)), household=household.astype(np.int64),
        instruments=names, price=price,
        lot_account=lot_account,
        lot_instrument=np.repeat(inst, 4).astype(np.int32)[keep], lot_quantity=lot_quantity,
        cash=cash, cash_needed=cash_needed, model_of=model_of.astype(np.int64),
        restrict_account=np.r_[nb_a, ns_a].astype(np.int32),
        restrict_instrument=np.r_[nb_i, ns_i].astype(np.int32),
        restrict_kind=np.r_[np.full(nb_a.size, 1), np.full(ns_a.size, 2)].astype(np.int8),
        models=models, account_type=kind, group_of=group_of,
        lot_id=tuple(f"L{k:x}" for k in range(lot_quantity.size)),
        lot_basis=(unit_cost.ravel()[keep] * lot_quantity),
        lot_acquired=as_of - age.ravel()[keep].astype("timedelta64[D]"),
        loss_account=loss_a.astype(np.int32), loss_instrument=loss_i.astype(np.int32),
        loss_date=as_of - rng.integers(0, WASH_DAYS + 1, loss_a.size).astype("timedelta64[D]"),
        loss_quantity=rng.integers(5, 200, loss_a.size).astype(np.float64))


def to_input(snap: Snapshot) -> RebalanceInput:
    """Long columns → the rebalancer's dense arrays (the timed 'snapshot to input' step)."""
    n, m = len(snap.accounts), len(snap.instruments)
    flat = snap.lot_account.astype(np.int64) * m + snap.lot_instrument
    quantity = np.bincount(flat, weights=snap.lot_quantity, minlength=n * m).reshape(n, m)
    unit_value = np.broadcast_to(snap.price, (n, m))
    no_buy = np.zeros((n, m), dtype=bool)
    no_sell = np.zeros((n, m), dtype=bool)
    kind = snap.restrict_kind
    no_buy[snap.restrict_account[kind == 1], snap.restrict_instrument[kind == 1]] = True
    no_sell[snap.restrict_account[kind == 2], snap.restrict_instrument[kind == 2]] = True
    extra = {"hold": np.zeros(n, dtype=bool)} if "hold" in RebalanceInput.__dataclass_fields__ \
        else {}
    return RebalanceInput(
        accounts=snap.accounts, instruments=snap.instruments, model_of=snap.model_of,
        models=snap.models, quantity=quantity, unit_value=unit_value, cash=snap.cash,
        cash_needed=snap.cash_needed, lot_size=np.ones(m), no_buy=no_buy, no_sell=no_sell,
        forced=np.zeros(n, dtype=bool), **extra)


def to_tax_input(snap: Snapshot) -> TaxInput:
    """Long columns → the tax pass's columns (timed): recent purchases are the lots acquired in
    the last 30 days, recent loss sales the realized-loss rows, both by household."""
    as_of = np.datetime64(AS_OF, "D")
    taxable = snap.account_type == TAXABLE
    method = tuple(LotMethod.MIN_TAX if t else LotMethod.FIFO for t in taxable.tolist())
    lot_account = snap.lot_account.astype(np.int64)
    lot_instrument = snap.lot_instrument.astype(np.int64)
    recent = snap.lot_acquired >= as_of - np.timedelta64(WASH_DAYS, "D")
    return TaxInput(
        as_of=as_of.astype(object), taxable=taxable, lot_method=method,
        household=snap.household, group_of=snap.group_of, lot_account=lot_account,
        lot_instrument=lot_instrument, lot_id=snap.lot_id, lot_quantity=snap.lot_quantity,
        lot_basis=snap.lot_basis, lot_acquired=snap.lot_acquired,
        lot_holding_start=snap.lot_acquired,
        loss_household=snap.household[snap.loss_account],
        loss_instrument=snap.loss_instrument.astype(np.int64), loss_date=snap.loss_date,
        loss_quantity=snap.loss_quantity,
        buy_household=snap.household[lot_account[recent]],
        buy_instrument=lot_instrument[recent], buy_date=snap.lot_acquired[recent],
        buy_quantity=snap.lot_quantity[recent])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=400,
                        help="trading accounts solved by the reference (p95 needs a few hundred)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="processes the tax pass splits the households over (default: "
                             "the machine's cores)")
    args = parser.parse_args()
    names, price = load_prices(args.data)
    snap = build_snapshot(args.accounts, names, price, args.seed)
    policy = RebalancePolicy()

    start = time.perf_counter()
    inp = to_input(snap)
    proposals = propose(inp, policy)
    t_core = time.perf_counter()
    tax = to_tax_input(snap)
    t_tax = time.perf_counter()
    taxed = tax_pass(proposals, inp, tax, short_term_hard_band=policy.short_term_hard_band,
                     workers=args.workers)
    end = time.perf_counter()
    seconds = end - start
    peak_engine = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    final = taxed.proposals
    t_one = time.perf_counter()  # the same pass in one process, for comparison
    tax_pass(proposals, inp, tax, short_term_hard_band=policy.short_term_hard_band)
    seconds_one = seconds - (end - t_tax) + (time.perf_counter() - t_one)

    located_seconds, located = time_with_location(snap, inp, tax, policy)

    sys.path.insert(0, str(ROOT / "tests"))
    from rebalance_reference.reference_cvxpy import (  # cvxpy after the timing
        RATES,
        TaxRates,
        check_constraints,
        objective_gap,
        trades_account,
    )

    rng = np.random.default_rng(args.seed + 1)
    trading = np.array([a for a in np.flatnonzero(final.triggered)
                        if trades_account(inp, final, int(a))], dtype=np.int64)
    quiet = np.flatnonzero(~final.triggered & (final.skip == 0))
    sample = rng.choice(trading, min(args.sample, trading.size), replace=False)
    others = rng.choice(quiet, min(args.sample // 2, quiet.size), replace=False)
    active = np.zeros(int(snap.household.max()) + 1, dtype=bool)
    active[tax.loss_household] = True
    active[tax.buy_household] = True
    washy = trading[active[snap.household[trading]]]
    washy = rng.choice(washy, min(args.sample, washy.size), replace=False)
    gaps, gaps_start, gaps_drift, gaps_rules, gaps_pre, ref_seconds = [], [], [], [], [], []
    outside_caps = 0
    for a in sample:
        t0 = time.perf_counter()
        g = objective_gap(inp, final, int(a), policy, tax=tax, taxed=taxed)
        ref_seconds.append(time.perf_counter() - t0)
        gaps.append(g.gap)
        gaps_start.append(g.gap_vs_start)
        outside_caps += not g.engine_within_caps
        gaps_rules.append(objective_gap(inp, final, int(a), policy, tax=tax, taxed=taxed,
                                        rates=TaxRates(short=0.0, long=0.0)).gap)
        gaps_drift.append(objective_gap(inp, final, int(a), policy).gap)
        gaps_pre.append(objective_gap(inp, proposals, int(a), policy).gap)
    taxable_sample = tax.taxable[sample] if sample.size else np.zeros(0, dtype=bool)
    violations: dict[str, int] = {}
    checked = np.unique(np.r_[sample, others, washy])
    for a in checked:
        for v in check_constraints(inp, final, int(a), policy, taxed=taxed, tax=tax):
            violations[v] = violations.get(v, 0) + 1
    ref_per_account = float(np.mean(ref_seconds)) if ref_seconds else float("nan")
    n = args.accounts
    triggered = int(final.triggered.sum())
    print(json.dumps({
        "accounts": n,
        "households": int(snap.household.max()) + 1,
        "instruments": len(names),
        "lots": int(snap.lot_quantity.size),
        "taxable_accounts": int(tax.taxable.sum()),
        "households_with_recent_wash_activity": int(active.sum()),
        "triggered": triggered,
        "trades_before_tax": proposals.n_trades,
        "trades": final.n_trades,
        "seconds": round(seconds, 3),
        "seconds_core": round(t_core - start, 3),
        "seconds_tax_input": round(t_tax - t_core, 3),
        "seconds_tax_pass": round(end - t_tax, 3),
        "workers": args.workers,
        "seconds_one_process": round(seconds_one, 3),
        "accounts_per_second": round(n / seconds),
        "seconds_with_asset_location": round(located_seconds, 3),
        "accounts_located": located,
        "peak_rss_mb": round(peak_engine, 1),
        "peak_rss_mb_with_reference": round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "tax_changes": _change_counts(taxed),
        "est_realized_st_gain": round(float(taxed.realized_st.sum())),
        "est_realized_lt_gain": round(float(taxed.realized_lt.sum())),
        "reference_accounts": len(sample),
        "reference_seconds_per_account": round(ref_per_account, 4),
        "speedup_vs_reference": round(ref_per_account / (seconds / n), 1),
        "speedup_vs_reference_per_triggered": round(ref_per_account / (seconds / triggered), 1),
        "speedup_vs_reference_one_process": round(ref_per_account / (seconds_one / n), 1),
        "reference_tax_rates": {"short": RATES.short, "long": RATES.long},
        "objective_gap_median": _q(gaps, 50),
        "objective_gap_p95": _q(gaps, 95),
        "objective_gap_max": _q(gaps, 100),
        "objective_gap_vs_start_median": _q(gaps_start, 50),
        "objective_gap_vs_start_p95": _q(gaps_start, 95),
        "objective_gap_taxable_median": _q(np.asarray(gaps)[taxable_sample], 50),
        "objective_gap_taxable_p95": _q(np.asarray(gaps)[taxable_sample], 95),
        "objective_gap_not_taxable_p95": _q(np.asarray(gaps)[~taxable_sample], 95),
        "objective_gap_tax_rules_only_median": _q(gaps_rules, 50),
        "objective_gap_tax_rules_only_p95": _q(gaps_rules, 95),
        "objective_gap_drift_only_median": _q(gaps_drift, 50),
        "objective_gap_drift_only_p95": _q(gaps_drift, 95),
        "objective_gap_before_tax_median": _q(gaps_pre, 50),
        "objective_gap_before_tax_p95": _q(gaps_pre, 95),
        "engine_lots_outside_reference_caps": outside_caps,
        "constraint_checked_accounts": int(checked.size),
        "constraint_violations": sum(violations.values()),
        "constraint_violations_by_kind": violations,
        "targets": {"seconds": 60, "peak_rss_mb": 6144, "speedup_vs_reference": 100,
                    "objective_gap_median": 0.01, "objective_gap_p95": 0.05,
                    "constraint_violations": 0},
    }))


def time_with_location(snap: Snapshot, inp: RebalanceInput, tax: TaxInput,
                       policy: RebalancePolicy) -> tuple[float, int]:
    """The same run with household asset location on (every third sleeve tax-inefficient):
    seconds for locate + propose + tax pass, and how many accounts got their own targets."""
    start = time.perf_counter()
    where = np.select([snap.account_type == TAXABLE, snap.account_type == DEFERRED],
                      [Location.TAXABLE, Location.TAX_DEFERRED], Location.TAX_EXEMPT)
    sleeves = [SleeveTax(low=np.arange(SLEEVES) % 3 == 0, band_absolute=np.full(SLEEVES, 0.05),
                         band_relative=np.full(SLEEVES, 0.25)) for _ in inp.models]
    located = locate(inp, snap.household, where.astype(np.int64), sleeves)
    tax_pass(propose(located, policy), located, tax,
             short_term_hard_band=policy.short_term_hard_band)
    return time.perf_counter() - start, len(located.models) - len(inp.models)


def _q(values: object, pct: float) -> float | None:
    """A percentile to 3 significant digits (None for no values)."""
    arr = np.asarray(values, dtype=np.float64)
    return float(f"{np.percentile(arr, pct):.3g}") if arr.size else None


def _change_counts(taxed: TaxedProposals) -> dict[str, int]:
    """How many trades the tax pass switched, reduced or dropped."""
    out: dict[str, int] = {}
    for c in taxed.changes:
        out[str(c.kind)] = out.get(str(c.kind), 0) + 1
    return out


if __name__ == "__main__":
    main()
