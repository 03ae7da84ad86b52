"""Run ``execute`` and kill this process with SIGKILL at one point of the batch (the crash
tests start it as a child).

Usage: python crash_child.py DB_URL STATE_FILE RUN POINT N, with POINT one of

- ``planned``: after the blocks and orders are stored as new, before they are marked submitted;
- ``submit``: before the N-th order is sent (all of them are persisted as submitted);
- ``sent``: right after the broker took the N-th order, before its report is stored;
- ``fills``: when the broker's fill report first holds N fills, before they are stored;
- ``booking``: inside the booking transaction, after the ledger wrote it, before the commit.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from ballast.engine import execute as execute_module
from ballast.engine.simulation import simulated_broker
from ballast.engine.workspace import open_store
from ballast.execution import BrokerReport, Fill, Order, SimulatedBroker, SimulationConfig
from ballast.store import UnitOfWork

AS_OF = date(2021, 1, 5)
CONFIG = SimulationConfig(fill_slices=3)


def die() -> None:
    """Stop at once, as a power cut would: no cleanup, no flush, no commit."""
    os.kill(os.getpid(), signal.SIGKILL)


class KillingBroker(SimulatedBroker):
    """The simulated broker, killing its client's process at a point of the batch."""

    def __init__(self, broker: SimulatedBroker, point: str, n: int) -> None:
        self.__dict__.update(broker.__dict__)
        self.point, self.n, self.sends = point, n, 0

    def submit(self, order: Order) -> BrokerReport:
        self.sends += 1
        if self.point == "submit" and self.sends == self.n:
            die()
        report = super().submit(order)
        if self.point == "sent" and self.sends == self.n:
            die()
        return report

    def fills(self, since: datetime | None = None) -> list[Fill]:
        found = super().fills(since)
        if self.point == "fills" and len(found) >= self.n:
            die()
        return found


def main(argv: Sequence[str]) -> None:
    url, state, run, point, n = argv
    store = open_store(url, create=False)
    if point == "planned":
        def die_before_sending(*_: object) -> int:
            die()
            return 0

        execute_module._send = die_before_sending  # type: ignore[assignment]
    if point == "booking":
        book = execute_module.book_by_account

        def book_then_die(tx: UnitOfWork, source: str, txns: Sequence[object]) -> object:
            book(tx, source, txns)  # type: ignore[arg-type]
            die()  # inside the transaction: nothing of the booking is committed

        execute_module.book_by_account = book_then_die  # type: ignore[assignment]
    sim, clock = simulated_broker(store, AS_OF, CONFIG, state=Path(state))
    execute_module.execute(store, int(run), KillingBroker(sim, point, int(n)), as_of=AS_OF,
                           clock=clock)
    sys.stdout.write("finished without being killed\n")


if __name__ == "__main__":
    main(sys.argv[1:])
