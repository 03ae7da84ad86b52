"""``explain``: the entries of the journal behind a trade, an order, an account or a run."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ballast.audit.journal import Entry
from ballast.domain import DataError

RUN_KIND = "rebalance.run"
KINDS = ("trade", "order", "account", "run")


@dataclass(frozen=True, slots=True)
class Target:
    """What to explain: its kind and its subject token (``trade:3:A1:2``)."""

    kind: str
    token: str


def parse_target(text: str) -> Target:
    """``trade:RUN:ACCOUNT:SEQ``, ``order:CLIENT_ORDER_ID``, ``account:ID`` or ``run:ID``."""
    kind, _, rest = text.partition(":")
    if kind not in KINDS or not rest:
        raise DataError(f"cannot explain {text!r}", field="target", hint=(
            "Name it as trade:RUN:ACCOUNT:SEQ, order:CLIENT_ORDER_ID, account:ID or run:ID "
            "(`ballast audit log` shows the subjects)."))
    return Target(kind, text)


def _ids(tokens: set[str], kind: str) -> set[str]:
    return {t for t in tokens if t.startswith(kind + ":")}


def explain(entries: Sequence[Entry], target: Target) -> list[Entry]:
    """The entries naming ``target`` and, for a trade or an order, the decisions around it:
    the run's header (its trigger), the proposals, compliance decisions, orders and bookings
    of the same run, account and instrument, and everything of the same block. In journal
    order."""
    seeds = [e for e in entries if target.token in e.subject]
    if target.kind in ("account", "run") or not seeds:
        return seeds
    tokens = {t for e in seeds for t in e.subject}
    runs, accounts = _ids(tokens, "run"), _ids(tokens, "account")
    instruments, blocks = _ids(tokens, "instrument"), _ids(tokens, "block")

    def related(e: Entry) -> bool:
        subject = set(e.subject)
        if target.token in subject or subject & blocks:
            return True
        if not subject & runs:
            return False
        if e.kind == RUN_KIND:
            return True
        if not subject & accounts:
            return False
        return e.kind.startswith("compliance.") or bool(subject & instruments)

    return [e for e in entries if related(e)]
