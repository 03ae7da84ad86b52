"""The kernel: what a cycle is given rather than what it decides — the clock, the broker and
the environment. The environment is read from the configuration here and nowhere else."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from ballast.config.cycle import CycleConfig, Environment
from ballast.domain import ConfigError
from ballast.engine.brokers import fix_broker
from ballast.engine.reconcile import ReconciliationReport, reconcile, reconcile_with
from ballast.engine.simulation import simulated_broker
from ballast.execution import Broker, Clock
from ballast.execution.broker import SimulatedClock, WallClock
from ballast.store import Store

BrokerFactory = Callable[[Store, date], tuple[Broker, Clock]]
Reconciler = Callable[[Store, date], ReconciliationReport]


@dataclass(frozen=True, slots=True)
class Kernel:
    """The injected parts of a cycle. ``clock`` stamps the cycle; ``broker`` gives the broker
    (and the clock it trades on) for a session; ``reconcile`` compares the book with it."""

    environment: Environment
    clock: Clock
    broker: BrokerFactory
    reconcile: Reconciler


def kernel_for(config: CycleConfig, *, clock: Clock | None = None,
               broker: BrokerFactory | None = None) -> Kernel:
    """The kernel of ``config.environment``: backtest on simulated time at each session's
    close, paper and live on the wall clock; the broker of ``config.broker`` — simulated, or
    the FIX session of ``config.fix`` — unless ``broker`` is given (tests pass theirs). Live
    trading is refused on the simulated broker."""
    env = config.environment
    if env is Environment.LIVE and broker is None and config.broker == "simulated":
        raise ConfigError("the live environment needs a real broker and none is configured",
                          hint="Set `broker: fix` and `fix: <settings.yaml>`, or use "
                          "environment: paper to trade on the simulated broker.")
    chosen = clock or (SimulatedClock(datetime(1970, 1, 1, tzinfo=UTC))
                       if env is Environment.BACKTEST else WallClock())
    if broker is None and config.broker == "fix":
        return _fix_kernel(env, chosen, fix_broker(config.fix))
    state = config.broker_state

    def simulated(store: Store, session: date) -> tuple[Broker, Clock]:
        return simulated_broker(store, session, state=state)

    def reconcile_simulated(store: Store, session: date) -> ReconciliationReport:
        return reconcile_with(store, "simulated", session, broker_state=state)

    return Kernel(env, chosen, broker or simulated, reconcile_simulated)


def _fix_kernel(env: Environment, clock: Clock, fix: Broker) -> Kernel:
    """One FIX session for every cycle of the process: orders go out on the wall clock."""

    def session_broker(_: Store, __: date) -> tuple[Broker, Clock]:
        return fix, clock

    def reconcile_fix(store: Store, session: date) -> ReconciliationReport:
        return reconcile(store, fix, as_of=session)

    return Kernel(env, clock, session_broker, reconcile_fix)


def session_close(session: date) -> datetime:
    """The end of ``session`` in UTC (what a backtest's clock reads during its cycle)."""
    return datetime.combine(session, time(21, 0), UTC)


__all__ = ["BrokerFactory", "Kernel", "Reconciler", "kernel_for", "session_close"]
