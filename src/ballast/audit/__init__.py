"""The audit journal: hash-chained entries, verification, and the explanation of a decision.
Pure: no I/O, imports only ballast.domain."""

from ballast.audit.explain import Target, explain, parse_target
from ballast.audit.journal import (
    GENESIS,
    Break,
    Draft,
    Entry,
    canonical_json,
    chain,
    next_entry,
    timestamp,
    verify,
)

__all__ = ["GENESIS", "Break", "Draft", "Entry", "Target", "canonical_json", "chain", "explain",
           "next_entry", "parse_target", "timestamp", "verify"]
