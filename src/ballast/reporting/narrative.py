"""What the automation did and why, in plain language, from the audit journal's decisions
about the accounts of a statement (handed over by the engine as :class:`JournalEvent`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from ballast.reporting.format import price, quantity
from ballast.reporting.statement import ActivityItem

SHOWN_TRADES = 4  # trades named in one sentence; the rest are counted


@dataclass(frozen=True, slots=True)
class JournalEvent:
    """One journal entry about a statement's accounts: its business ``day`` (a run's as-of
    date, a fill's trade date, else the day it was written), ``run`` (``run:R`` or empty)."""

    day: date
    kind: str
    run: str
    rationale: str
    payload: Mapping[str, Any] = field(default_factory=dict)
    actor: str = "system"


def narrate(events: Sequence[JournalEvent]) -> tuple[ActivityItem, ...]:
    """One item per rebalance run (proposals, compliance, execution) and per kill-switch
    change, oldest first."""
    runs: dict[str, list[JournalEvent]] = {}
    items: list[ActivityItem] = []
    for e in events:
        if e.run:
            runs.setdefault(e.run, []).append(e)
        elif e.kind.startswith("kill_switch."):
            items.append(_kill_switch(e))
    items.extend(item for group in runs.values() for item in _run(group))
    items.sort(key=lambda i: i.day)
    return tuple(items)


def _run(events: list[JournalEvent]) -> list[ActivityItem]:
    when = min(e.day for e in events)
    proposed = [e for e in events if e.kind == "rebalance.proposed"]
    checks = [e for e in events if e.kind.startswith("compliance.")]
    fills = [e for e in events if e.kind == "fill.booked"]
    orders = [e for e in events if e.kind == "order.submitted"]
    out: list[ActivityItem] = []
    if proposed:
        trigger = str(proposed[0].payload.get("trigger", "")).strip()
        why = f"Why: {trigger}." if trigger else ""
        reasons = " ".join(_sentence(e.rationale) for e in proposed[:2])
        out.append(ActivityItem(
            when, f"Rebalance review: {_count(len(proposed), 'trade')} proposed "
            f"({_trades(proposed)})", " ".join(p for p in (why, reasons) if p)))
    for c in checks:
        if c.kind == "compliance.denied":
            out.append(ActivityItem(when, "Compliance held the trades back",
                                    _sentence(c.rationale)))
        else:
            out.append(ActivityItem(when, "Compliance check passed",
                                    "Every firm and account rule was met before trading."))
    if fills:
        out.append(ActivityItem(max(e.day for e in fills),
                                f"{_count(len(fills), 'trade')} executed",
                                _fills(fills) + "."))
    elif orders:
        out.append(ActivityItem(when, f"{_count(len(orders), 'order')} sent to the broker",
                                "Awaiting execution at the end of the period."))
    return out


def _kill_switch(e: JournalEvent) -> ActivityItem:
    kind, _, ident = str(e.payload.get("scope", "global")).partition(":")
    switch = ("The firm-wide kill switch" if kind in ("global", "")
              else f"The kill switch of {kind} {ident}")
    if e.kind == "kill_switch.engaged":
        return ActivityItem(e.day, "Trading paused",
                            f"{switch} was engaged by {e.actor}: {_sentence(e.rationale)} "
                            "No orders were sent while it was engaged.")
    return ActivityItem(e.day, "Trading resumed",
                        f"{switch} was released by {e.actor}: {_sentence(e.rationale)}")


def _trades(events: list[JournalEvent]) -> str:
    parts = [f"{_side(e.payload.get('side'))} {quantity(_dec(e.payload.get('quantity')))} "
             f"{e.payload.get('instrument', '')}" for e in events[:SHOWN_TRADES]]
    extra = len(events) - SHOWN_TRADES
    return ", ".join(parts) + (f" and {extra} more" if extra > 0 else "")


def _fills(events: list[JournalEvent]) -> str:
    parts = [f"{_side(e.payload.get('side'), past=True)} "
             f"{quantity(_dec(e.payload.get('quantity')))} {e.payload.get('instrument', '')} at "
             f"{price(_dec(e.payload.get('price')))}" for e in events[:SHOWN_TRADES]]
    extra = len(events) - SHOWN_TRADES
    text = "; ".join(parts) + (f"; and {extra} more" if extra > 0 else "")
    return text[0].upper() + text[1:]


def _side(side: Any, past: bool = False) -> str:
    text = str(side or "").lower()
    if past:
        return {"buy": "bought", "sell": "sold"}.get(text, text)
    return text


def _dec(value: Any) -> Decimal | None:
    try:
        return None if value is None else Decimal(str(value))
    except InvalidOperation:
        return None


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


__all__ = ["JournalEvent", "narrate"]
