"""Request bodies and response models of the API (what its OpenAPI schema documents)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

T = TypeVar("T")

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000),
                   Field(description="Why: kept in the audit journal with the user.")]
AccountId = Annotated[str, StringConstraints(min_length=1, max_length=64)]
MAX_INT = 2**63 - 1  # the largest integer a store's column holds (SQLite, PostgreSQL bigint)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Page(BaseModel, Generic[T]):
    """One page of a list: ``items`` from ``offset``, and how many there are in all."""

    total: int
    offset: int
    limit: int
    items: list[T]


class ReasonIn(Strict):
    reason: Reason


class BatchDecisionIn(Strict):
    """Approve or reject several proposals of a run (every pending one when ``accounts`` is
    omitted)."""

    reason: Reason
    accounts: list[AccountId] | None = Field(default=None, min_length=1, max_length=100_000)


class RebalanceIn(Strict):
    reason: Reason
    account: AccountId | None = None
    as_of: date | None = None


class KillSwitchIn(Strict):
    reason: Reason
    account: AccountId | None = None
    broker: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None


class PolicyIn(Strict):
    yaml: Annotated[str, StringConstraints(min_length=1, max_length=100_000)]
    reason: Reason


class ModelIn(Strict):
    yaml: Annotated[str, StringConstraints(min_length=1, max_length=1_000_000)] = Field(
        description="One model or a list of models, as in docs/models.md.")
    reason: Reason


class RollbackIn(Strict):
    version: Annotated[str, StringConstraints(min_length=1, max_length=16)]
    reason: Reason


class UserIn(Strict):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    password: Annotated[str, StringConstraints(min_length=8, max_length=1024)]
    roles: list[str] = Field(min_length=1)
    reason: Reason = "new user"


class UserPatch(Strict):
    roles: list[str] | None = Field(default=None, min_length=1)
    active: bool | None = None
    reason: Reason


class TokenIn(Strict):
    label: Annotated[str, StringConstraints(max_length=100)] = ""
    days: Annotated[int, Field(ge=1, le=3650)] | None = None


class SecretIn(Strict):
    value: Annotated[str, StringConstraints(min_length=1, max_length=10_000)]
    reason: Reason


class UserOut(BaseModel):
    name: str
    roles: list[str]
    active: bool
    created_at: datetime


class TokenOut(BaseModel):
    id: int
    user: str
    label: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


class IssuedTokenOut(BaseModel):
    """A new token: ``token`` is shown this once and cannot be read back."""

    id: int
    user: str
    label: str
    token: str
    expires_at: datetime | None


class SecretOut(BaseModel):
    """A stored secret's name and who stored it when; the value is never returned."""

    name: str
    updated_by: str
    updated_at: datetime


class HouseholdOut(BaseModel):
    id: str
    name: str
    accounts: int


class AccountOut(BaseModel):
    account_id: str
    household_id: str
    household: str
    name: str
    type: str
    base_currency: str
    custodian: str
    model: str
    value: float | None
    cash: float | None


class PositionOut(BaseModel):
    account_id: str
    symbol: str
    quantity: Decimal
    price: float | None
    price_date: date | None
    market_value: float | None
    cost_basis: float
    unrealized: float | None
    weight: float | None
    currency: str


class LotOut(BaseModel):
    account_id: str
    symbol: str
    lot_id: str
    quantity: Decimal
    cost_basis: Decimal
    unit_cost: Decimal
    acquired: date
    holding_start: date
    wash_sale_adjustment: Decimal


class ProposalOut(BaseModel):
    """An account's proposal in a run with its approval state."""

    run_id: int
    account_id: str
    status: str
    compliance: str = Field(description="approved, denied, unchecked; empty without trades")
    trades: int
    trade_value: Decimal
    route: str = Field(description="automatic, threshold or person")
    decision: str = Field(description="approved, rejected, pending; empty when none needed")
    basis: str
    user: str
    reason: str
    at: datetime | None


class TradeOut(BaseModel):
    seq: int
    instrument_id: str
    side: str
    quantity: Decimal
    est_price: Decimal
    est_value: Decimal
    est_cost: Decimal
    sleeve: str
    lots: str
    est_short_term_gain: Decimal
    est_long_term_gain: Decimal
    rationale: str
    currency: str


class ViolationOut(BaseModel):
    account_id: str
    rule_id: str
    scope: str
    kind: str
    action: str
    subject: str
    measured: float | None
    limit: float | None
    trades: list[int]
    explanation: str


class ProposalReview(BaseModel):
    """Everything a checker reviews: the proposal, its trades with rationale, compliance's
    violations and the approval state."""

    run_id: int
    account_id: str
    model: str
    model_version: str
    reasons: str
    value: Decimal
    cash_before: Decimal
    cash_after: Decimal
    drift_before: Decimal
    drift_after: Decimal
    est_short_term_gain: Decimal
    est_long_term_gain: Decimal
    approval: ProposalOut
    trades: list[TradeOut]
    violations: list[ViolationOut]


class AccountPage(BaseModel):
    account: AccountOut
    positions: list[PositionOut]
    lots: list[LotOut]
    proposal: ProposalOut | None
    trades: list[TradeOut]


class DecisionOut(BaseModel):
    run_id: int
    account_id: str
    decision: str
    basis: str
    user: str
    reason: str
    at: datetime


class RunOut(BaseModel):
    id: int
    as_of: date
    created_at: datetime
    snapshot_id: str
    policy_version: str
    accounts: int
    triggered: int
    trades: int
    proposer: str | None = None


class RunSummaryOut(BaseModel):
    run_id: int
    as_of: date
    created_at: datetime
    accounts: int
    out_of_band: int
    trades: int
    checked: bool
    breaches: int
    pending_approval: int


class KillSwitchOut(BaseModel):
    scope: str
    engaged_by: str
    engaged_at: datetime
    reason: str


class KillSwitchChange(BaseModel):
    scope: str
    changed: bool
    engaged: list[KillSwitchOut]


class OverviewOut(BaseModel):
    """The book at a glance."""

    as_of: date
    aum: float
    cash: float
    households: int
    accounts: int
    latest_run: RunSummaryOut | None
    kill_switches: list[KillSwitchOut]
    computed_at: datetime


class DriftOut(BaseModel):
    run_id: int
    account_id: str
    status: str
    model: str
    drift_before: Decimal
    drift_after: Decimal
    reasons: str


class OrderOut(BaseModel):
    client_order_id: str
    block_id: str
    instrument_id: str
    side: str
    quantity: Decimal
    order_type: str
    limit_price: Decimal | None
    time_in_force: str
    state: str
    filled_quantity: Decimal
    broker: str


class FillOut(BaseModel):
    fill_id: str
    client_order_id: str
    instrument_id: str
    side: str
    quantity: Decimal
    price: Decimal
    commission: Decimal
    currency: str
    at: datetime


class ExecutionOut(BaseModel):
    run_id: int
    blocks: int
    orders: int
    sent: int
    fills: int
    booked: int
    states: dict[str, int]
    unallocated: int


class PolicyOut(BaseModel):
    version: str
    mode: str
    auto_approve_below: Decimal | None
    yaml: str


class ModelVersionOut(BaseModel):
    name: str
    version: str
    loaded_at: datetime
    current: bool


class ModelUploadOut(BaseModel):
    name: str
    version: str
    new: bool


class ModelDiffOut(BaseModel):
    name: str
    from_version: str
    to_version: str
    diff: str


class AuditEntryOut(BaseModel):
    seq: int
    at: datetime
    actor: str
    kind: str
    subject: list[str]
    rationale: str
    policy_version: str
    snapshot_id: str
    payload: dict[str, object]
    hash: str


class VerificationOut(BaseModel):
    entries: int
    head: str
    intact: bool
    breaks: list[str]


class PerformanceOut(BaseModel):
    """A scope's performance over a period; ``returns`` are fractions (None: not measured,
    see ``notes``)."""

    scope: str
    period: str
    start: date
    end: date
    currency: str
    benchmark: str | None
    start_value: float
    end_value: float
    inflows: float
    outflows: float
    fees: float
    returns: dict[str, float | None]
    notes: list[str]


class Health(BaseModel):
    status: str
    checks: dict[str, str] = Field(default_factory=dict)
