"""Journal entries: append-only, hash-chained, each hash over the canonical serialization of
the entry including the previous entry's hash."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64


_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                            allow_nan=False, default=str)


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, UTF-8: one text per value. Values JSON cannot hold (Decimal,
    date) are written as their ``str``, and so are non-finite numbers ("nan", "inf", "-inf":
    e.g. a measure that could not be taken)."""
    return _ENCODER.encode(_finite(value))


def _finite(value: Any) -> Any:
    """``value`` with every non-finite float, however deeply nested, as its ``str``."""
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Mapping):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


@dataclass(frozen=True, slots=True)
class Draft:
    """A decision to journal, before it has a place in the chain.

    ``subject`` holds ``kind:id`` tokens (``run:3``, ``account:A1``, ``trade:3:A1:2``,
    ``order:…``); ``payload`` must be JSON-able (decimals become strings)."""

    kind: str
    subject: tuple[str, ...]
    rationale: str
    payload: Mapping[str, Any] = field(default_factory=dict)
    policy_version: str = ""
    snapshot_id: str = ""
    actor: str = "system"


@dataclass(frozen=True, slots=True)
class Entry:
    """One journal entry; ``hash`` is SHA-256 over :meth:`canonical` (which holds
    ``prev_hash``)."""

    seq: int
    at: datetime
    actor: str
    kind: str
    subject: tuple[str, ...]
    rationale: str
    policy_version: str
    snapshot_id: str
    payload: Mapping[str, Any]
    prev_hash: str
    hash: str

    def canonical(self) -> str:
        """The hashed text: every field but ``hash``, as canonical JSON."""
        return canonical_json({
            "seq": self.seq, "at": timestamp(self.at), "actor": self.actor, "kind": self.kind,
            "subject": list(self.subject), "rationale": self.rationale,
            "policy_version": self.policy_version, "snapshot_id": self.snapshot_id,
            "payload": self.payload, "prev_hash": self.prev_hash})

    def computed_hash(self) -> str:
        """The hash the entry's content implies (equal to ``hash`` unless it was altered)."""
        return hashlib.sha256(self.canonical().encode("utf-8")).hexdigest()


def timestamp(at: datetime) -> str:
    """ISO 8601 in UTC with microseconds: the form stored and hashed."""
    if at.tzinfo is None:
        raise ValueError("journal timestamps must be timezone-aware")
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def next_entry(prev: Entry | None, draft: Draft, at: datetime) -> Entry:
    """The entry after ``prev`` (None: the first of the journal) recording ``draft``."""
    payload = json.loads(canonical_json(dict(draft.payload)))
    bare = Entry(prev.seq + 1 if prev else 1, datetime.fromisoformat(timestamp(at)),
                 draft.actor, draft.kind,
                 tuple(draft.subject), draft.rationale, draft.policy_version,
                 draft.snapshot_id, payload, prev.hash if prev else GENESIS, "")
    return _with_hash(bare)


def chain(drafts: Sequence[Draft], at: datetime, after: Entry | None = None) -> list[Entry]:
    """Entries for ``drafts`` in order, continuing the chain after ``after``."""
    out: list[Entry] = []
    for draft in drafts:
        after = next_entry(after, draft, at)
        out.append(after)
    return out


def _with_hash(e: Entry) -> Entry:
    return Entry(e.seq, e.at, e.actor, e.kind, e.subject, e.rationale, e.policy_version,
                 e.snapshot_id, e.payload, e.prev_hash, e.computed_hash())


@dataclass(frozen=True, slots=True)
class Break:
    """An inconsistency found by :func:`verify`: at which entry (``seq`` as stored, and its
    position in the journal) and what is wrong."""

    seq: int
    position: int
    problem: str

    def describe(self) -> str:
        return f"seq {self.seq}: {self.problem}"


def verify(entries: Sequence[Entry]) -> list[Break]:
    """Every inconsistency of ``entries`` (read in stored order), first one first: content
    altered (its hash does not match), a broken link (its ``prev_hash`` is not the previous
    entry's hash), a missing or reordered entry (a sequence gap or step back). Removing the
    newest entries cannot be seen from the chain itself: compare the head with a copy."""
    breaks: list[Break] = []
    prev: Entry | None = None
    for pos, e in enumerate(entries):
        if e.computed_hash() != e.hash:
            breaks.append(Break(e.seq, pos, "content altered: the stored hash does not match "
                                "the entry"))
        expected_seq = prev.seq + 1 if prev else 1
        if e.seq != expected_seq:
            what = "missing entries before it" if e.seq > expected_seq else "out of order"
            breaks.append(Break(e.seq, pos, f"sequence {e.seq} where {expected_seq} was "
                                f"expected ({what})"))
        expected_prev = prev.hash if prev else GENESIS
        if e.prev_hash != expected_prev:
            breaks.append(Break(e.seq, pos, "broken link: previous hash "
                                f"{e.prev_hash[:12]}… is not {expected_prev[:12]}…"))
        prev = e
    return breaks
