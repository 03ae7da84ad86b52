"""The hash chain: entries link, verify finds every edit, deletion and swap, and says where."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ballast.audit import GENESIS, Draft, Entry, chain, next_entry, verify
from ballast.audit.journal import canonical_json

AT = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)


def journal(n: int) -> list[Entry]:
    drafts = [Draft("rebalance.proposed", ("run:1", f"account:A{k}"), f"reason {k}",
                    {"quantity": Decimal("1.50"), "k": k}, "pv1", "snap1") for k in range(n)]
    return chain(drafts, AT)


def test_entries_link_and_verify() -> None:
    entries = journal(3)
    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[0].prev_hash == GENESIS
    assert [e.prev_hash for e in entries[1:]] == [e.hash for e in entries[:-1]]
    assert all(len(e.hash) == 64 and e.hash == e.computed_hash() for e in entries)
    assert entries[0].payload == {"quantity": "1.50", "k": 0}  # canonical: decimals as text
    assert verify(entries) == []
    assert verify([]) == []


def test_chain_continues_after_an_entry_and_hashes_are_deterministic() -> None:
    first, second = journal(2)
    again = next_entry(first, Draft("rebalance.proposed", ("run:1", "account:A1"), "reason 1",
                                    {"k": 1, "quantity": Decimal("1.50")}, "pv1", "snap1"), AT)
    assert again == second
    assert chain([], AT, first) == []


def test_a_naive_timestamp_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone"):
        next_entry(None, Draft("x", (), ""), datetime(2026, 1, 1))


def test_an_edit_says_what_and_where() -> None:
    entries = journal(4)
    entries[1] = dataclasses.replace(entries[1], payload={"quantity": "9", "k": 1})
    [b] = verify(entries)
    assert (b.seq, b.position) == (2, 1) and "content altered" in b.problem
    assert b.describe().startswith("seq 2: ")


def test_a_deleted_entry_is_found_at_the_next() -> None:
    entries = journal(4)
    del entries[1]
    problems = verify(entries)
    assert {b.seq for b in problems} == {3}
    assert any("missing" in b.problem for b in problems)
    assert any("broken link" in b.problem for b in problems)


def test_every_break_is_listed_first_first() -> None:
    entries = journal(5)
    entries[1] = dataclasses.replace(entries[1], rationale="edited")
    entries[3] = dataclasses.replace(entries[3], actor="mallory")
    assert [b.seq for b in verify(entries)] == [2, 4]


FIELDS = ("seq", "at", "actor", "kind", "subject", "rationale", "policy_version",
          "snapshot_id", "payload", "prev_hash", "hash")


def _edit(e: Entry, name: str) -> Entry:
    value = getattr(e, name)
    if name == "seq":
        return dataclasses.replace(e, seq=value + 7)
    if name == "at":
        return dataclasses.replace(e, at=value + timedelta(microseconds=1))
    if name == "subject":
        return dataclasses.replace(e, subject=(*value, "x:1"))
    if name == "payload":
        return dataclasses.replace(e, payload={**value, "edited": True})
    return dataclasses.replace(e, **{name: value + "x"})


@given(n=st.integers(2, 8), data=st.data())
def test_any_single_field_edit_is_detected(n: int, data: st.DataObject) -> None:
    entries = journal(n)
    k = data.draw(st.integers(0, n - 1))
    name = data.draw(st.sampled_from(FIELDS))
    entries[k] = _edit(entries[k], name)
    problems = verify(entries)
    assert problems and problems[0].position == k


@given(n=st.integers(2, 8), data=st.data())
def test_any_deletion_but_the_newest_is_detected(n: int, data: st.DataObject) -> None:
    entries = journal(n)
    k = data.draw(st.integers(0, n - 2))
    del entries[k]
    problems = verify(entries)
    assert problems and problems[0].position == k


@given(n=st.integers(2, 8), data=st.data())
def test_any_swap_is_detected(n: int, data: st.DataObject) -> None:
    entries = journal(n)
    i, j = sorted(data.draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=2,
                                     unique=True)))
    entries[i], entries[j] = entries[j], entries[i]
    problems = verify(entries)
    assert problems and problems[0].position == i


def test_a_measure_that_could_not_be_taken_is_written_as_text() -> None:
    """A compliance measure can be NaN (unknown ADV, no risk score): the entry still hashes."""
    assert canonical_json({"b": [float("nan"), 1.5], "a": (float("inf"),)}) == (
        '{"a":["inf"],"b":["nan",1.5]}')
