"""The kernel: what a cycle is given rather than what it decides — the clock, the broker and
the environment. The environment is read from the configuration here and nowhere else."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from ballast.config.cycle import CycleConfig, Environment
from ballast.domain import ConfigError
from ballast.engine.reconcile import ReconciliationReport, reconcile_with
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
    close, paper on the wall clock, both through the simulated broker; live needs a real
    broker, passed as ``broker`` (tests pass theirs the same way)."""
    env = config.environment
    if env is Environment.LIVE and broker is None:
        raise ConfigError("the live environment needs a real broker and none is configured",
                          hint="Use environment: paper to trade on the simulated broker.")
    chosen = clock or (SimulatedClock(datetime(1970, 1, 1, tzinfo=UTC))
                       if env is Environment.BACKTEST else WallClock())
    state = config.broker_state

    def simulated(store: Store, session: date) -> tuple[Broker, Clock]:
        return simulated_broker(store, session, state=state)

    def reconcile(store: Store, session: date) -> ReconciliationReport:
        return reconcile_with(store, "simulated", session, broker_state=state)

    return Kernel(env, chosen, broker or simulated, reconcile)


def session_close(session: date) -> datetime:
    """The end of ``session`` in UTC (what a backtest's clock reads during its cycle)."""
    return datetime.combine(session, time(21, 0), UTC)


__all__ = ["BrokerFactory", "Kernel", "Reconciler", "kernel_for", "session_close"]
