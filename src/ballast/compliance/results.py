"""What a check returns: a decision per proposal with every violation and every fix."""

from __future__ import annotations

from dataclasses import dataclass

from ballast.config.compliance import Action


@dataclass(frozen=True, slots=True)
class Violation:
    """One breach of one rule by one account's proposal.

    ``subject`` is what was measured (an instrument, a group, ``cash``, ``portfolio``);
    ``trades`` are the indices of the batch's trades involved. ``action`` is the rule's,
    except that holding a restricted instrument, or a figure that cannot be measured (unknown
    risk score or ADV), is only a warning.
    """

    account: str
    rule_id: str
    scope: str
    kind: str
    action: Action
    subject: str
    measured: float
    limit: float
    trades: tuple[int, ...]
    explanation: str

    @property
    def blocks(self) -> bool:
        """True when this violation denies the proposal."""
        return self.action is not Action.WARN


@dataclass(frozen=True, slots=True)
class Fix:
    """A trade an ``auto_fix`` rule changed: its quantity before and after (0: dropped)."""

    account: str
    trade: int
    instrument: str
    side: str
    old_quantity: float
    new_quantity: float
    rule_ids: tuple[str, ...]
    reason: str


@dataclass(frozen=True, slots=True)
class Approved:
    """The proposal may proceed (possibly after fixes, possibly with warnings)."""

    account: str
    violations: tuple[Violation, ...] = ()
    fixes: tuple[Fix, ...] = ()

    approved = True


@dataclass(frozen=True, slots=True)
class Denied:
    """The proposal may not proceed: ``violations`` holds every breach (and warning)."""

    account: str
    violations: tuple[Violation, ...]
    fixes: tuple[Fix, ...] = ()

    approved = False


Decision = Approved | Denied
