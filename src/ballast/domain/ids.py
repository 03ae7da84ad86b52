"""Identifiers: plain strings with distinct static types."""

from __future__ import annotations

from typing import NewType

InstrumentId = NewType("InstrumentId", str)
"""The instrument's symbol in ballast (e.g. ``AAPL``, ``BRK.B``, ``EURUSD``)."""
AccountId = NewType("AccountId", str)
HouseholdId = NewType("HouseholdId", str)
LotId = NewType("LotId", str)
TransactionId = NewType("TransactionId", str)
