"""The post-trade book every rule reads, computed once per check, and shared helpers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ballast.compliance.inputs import BoolArray, CheckInput, FloatArray, IntArray, ObjArray
from ballast.compliance.results import Violation
from ballast.config.compliance import Action, GroupBy

EPS = 1e-9  # weights within this of a limit are at the limit


@dataclass(frozen=True)
class Post:
    """The batch after its trades: quantities, values and weights [N, M], cash and total [N]."""

    inp: CheckInput

    @cached_property
    def arrays(self) -> tuple[FloatArray, FloatArray, FloatArray]:
        return self.inp.post_trade()

    @property
    def quantity(self) -> FloatArray:
        return self.arrays[0]

    @property
    def value(self) -> FloatArray:
        return self.arrays[1]

    @property
    def cash(self) -> FloatArray:
        return self.arrays[2]

    @cached_property
    def total(self) -> FloatArray:
        """Each account's value after the trades (securities + cash)."""
        return np.asarray(self.value.sum(axis=1) + self.cash, dtype=np.float64)

    @cached_property
    def total_before(self) -> FloatArray:
        return np.asarray(self.inp.value_before.sum(axis=1) + self.inp.cash_before,
                          dtype=np.float64)

    @cached_property
    def weight(self) -> FloatArray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.total[:, None] > 0, self.value / self.total[:, None], 0.0)

    @cached_property
    def port_returns(self) -> FloatArray:
        """Each account's daily returns [N, D] at its post-trade weights."""
        return np.asarray(self.weight @ self.inp.returns.T, dtype=np.float64)

    @cached_property
    def models(self) -> ObjArray:
        return np.asarray(self.inp.models, dtype=object)

    @cached_property
    def accounts(self) -> ObjArray:
        return np.asarray(self.inp.accounts, dtype=object)

    def labels(self, by: GroupBy) -> tuple[str, ...]:
        """Each instrument's group under ``by`` (an issuer-less instrument is its own issuer)."""
        inp = self.inp
        if by is GroupBy.INSTRUMENT:
            return inp.instruments
        if by is GroupBy.ISSUER:
            return tuple(i or s for i, s in zip(inp.issuer, inp.instruments, strict=True))
        return tuple(getattr(inp, by.value))

    def in_scope(self, model: str | None, account: str | None) -> BoolArray:
        """Accounts a rule with this scope applies to."""
        if model is not None:
            return np.asarray(self.models == model, dtype=bool)
        if account is not None:
            return np.asarray(self.accounts == account, dtype=bool)
        return np.ones(len(self.inp.accounts), dtype=bool)



def group_codes(labels: Sequence[str]) -> tuple[tuple[str, ...], IntArray]:
    """Distinct labels (sorted) and each item's code into them."""
    uniq, codes = np.unique(np.asarray(labels, dtype=str), return_inverse=True)
    return tuple(str(u) for u in uniq), codes.astype(np.int64)


def group_sum(values: FloatArray, codes: IntArray, groups: IntArray) -> FloatArray:
    """[N, M] summed into [N, len(groups)]: column k sums the instruments whose code is
    ``groups[k]`` (a code of -1 counts nowhere)."""
    onehot = np.asarray(codes[:, None] == groups[None, :], dtype=np.float64)
    return np.asarray(values @ onehot, dtype=np.float64)


def trades_by_key(trade_key: IntArray, keys: IntArray) -> list[tuple[int, ...]]:
    """For each of ``keys``, the indices of the trades whose key equals it (-1: none)."""
    if not len(keys):
        return []
    order = np.argsort(trade_key, kind="stable")
    sorted_keys = trade_key[order]
    left = np.searchsorted(sorted_keys, keys, side="left")
    right = np.searchsorted(sorted_keys, keys, side="right")
    return [tuple(int(t) for t in order[a:b]) for a, b in zip(left.tolist(), right.tolist(),
                                                                 strict=True)]


def floor_lot(quantity: FloatArray, lot: FloatArray) -> FloatArray:
    """Quantities rounded down to their lot size (never below 0)."""
    return np.maximum(np.floor(quantity / lot + EPS) * lot, 0.0)


def owner(scope: str) -> str:
    """How an explanation names the rule's owner: the firm's, model growth's, the account's."""
    if scope == "firm":
        return "the firm's"
    kind, _, name = scope.partition(":")
    return f"model {name}'s" if kind == "model" else "the account's"


def pct(x: float) -> str:
    """A weight as a short percentage: 12.4%, 10%."""
    return f"{x * 100:.1f}".rstrip("0").rstrip(".") + "%"


@dataclass(frozen=True)
class Found:
    """What one rule found: its violations, and for auto_fix rules the largest quantity each
    trade may keep (inf: unchanged)."""

    violations: list[Violation]
    cap: FloatArray | None = None


def violation(rule_id: str, scope: str, kind: str, action: Action, account: str,
              subject: str, measured: float, limit: float, trades: tuple[int, ...],
              text: str) -> Violation:
    """A Violation (positional helper for the measures)."""
    return Violation(account, rule_id, scope, kind, action, subject, measured, limit, trades,
                     text)
