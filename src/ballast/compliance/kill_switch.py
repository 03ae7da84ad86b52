"""Kill-switch logic, pure: which switches stop an order, and when the switch should engage by
itself. The state lives in the store; the engine guard (``engine.kill_switch``) reads it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from ballast.compliance.context import pct
from ballast.config.compliance import KillSwitchPolicy

GLOBAL = "global"


def scope_of(account: str | None = None, broker: str | None = None) -> str:
    """The scope key of a switch: ``global``, ``broker:<name>`` or ``account:<id>``."""
    if account is not None and broker is not None:
        raise ValueError("a kill switch is global, per broker or per account, not both")
    if account is not None:
        return f"account:{account}"
    return f"broker:{broker}" if broker is not None else GLOBAL


@dataclass(frozen=True, slots=True)
class KillSwitch:
    """An engaged switch: its scope, who engaged it, when and why."""

    scope: str
    engaged_by: str
    engaged_at: datetime
    reason: str

    def describe(self) -> str:
        """``global kill switch engaged by ops at 2021-03-31 14:02 UTC: <reason>``."""
        return (f"{self.scope} kill switch engaged by {self.engaged_by} at "
                f"{self.engaged_at:%Y-%m-%d %H:%M} UTC: {self.reason}")


def blocking(engaged: Iterable[KillSwitch], account: str | None,
             broker: str | None) -> list[KillSwitch]:
    """The engaged switches that stop an order of ``account`` through ``broker``."""
    stops = {GLOBAL, scope_of(account=account) if account else "",
             scope_of(broker=broker) if broker else ""}
    return [s for s in engaged if s.scope in stops]


@dataclass(frozen=True, slots=True)
class TriggerInputs:
    """What the automatic triggers watch; ``None``: not known (that trigger is not checked).

    ``data_age_minutes``: how old the latest market data is for the session traded;
    ``orders`` / ``rejects``: orders sent and rejected in the window; ``intraday_return``:
    the book's return since the open (−0.03: a 3% loss); ``reconciliation_break``: the largest
    absolute difference, in base currency, between the book and a broker's report."""

    data_age_minutes: float | None = None
    orders: int = 0
    rejects: int = 0
    intraday_return: float | None = None
    reconciliation_break: float | None = None


def auto_triggers(state: TriggerInputs, policy: KillSwitchPolicy) -> list[str]:
    """Every reason the policy has to engage the switch now (empty: none)."""
    out = []
    age, limit = state.data_age_minutes, policy.max_data_age_minutes
    if age is not None and limit is not None and age > limit:
        out.append(f"market data is {age:,.0f} minutes old, above the {limit:g}-minute limit")
    if (policy.max_reject_rate is not None and state.orders >= policy.min_orders_for_reject_rate
            and state.rejects / state.orders > policy.max_reject_rate):
        out.append(f"{state.rejects} of {state.orders} orders rejected "
                   f"({pct(state.rejects / state.orders)}), above the "
                   f"{pct(policy.max_reject_rate)} limit")
    loss = None if state.intraday_return is None else -state.intraday_return
    if loss is not None and policy.max_intraday_loss is not None and (
            loss > policy.max_intraday_loss):
        out.append(f"intraday loss of {pct(loss)}, beyond the "
                   f"{pct(policy.max_intraday_loss)} limit")
    gap, most = state.reconciliation_break, policy.max_reconciliation_break
    if gap is not None and most is not None and gap > most:
        out.append(f"reconciliation break of {gap:,.2f}, above the {most:,.2f} limit")
    return out
