"""Run ``execute`` through the FIX adapter and kill this process with SIGKILL at one point of
the batch (the FIX crash tests start it as a child; the broker is their loopback acceptor).

Usage: python fix_crash_child.py DB_URL STORE_DIR PORT RUN POINT N, with POINT one of

- ``submit``: before the N-th order is sent (all of them are persisted as submitted);
- ``sent``: right after the adapter sent the N-th order, before its report is stored;
- ``fills``: when the adapter's fill report first holds N fills, before they are stored;
- ``none``: not killed (the restart).
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from ballast.engine.execute import execute
from ballast.engine.execute_plan import ExecutionSettings
from ballast.engine.workspace import open_store
from ballast.execution import BrokerReport, Fill, Order
from ballast.execution.fix import FixBroker, FixSettings

AS_OF = date(2021, 1, 5)
FAST = ExecutionSettings(poll_seconds=0.05, max_wait_seconds=30)


def die() -> None:
    """Stop at once, as a power cut would: no logout, no flush, no commit."""
    os.kill(os.getpid(), signal.SIGKILL)


class KillingBroker:
    """The FIX adapter, killing its client's process at a point of the batch (a test fault
    injector on the broker contract)."""

    def __init__(self, broker: FixBroker, point: str, n: int) -> None:
        self.broker, self.point, self.n, self.sends = broker, point, n, 0
        self.name, self.capabilities = broker.name, broker.capabilities

    def connect(self) -> None:
        self.broker.connect()

    def disconnect(self) -> None:
        self.broker.disconnect()

    def submit(self, order: Order) -> BrokerReport:
        self.sends += 1
        if self.point == "submit" and self.sends == self.n:
            die()
        report = self.broker.submit(order)
        if self.point == "sent" and self.sends == self.n:
            die()
        return report

    def cancel(self, client_order_id: str) -> BrokerReport:
        return self.broker.cancel(client_order_id)

    def replace(self, client_order_id: str, *, quantity: Decimal | None = None,
                limit_price: Decimal | None = None) -> BrokerReport:
        return self.broker.replace(client_order_id, quantity=quantity,
                                   limit_price=limit_price)

    def order_status(self, client_order_id: str) -> BrokerReport | None:
        return self.broker.order_status(client_order_id)

    def fills(self, since: datetime | None = None) -> list[Fill]:
        found = self.broker.fills(since)
        if self.point == "fills" and len(found) >= self.n:
            die()
        return found

    def positions(self) -> dict[str, Decimal]:
        return self.broker.positions()

    def cash(self) -> dict[str, Decimal]:
        return self.broker.cash()


def main(argv: Sequence[str]) -> None:
    url, store_dir, port, run, point, n = argv
    store = open_store(url, create=False)
    settings = FixSettings(port=int(port), sender_comp_id="BALLAST", target_comp_id="BROKER",
                           store_dir=Path(store_dir), reconnect_seconds=1)
    report = execute(store, int(run), KillingBroker(FixBroker(settings), point, int(n)),
                     as_of=AS_OF, settings=FAST)
    sys.stdout.write(f"finished without being killed: {report.states}\n")


if __name__ == "__main__":
    main(sys.argv[1:])
