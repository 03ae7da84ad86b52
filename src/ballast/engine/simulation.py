"""The simulated broker wired to the store: the day's closes as its market, XNYS sessions and
regular hours (9:30–16:00 New York) as its trading hours, a simulated clock from the open."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from ballast.data import trading_calendar
from ballast.engine.brokers import check_broker, fix_broker
from ballast.engine.execute import ExecutionRefused, ExecutionReport, execute
from ballast.execution import SimulatedBroker, SimulatedClock, SimulationConfig
from ballast.execution.broker import WallClock
from ballast.store import Store

NEW_YORK = ZoneInfo("America/New_York")
OPEN, CLOSE = time(9, 30), time(16, 0)


def simulated_broker(store: Store, as_of: date, config: SimulationConfig | None = None,
                     state: Path | None = None) -> tuple[SimulatedBroker, SimulatedClock]:
    """A simulated broker trading at the closes on or before ``as_of`` during XNYS hours, and
    its clock, set to the open of the session on or before ``as_of``; with ``state`` its books
    are kept in that file (see ``SimulatedBroker``)."""
    calendar = trading_calendar("XNYS")
    with store.transaction() as tx:
        closes: dict[str, Decimal] = {str(b.instrument_id): b.close for b in tx.closes_as_of(as_of)}
        currencies = {str(i): x.currency for i, x in tx.instruments().items()}

    def is_open(at: datetime) -> bool:
        local = at.astimezone(NEW_YORK)
        return calendar.is_session(local.date()) and OPEN <= local.time() < CLOSE

    session = calendar.session_on_or_before(as_of)
    clock = SimulatedClock(datetime.combine(session, OPEN, NEW_YORK))
    broker = SimulatedBroker(closes.get, clock, config, is_open=is_open,
                             currencies=currencies, state=state)
    return broker, clock


def execute_run(store: Store, run_id: int | None = None, broker: str = "simulated",
                config: SimulationConfig | None = None, state: Path | None = None,
                fix_config: Path | None = None) -> ExecutionReport:
    """Execute a stored run (the latest by default) as of its date through the named broker:
    the simulated broker (keeping its books in ``state`` when given) or the FIX session of
    ``fix_config``."""
    check_broker(broker)
    with store.transaction() as tx:
        runs = {r.id: r for r in tx.rebalance_runs()}
    if not runs:
        raise ExecutionRefused("there is no rebalance run to execute",
                               hint="Run `ballast rebalance`, then `ballast check`.")
    run = runs.get(run_id if run_id is not None else max(runs))
    if run is None:
        raise ExecutionRefused(f"there is no rebalance run {run_id}")
    if broker == "fix":
        return execute(store, run.id, fix_broker(fix_config), as_of=run.as_of,
                       clock=WallClock())
    sim, clock = simulated_broker(store, run.as_of, config, state)
    return execute(store, run.id, sim, as_of=run.as_of, clock=clock)
