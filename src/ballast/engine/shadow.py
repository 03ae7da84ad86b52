"""Shadow books (docs/shadow.md): beside the live book, a paper book that starts as a copy of
it at the close of a session and from then on is run by the same daily cycle on the same
market data — on a simulated broker of its own, with its own rebalancing policy and rules —
so the firm can compare what the live book did with what the shadow would have done.

A shadow is a book of its own (a separate database, ``store:`` in its configuration): its
cycles, runs, orders, fills and audit journal never mix with the live book's. Before each of
its cycles the live book's market data (instruments, prices, FX, corporate actions), reference
data (households, accounts, models, rule sets) and the clients' external flows (deposits,
withdrawals, fees, interest, transfers) are mirrored into it; the live book's trades are not
— the shadow makes its own. Its cycles are recorded with environment ``shadow``, and each is
also journaled in the live book (``shadow.started``, ``shadow.cycle``, subject
``shadow:<name>``)."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import make_url

from ballast.audit.journal import Draft
from ballast.config.cycle import CycleConfig, Environment, ShadowConfig
from ballast.data import trading_calendar
from ballast.domain import BallastError, ConfigError, DataError
from ballast.domain import TransactionKind as Kind
from ballast.engine.booking import book_new
from ballast.engine.check import rule_sets
from ballast.engine.cycle import CycleRecord, CycleReport, run_cycle
from ballast.engine.kernel import Kernel, kernel_for
from ballast.engine.workspace import open_store
from ballast.execution import Clock
from ballast.store import Store, UnitOfWork

log = logging.getLogger(__name__)

SETTING = "shadow"  # the shadow's own store keeps what it is in this setting (JSON)
# The live book's transactions a shadow receives: what the clients and the custodian did to
# the accounts, not what the live book decided to trade.
MIRRORED = frozenset({Kind.DEPOSIT, Kind.WITHDRAWAL, Kind.FEE, Kind.INTEREST,
                      Kind.TRANSFER_IN, Kind.TRANSFER_OUT})


@dataclass(frozen=True, slots=True)
class ShadowInfo:
    """What a shadow store is: its name, the session at whose close it copied the live book,
    when, and the live transactions it could not mirror (refused by its ledger)."""

    name: str
    start: date
    started_at: datetime
    refused: tuple[str, ...] = ()

    def to_json(self) -> str:
        return json.dumps({"name": self.name, "start": self.start.isoformat(),
                           "started_at": self.started_at.isoformat(),
                           "refused": list(self.refused)}, sort_keys=True)

    @staticmethod
    def from_json(text: str) -> ShadowInfo:
        data = json.loads(text)
        return ShadowInfo(data["name"], date.fromisoformat(data["start"]),
                          datetime.fromisoformat(data["started_at"]),
                          tuple(data.get("refused", ())))


@dataclass(frozen=True, slots=True)
class ShadowCycle:
    """One shadow cycle run after a live one (``report``), or why none could run
    (``error``); ``mirrored``: live transactions copied in before it."""

    name: str
    session: date
    report: CycleReport | None
    mirrored: int = 0
    error: str = ""

    @property
    def status(self) -> str:
        return self.report.status if self.report is not None else "failed"


@dataclass(frozen=True, slots=True)
class ShadowStatus:
    """A configured shadow as it stands: started when (None: not yet), its newest cycle."""

    config: ShadowConfig
    info: ShadowInfo | None
    newest: CycleRecord | None


def shadow_status(config: CycleConfig) -> list[ShadowStatus]:
    """Every configured shadow, whether started, and its newest cycle."""
    out = []
    for shadow in config.shadows:
        store = open_store(shadow.store)
        try:
            with store.transaction() as tx:
                newest = next(iter(tx.cycles(1)), None)
            out.append(ShadowStatus(shadow, shadow_info(store), newest))
        finally:
            store.close()
    return out


def shadow_info(store: Store) -> ShadowInfo | None:
    """The shadow a store holds, or None (not a shadow, or not started yet)."""
    with store.transaction() as tx:
        text = tx.setting(SETTING)
    return None if text is None else ShadowInfo.from_json(text)


def shadow_cycle_config(config: CycleConfig, shadow: ShadowConfig) -> CycleConfig:
    """The cycle configuration of ``shadow``: the live one with the shadow's policy and rules,
    on the simulated broker (never the live broker), without inbox, statements or alerts —
    its market data comes from the live book and its results are compared, not sent."""
    return config.model_copy(update={
        "environment": Environment.PAPER, "broker": "simulated", "fix": None,
        "broker_state": shadow.broker_state, "inbox": None,
        "rules": config.rules if shadow.rules is None else shadow.rules,
        "rebalance": shadow.rebalance or config.rebalance,
        "reports": None, "alerts_webhook": None, "shadows": ()})


def shadow_kernel(config: CycleConfig, shadow: ShadowConfig, clock: Clock | None = None
                  ) -> Kernel:
    """The kernel of ``shadow``'s cycles: environment ``shadow``, its own simulated broker
    (kept in its ``broker_state`` file when set), ``clock`` (the live kernel's) when given."""
    paper = kernel_for(shadow_cycle_config(config, shadow), clock=clock)
    return replace(paper, environment=Environment.SHADOW)


def start_shadow(live: Store, config: CycleConfig, name: str, start: date, *,
                 now: datetime | None = None) -> ShadowInfo:
    """Create shadow ``name``'s book as a copy of the live book at the close of ``start``: the
    reference and market data, every transaction up to ``start`` (so the same lots, cash and
    realized gains) and every corporate action. Refused when its store already holds a
    book."""
    shadow = config.shadow(name)
    calendar = trading_calendar(config.schedule.calendar)
    if not calendar.is_session(start):
        raise ConfigError(f"{start} is not a trading day on {config.schedule.calendar}",
                          hint="Start a shadow at the close of a session, e.g. "
                          f"{calendar.session_on_or_before(start)}.")
    now = now or datetime.now(UTC)
    store = _own_store(live, shadow)
    try:
        with store.transaction() as stx:
            if stx.setting(SETTING) is not None or stx.accounts():
                raise ConfigError(f"shadow {name}: its store already holds a book",
                                  hint="A shadow starts once; to start it again, delete its "
                                  "database or point `store:` at a new one.")
        with live.transaction() as tx:
            if not tx.accounts():
                raise DataError("the live book has no accounts to shadow",
                                hint="Import the book first (`ballast import`).")
            txns = tx.transactions(until=start)
            versions = sorted(tx.model_versions(), key=lambda v: v.loaded_at)
            with store.transaction() as stx:
                _copy_reference(tx, stx)
                for v in versions:
                    stx.add_model_version(v.name, v.version, v.text)
                stx.add_prices(tx.price_bars())
                stx.add_fx_rates(tx.fx_rates())
                stx.add_corporate_actions(tx.corporate_actions())
                _, errors = book_new(stx, f"copy of the live book at {start}",
                                     {id(t): n for n, t in enumerate(txns, 1)},
                                     transactions=txns)
                if errors:
                    raise DataError(f"shadow {name}: the live book's history does not book "
                                    f"again: {errors[0].reason}",
                                    hint="Check the live book (`ballast audit verify`, "
                                    "`ballast reconcile`) before starting a shadow.")
                info = ShadowInfo(name, start, now)
                stx.put_setting(SETTING, info.to_json())
                stx.append_audit([Draft(
                    "shadow.started", (f"shadow:{name}",),
                    f"shadow {name} started as a copy of the live book at the close of {start}",
                    {"start": start.isoformat(), "transactions": len(txns)})], now)
        with live.transaction() as tx:
            tx.append_audit([Draft(
                "shadow.started", (f"shadow:{name}",),
                f"shadow {name} started as a copy of this book at the close of {start}"
                + (f": {shadow.description}" if shadow.description else ""),
                {"start": start.isoformat(), "transactions": len(txns),
                 "policy": (shadow.rebalance or config.rebalance).model_dump(mode="json")},
                policy_version=shadow_cycle_config(config, shadow).version())], now)
    finally:
        store.close()
    return info


def _copy_reference(tx: UnitOfWork, stx: UnitOfWork) -> None:
    """Instruments, households, accounts and the latest rule sets, inserted or updated."""
    stx.add_instruments(tx.instruments().values())
    stx.add_households(tx.households())
    stx.add_accounts(tx.accounts().values())
    stored = tx.latest_rule_sets()
    for text, found in zip(stored.values(), rule_sets(stored, ()), strict=True):
        stx.add_rule_set_version(found.name, found.version, text)


def mirror(live: Store, store: Store, info: ShadowInfo, session: date) -> int:
    """Bring the live book's data up to ``session`` into the shadow's ``store``: reference
    data, models, prices, FX, corporate actions, and the external flows dated after the
    shadow's start. Returns how many transactions were mirrored; a flow the shadow's ledger
    refuses (say, a withdrawal larger than its cash) is journaled and skipped from then on."""
    with store.transaction() as stx:
        last_price, known = stx.last_price_date(), {a.id for a in stx.corporate_actions()}
        last_fx = max((r.date for r in stx.fx_rates()), default=None)
        models = stx.latest_models()
    with live.transaction() as tx, store.transaction() as stx:
        _copy_reference(tx, stx)
        for name, text in tx.latest_models().items():
            if models.get(name) != text:
                version = tx.model_versions(name)[0].version
                stx.add_model_version(name, version, text)
        stx.add_prices(tx.price_bars(start=last_price, end=session))
        stx.add_fx_rates(tx.fx_rates(start=last_fx, end=session))
        actions = [a for a in tx.corporate_actions() if a.id not in known]
        if actions:
            book_new(stx, "the live book's corporate actions",
                     {id(a): n for n, a in enumerate(actions, 1)}, actions=actions)
        flows = [t for t in tx.transactions(since=info.start + timedelta(days=1),
                                            until=session)
                 if t.kind in MIRRORED and t.id not in info.refused]
        have = stx.transaction_ids(t.id for t in flows)
        new = [t for t in flows if t.id not in have]
        if not new:
            return 0
        written, errors = book_new(stx, "the live book's external flows",
                                   {id(t): n for n, t in enumerate(new, 1)}, transactions=new)
        if errors:
            refused = [new[e.row - 1] for e in errors]
            stx.put_setting(SETTING, replace(
                info, refused=(*info.refused, *(t.id for t in refused))).to_json())
            stx.append_audit([Draft("shadow.mirror_refused", (f"shadow:{info.name}",
                                                              f"account:{t.account_id}"),
                                    f"the live book's {t.kind.value} {t.id} of {t.account_id} "
                                    f"on {t.trade_date} does not book in the shadow: "
                                    f"{e.reason}", {"transaction": t.id})
                              for t, e in zip(refused, errors, strict=True)])
        return written


def run_shadow(live: Store, config: CycleConfig, name: str, until: date, *,
               clock: Clock | None = None) -> list[ShadowCycle]:
    """Run shadow ``name``'s cycles for every session after its last completed one (after
    its start) up to ``until``, in order, each after mirroring the live book up to it; stops
    at a cycle that fails or stops (the next call resumes it)."""
    shadow = config.shadow(name)
    store = _own_store(live, shadow)
    try:
        info = shadow_info(store)
        if info is None:
            raise ConfigError(f"shadow {name} has not been started",
                              hint=f"Run `ballast shadow start --name {name} --from DATE`.")
        cfg, kernel = shadow_cycle_config(config, shadow), shadow_kernel(config, shadow, clock)
        out: list[ShadowCycle] = []
        for session in _sessions(store, config, info.start, until):
            mirrored = mirror(live, store, info, session)
            info = shadow_info(store) or info
            report = run_cycle(store, cfg, session, kernel=kernel)
            out.append(ShadowCycle(name, session, report, mirrored))
            if report.new:
                _journal_cycle(live, shadow, cfg, out[-1], kernel.clock.now())
            if report.status != "completed":
                break
        return out
    finally:
        store.close()


def _sessions(store: Store, config: CycleConfig, start: date, until: date) -> list[date]:
    """The sessions a shadow still has to run: from its newest cycle (again when that did not
    complete) or the session after its start, through ``until``."""
    calendar = trading_calendar(config.schedule.calendar)
    with store.transaction() as tx:
        latest = next(iter(tx.cycles(1)), None)
    if latest is None:
        first = calendar.next_session(start)
    elif latest.status == "completed":
        first = calendar.next_session(latest.as_of)
    else:
        first = latest.as_of
    out = []
    while first <= until:
        out.append(first)
        first = calendar.next_session(first)
    return out


def _journal_cycle(live: Store, shadow: ShadowConfig, cfg: CycleConfig, done: ShadowCycle,
                   at: datetime) -> None:
    """The shadow's cycle in the live book's journal: what it proposed and traded."""
    assert done.report is not None
    c = done.report.cycle
    stages = {s.stage: s for s in c.stages}
    said = "; ".join(f"{s}: {stages[s].summary}" for s in ("propose", "execute")
                     if s in stages)
    with live.transaction() as tx:
        tx.append_audit([Draft(
            "shadow.cycle", (f"shadow:{shadow.name}",),
            f"shadow {shadow.name}: cycle of {c.as_of} {c.status}" + (f" — {said}" if said
                                                                       else ""),
            {"session": c.as_of.isoformat(), "status": c.status, "shadow_cycle": c.id,
             "mirrored": done.mirrored,
             "orders": stages["execute"].outcome.get("orders", 0) if "execute" in stages
             else 0},
            policy_version=cfg.version())], at)


def run_shadows(live: Store, config: CycleConfig, session: date, *,
                clock: Clock | None = None) -> list[ShadowCycle]:
    """Every configured shadow's cycles up to ``session`` (after the live cycle of it). A
    shadow not started yet starts as a copy of the live book at the close of the session
    before. A shadow's failure is reported, never raised: it does not touch the live book."""
    out: list[ShadowCycle] = []
    calendar = trading_calendar(config.schedule.calendar)
    for shadow in config.shadows:
        try:
            store = open_store(shadow.store)
            try:
                started = shadow_info(store) is not None
            finally:
                store.close()
            if not started:
                start_shadow(live, config, shadow.name, calendar.previous_session(session),
                             now=clock.now() if clock else None)
            ran = run_shadow(live, config, shadow.name, session, clock=clock)
            found = None if ran else _cycle_of(shadow, session)
            out.extend(ran or ([ShadowCycle(shadow.name, session, found)] if found else []))
        except BallastError as exc:
            hint = f" — {exc.hint}" if getattr(exc, "hint", "") else ""
            out.append(ShadowCycle(shadow.name, session, None, error=f"{exc}{hint}"))
        except Exception as exc:  # a shadow's bug must not stop the scheduler
            log.exception("shadow %s of %s failed", shadow.name, session)
            out.append(ShadowCycle(shadow.name, session, None,
                                   error=f"unexpected error {type(exc).__name__}: {exc}"))
    return out


def _own_store(live: Store, shadow: ShadowConfig) -> Store:
    """The shadow's store, opened (and migrated); never the live book's own."""
    store = open_store(shadow.store)
    if _where(store.url) == _where(live.url):
        store.close()
        raise ConfigError(f"shadow {shadow.name}: its store is the live book's own",
                          hint="Give the shadow a database of its own in `store:`.")
    return store


def _where(url: str) -> str:
    """A database URL with a SQLite file's path made absolute (to compare two URLs)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return str(Path(parsed.database or "").resolve())
    return parsed.render_as_string(hide_password=False)


def after_cycle(live: Store, config: CycleConfig, report: CycleReport, kernel: Kernel
                ) -> list[ShadowCycle]:
    """The configured shadows' cycles after live cycle ``report``, on its kernel's clock —
    unless the live cycle did not get past validation (the day's market data is not in the
    book, so no shadow can run on it)."""
    validated = any(s.stage == "validate" and s.status == "done" for s in report.cycle.stages)
    if not config.shadows or not validated:
        return []
    return run_shadows(live, config, report.cycle.as_of, clock=kernel.clock)


def _cycle_of(shadow: ShadowConfig, session: date) -> CycleReport | None:
    store = open_store(shadow.store)
    try:
        with store.transaction() as tx:
            found = tx.cycle_on(session, Environment.SHADOW.value)
    finally:
        store.close()
    return None if found is None else CycleReport(found, new=False)


__all__ = [
    "MIRRORED",
    "ShadowCycle",
    "ShadowInfo",
    "after_cycle",
    "mirror",
    "run_shadow",
    "run_shadows",
    "shadow_cycle_config",
    "shadow_info",
    "shadow_kernel",
    "start_shadow",
]
