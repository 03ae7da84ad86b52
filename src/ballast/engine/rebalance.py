"""The rebalance use case: from the book and its models to explained, stored proposals."""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from pydantic import ValidationError

from ballast.config import Calendar, RebalancePolicy
from ballast.config.models import (
    ModelSpec,
    check_instruments,
    dump_model,
    load_models,
    parse_models,
    resolve_all,
)
from ballast.data import trading_calendar
from ballast.domain import AccountId, ConfigError, Instrument, InstrumentId, decimal_of, minor_units
from ballast.engine.market import load_market, stale_instruments
from ballast.engine.queries import lots_as_of, snapshot
from ballast.engine.rebalance_input import build_input
from ballast.engine.rebalance_overrides import RunOverrides, apply_overrides
from ballast.engine.tax_input import build_tax_input
from ballast.rebalance import (
    HarvestSettings,
    RebalanceInput,
    SleeveTax,
    TaxedProposals,
    Trigger,
    account_locations,
    harvest,
    locate,
    propose,
    rationale,
    tax_pass,
)
from ballast.rebalance.currency import CurrencyPlan, missing_rates, plan_currency
from ballast.rebalance.proposals import Skip
from ballast.store import AccountProposal, ProposedFx, ProposedTrade, Store, UnitOfWork

_TRIGGER_WORDS = {
    Trigger.SLEEVE_BAND: "a sleeve outside its band",
    Trigger.TOTAL_DRIFT: "total drift over the limit",
    Trigger.CASH_EXCESS: "cash to deploy",
    Trigger.CASH_NEEDED: "cash to raise",
    Trigger.UNASSIGNED: "holdings outside the model",
    Trigger.FORCED: "scheduled rebalance",
    Trigger.HARVEST: "losses to harvest",
}


@dataclass(frozen=True)
class RebalanceResult:
    """A rebalancing run: every account's proposal, every trade and every currency conversion
    (FX leg), with rationale."""

    as_of: date
    snapshot_id: str
    policy_version: str
    accounts: list[AccountProposal]
    trades: list[ProposedTrade]
    run_id: int | None = None
    stale: list[str] = field(default_factory=list)
    fx: list[ProposedFx] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (decimals as exact strings)."""
        def clean(d: dict[str, Any]) -> dict[str, Any]:
            return {k: str(v) if isinstance(v, Decimal) else v for k, v in d.items()}
        return {
            "run_id": self.run_id, "as_of": self.as_of.isoformat(),
            "snapshot_id": self.snapshot_id, "policy_version": self.policy_version,
            "stale_prices": self.stale,
            "accounts": [clean(asdict(a)) for a in self.accounts],
            "trades": [clean(asdict(t)) for t in self.trades],
            "fx": [clean(asdict(x)) for x in self.fx],
        }


def import_models(store: Store, paths: list[Path]) -> list[tuple[str, str, bool]]:
    """Validate model files and store their versions: (name, version, new) per model."""
    specs = load_models(paths)
    with store.transaction() as tx:
        library = {**_library(tx), **specs}
        resolved = resolve_all(library)
        known = set(tx.instruments())
        for name in specs:
            check_instruments(resolved[name], known)
        return [(name, spec.version, tx.add_model_version(name, spec.version, dump_model(spec)))
                for name, spec in specs.items()]


def _library(tx: UnitOfWork) -> dict[str, ModelSpec]:
    return {spec.name: spec for name, text in tx.latest_models().items()
            for spec in parse_models(text, source=f"stored model {name}")}


def policy_version(policy: RebalancePolicy) -> str:
    """Content hash of a policy: recorded with every run, so a decision can be replayed."""
    return hashlib.sha256(policy.model_dump_json().encode()).hexdigest()[:12]


def rebalance(store: Store, *, as_of: date | None = None, account: str | None = None,
              policy: RebalancePolicy | None = None, dry_run: bool = False,
              max_stale_sessions: int = 5,
              overrides: RunOverrides | None = None, workers: int = 1) -> RebalanceResult:
    """Propose trades for every account (or one) as of a date; stored unless ``dry_run``.
    ``overrides`` (from the cycle): drawdown-adjusted targets, accounts forced or held;
    ``workers``: processes a large book's tax pass is split over (by household)."""
    policy = policy or RebalancePolicy()
    snap = snapshot(store, as_of=as_of, account=account, missing_fx_nan=True)
    with store.transaction() as tx:
        library = _library(tx)
        if not library:
            raise ConfigError("the book has no models",
                              hint="Load them with `ballast models import <file.yaml>`.")
        models = resolve_all(library)
        instruments = tx.instruments()
        for model in models.values():
            check_instruments(model, set(instruments))
        accounts = tx.accounts()
        market = load_market(tx, snap.as_of)
        universe = sorted({*snap.instruments,
                           *(i for m in models.values() for s in m.sleeves for i in s.instruments)})
        stale = stale_instruments(market, instruments, universe, max_stale_sessions)
        inp, cur = build_input(snap, list(accounts.values()), instruments, models, market,
                               frozenset(stale))
        inp, notes = _schedule(inp, policy, tx.last_proposals(), snap.as_of)
        derisked: dict[int, str] = {}
        if overrides is not None:
            inp, asked, derisked = apply_overrides(inp, overrides)
            notes.update(asked)
        if policy.asset_location:
            acct = [accounts[AccountId(a)] for a in inp.accounts]
            house = np.unique([a.household_id for a in acct], return_inverse=True)[1]
            inp = locate(inp, house.astype(np.int64), account_locations([a.type for a in acct]),
                         [SleeveTax.of(models[m.name]) for m in inp.models])
        lots = lots_as_of(tx, [accounts[AccountId(a)] for a in inp.accounts], snap.as_of)
        tax = build_tax_input(tx, inp, accounts, instruments, lots, market, snap.as_of,
                              policy.annual_gain_budget)
        harvested = harvest(propose(inp, policy), inp, tax, HarvestSettings(
            policy.harvest_min_loss, policy.harvest_min_loss_pct,
            policy.harvest_max_per_account))
        taxed = tax_pass(harvested, inp, tax, short_term_hard_band=policy.short_term_hard_band,
                         workers=workers)
        plan = plan_currency(taxed.proposals, inp, cur)
        proposals = _account_proposals(taxed, inp, notes, plan, missing_rates(inp, cur))
        proposals = [replace(p, reasons=f"{p.reasons}; targets: {derisked[a]}")
                     if a in derisked else p for a, p in enumerate(proposals)]
        trades = _trades(taxed, inp, instruments, plan)
        fx = _fx_legs(plan, inp)
        version = policy_version(policy)
        run_id = None if dry_run else tx.add_rebalance_run(snap.as_of, snap.id, version,
                                                           proposals, trades, fx)
        if run_id is not None:  # audit journal
            tx.audit_run(run_id, snap.as_of, snap.id, version, proposals, trades)
    return RebalanceResult(snap.as_of, snap.id, version, proposals, trades, run_id, stale, fx)


def _first_session_of_period(as_of: date, calendar: Calendar) -> bool:
    if calendar is Calendar.NONE:
        return False
    cal = trading_calendar("XNYS")
    if not cal.is_session(as_of):
        return False
    before = cal.previous_session(as_of)
    if calendar is Calendar.MONTHLY:
        return (before.year, before.month) != (as_of.year, as_of.month)
    return (before.year, (before.month - 1) // 3) != (as_of.year, (as_of.month - 1) // 3)


def _schedule(inp: RebalanceInput, policy: RebalancePolicy,
              history: dict[str, tuple[date | None, str]], as_of: date
              ) -> tuple[RebalanceInput, dict[int, str]]:
    """Forced (calendar, model change) and held-back (cooldown) accounts for this run, with a
    note saying why for each."""
    scheduled = _first_session_of_period(as_of, policy.calendar)
    forced = np.full(len(inp.accounts), scheduled)
    hold = np.zeros(len(inp.accounts), dtype=bool)
    notes: dict[int, str] = {}
    if scheduled:
        notes.update((a, f"{policy.calendar.value} rebalance") for a in range(len(forced)))
    for a, account_id in enumerate(inp.accounts):
        traded, version = history.get(account_id, (None, ""))
        k = int(inp.model_of[a])
        if (policy.rebalance_on_model_change and k >= 0 and version
                and version != inp.models[k].version):
            forced[a] = True
            notes[a] = f"model {inp.models[k].name} changed ({version} → {inp.models[k].version})"
        if policy.cooldown_days and traded is not None:
            days = (as_of - traded).days
            if days < policy.cooldown_days:
                hold[a] = True
                notes[a] = f"cooldown: last traded {traded} ({days} days ago)"
    return replace(inp, forced=forced, hold=hold), notes


def _account_proposals(taxed: TaxedProposals, inp: RebalanceInput, notes: dict[int, str],
                       plan: CurrencyPlan, missing_fx: tuple[str, ...]) -> list[AccountProposal]:
    props = taxed.proposals
    cash_after = props.cash_after - plan.fx_cost()
    out = []
    for a, account_id in enumerate(inp.accounts):
        k = int(inp.model_of[a])
        model = inp.models[k] if k >= 0 else None
        has_trades = len(props.trades_of(a)) > 0
        if props.skip[a]:
            fx_gap = props.skip[a] == Skip.MISSING_PRICE and bool(missing_fx[a])
            status, reasons = "skipped", missing_fx[a] if fx_gap else props.skip_message[a]
        elif props.triggered[a] and has_trades:
            status = "trade"
            reasons = ", ".join(notes.get(a, "scheduled") if t is Trigger.FORCED else w
                                for t, w in _TRIGGER_WORDS.items() if t in props.trigger_of(a))
            changed = taxed.changes_of(a)
            if changed:
                reasons += "; tax: " + "; ".join(c.reason for c in changed)
            if plan.short[a]:
                reasons += "; cash: " + plan.short[a]
        else:
            status = "no_action"
            if inp.hold[a] and a in notes:
                reasons = notes[a]
            elif props.triggered[a]:
                reasons = "triggered, but no trade passed the size and cost rules"
            else:
                reasons = "within bands"
        out.append(AccountProposal(
            account_id, status, model.name if model else "",
            model.version if model else "", reasons,
            decimal_of(props.total_value[a], "0.01"), decimal_of(props.cash_before[a], "0.01"),
            decimal_of(cash_after[a], "0.01"), decimal_of(_nan0(props.drift_before[a]), "0.000001"),
            decimal_of(_nan0(props.drift_after[a]), "0.000001"),
            decimal_of(taxed.realized_st[a], "0.01"), decimal_of(taxed.realized_lt[a], "0.01")))
    return out


def _qty(x: float) -> str:
    return f"{x:.8f}".rstrip("0").rstrip(".")


def _nan0(x: float) -> float:
    return 0.0 if x != x else float(x)


def _minor(currency: str) -> str:
    return str(Decimal(1).scaleb(-minor_units(currency)))


def _trades(taxed: TaxedProposals, inp: RebalanceInput,
            instruments: dict[InstrumentId, Instrument], plan: CurrencyPlan
            ) -> list[ProposedTrade]:
    props = taxed.proposals
    out = []
    for i in range(props.n_trades):
        t = props.row(i)
        symbol = inp.instruments[t.instrument]
        model = inp.models[int(inp.model_of[t.account])]
        lot = instruments[InstrumentId(symbol)].lot_size
        ccy = plan.currencies[int(plan.trade_currency[i])]
        out.append(ProposedTrade(
            inp.accounts[t.account], symbol, "buy" if t.side > 0 else "sell",
            Decimal(repr(t.quantity)).quantize(lot),
            decimal_of(t.unit_value, "0.0001"), decimal_of(t.value, "0.01"),
            decimal_of(t.cost, "0.01"),
            model.sleeve_names[t.sleeve] if t.sleeve >= 0 else "(not in model)",
            ";".join(f"{lot}:{_qty(q)}" for lot, q in taxed.lots_of(i)),
            decimal_of(taxed.st_gain[i], "0.01"), decimal_of(taxed.lt_gain[i], "0.01"),
            rationale(props, inp, i, taxed), ccy, decimal_of(plan.local_price[i], "0.0001"),
            decimal_of(plan.local_value[i], _minor(ccy))))
    return out


def _fx_legs(plan: CurrencyPlan, inp: RebalanceInput) -> list[ProposedFx]:
    names = plan.currencies
    out = []
    for k in range(plan.n_legs):
        sell, buy = names[int(plan.sell_currency[k])], names[int(plan.buy_currency[k])]
        out.append(ProposedFx(
            inp.accounts[int(plan.leg_account[k])], sell, buy,
            decimal_of(plan.sell_amount[k], _minor(sell)),
            decimal_of(plan.buy_amount[k], _minor(buy)), decimal_of(plan.rate[k], "0.00000001"),
            decimal_of(plan.cost[k], "0.01"), plan.rationale[k]))
    return out


_TRADE_COLUMNS = (
    "account_id", "side", "quantity", "instrument_id", "est_price", "est_value", "est_cost",
    "currency", "est_local_price", "est_local_value", "sleeve", "lots", "est_short_term_gain",
    "est_long_term_gain", "rationale")
_FX_COLUMNS = ("account_id", "sell_currency", "buy_currency", "sell_amount", "buy_amount",
               "rate", "est_cost", "rationale")


def _write_csv(path: Path, columns: tuple[str, ...], rows: list[ProposedTrade] | list[ProposedFx]
               ) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([getattr(row, c) for c in columns])
    return path


def write_proposals(result: RebalanceResult, out_dir: Path) -> tuple[Path, ...]:
    """Write the trades as CSV (one row per trade), the whole run as JSON and, when the run
    converts currencies, the FX legs as a second CSV (``…-fx.csv``, one row per leg)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"rebalance-{result.as_of}" + (f"-run{result.run_id}" if result.run_id else "-dry-run")
    json_path = out_dir / f"{stem}.json"
    paths = [_write_csv(out_dir / f"{stem}.csv", _TRADE_COLUMNS, result.trades), json_path]
    json_path.write_text(json.dumps(result.as_dict(), indent=2), encoding="utf-8")
    if result.fx:
        paths.append(_write_csv(out_dir / f"{stem}-fx.csv", _FX_COLUMNS, result.fx))
    return tuple(paths)


def current_models(store: Store) -> list[tuple[str, str, bool]]:
    """(name, current version, False) of every model in the book."""
    with store.transaction() as tx:
        return [(name, spec.version, False) for name, spec in sorted(_library(tx).items())]


def load_policy(path: Path | None) -> RebalancePolicy:
    """The rebalancing policy from a YAML file, or the defaults."""
    if path is None:
        return RebalancePolicy()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return RebalancePolicy.model_validate(data)
    except (yaml.YAMLError, ValidationError) as exc:
        raise ConfigError(f"{path}: not a valid rebalancing policy: {exc}",
                          hint="See docs/rebalancing.md for the policy fields.") from None
