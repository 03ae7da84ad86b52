"""The backtest spec: market data, dates, accounts, policies compared side by side, costs and
taxes (YAML, strict). See docs/backtesting.md for the format and an example."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ballast.config.compliance import RuleSet, load_rule_sets
from ballast.config.models import ModelSpec, load_models
from ballast.config.rebalance import Calendar, CostModel, RebalancePolicy
from ballast.domain import ConfigError, LotMethod


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PolicyKind(StrEnum):
    """When a policy's accounts trade after the first day (when every account invests)."""

    NONE = "none"  # buy and hold: never again
    CALENDAR = "calendar"  # every account on the first session of each month or quarter
    BANDS = "bands"  # every day, the accounts the rebalancer's triggers fire for


class PolicySpec(_Strict):
    """One policy compared in the run; ``rebalance`` overrides fields of the spec's base
    rebalancing policy (tax rates, bands behaviour, harvest thresholds…)."""

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    kind: PolicyKind
    calendar: Calendar = Calendar.NONE
    harvest: bool = False
    rebalance: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _calendar_fits(self) -> PolicySpec:
        if (self.kind is PolicyKind.CALENDAR) != (self.calendar is not Calendar.NONE):
            raise ValueError("a calendar policy needs calendar: monthly or quarterly, and only "
                             "a calendar policy takes one")
        if self.harvest and self.kind is PolicyKind.NONE:
            raise ValueError("buy and hold never trades, so it cannot harvest")
        return self


class AccountGroup(_Strict):
    """``count`` accounts funded with cash on the first day. ``cash`` is one amount or a
    [low, high] range drawn log-uniformly (seeded); ``models`` are assigned in turn."""

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    count: int = Field(ge=1)
    taxable: bool = True
    models: tuple[str, ...] = Field(min_length=1)
    cash: float | tuple[float, float] = 100_000.0
    lot_method: LotMethod = LotMethod.MIN_TAX

    @model_validator(mode="after")
    def _cash_positive(self) -> AccountGroup:
        low, high = self.cash_range
        if not 0 < low <= high:
            raise ValueError("cash must be positive, and a range [low, high] with low ≤ high")
        return self

    @property
    def cash_range(self) -> tuple[float, float]:
        """(low, high); equal for a single amount."""
        return (self.cash, self.cash) if isinstance(self.cash, float) else self.cash


class FillCosts(_Strict):
    """What a fill costs, as the simulated broker charges it: half the spread and slippage move
    the price against the order; commission per share and in bps, at least a minimum."""

    half_spread_bps: float = Field(1.0, ge=0)
    slippage_bps: float = Field(0.0, ge=0)
    commission_per_share: float = Field(0.0, ge=0)
    commission_bps: float = Field(0.0, ge=0)
    commission_minimum: float = Field(0.0, ge=0)


class BacktestSpec(_Strict):
    """A backtest: ``prices`` is ``sample`` (the shipped demo prices) or a CSV file
    (``date,symbol,close,dividend,split_factor``; raw closes) relative to the spec file;
    ``instruments`` (``sample`` or an instruments CSV in ballast's format) gives them names,
    sectors, asset classes and issuers (lot sizes come from ``fractional``);
    ``rules`` are compliance rule-set files (as ``ballast rules import`` reads) every day's
    trades are checked against."""

    name: str = Field(min_length=1)
    prices: str = "sample"
    instruments: str | None = None
    start: date | None = None
    end: date | None = None
    models: tuple[ModelSpec, ...] = ()
    model_files: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    accounts: tuple[AccountGroup, ...] = Field(min_length=1)
    policies: tuple[PolicySpec, ...] = Field(min_length=1)
    rebalance: dict[str, Any] = Field(default_factory=dict)
    costs: FillCosts = FillCosts()
    fractional: bool = False
    dividends: bool = True
    seed: int = 0

    @model_validator(mode="after")
    def _unique_names(self) -> BacktestSpec:
        for what, names in (("policies", [p.name for p in self.policies]),
                            ("accounts", [g.name for g in self.accounts])):
            if len(set(names)) != len(names):
                raise ValueError(f"{what}: names must be unique")
        if self.start and self.end and self.start > self.end:
            raise ValueError("start is after end")
        return self

    def policy(self, spec: PolicySpec) -> RebalancePolicy:
        """The rebalancing policy of ``spec``: the base fields, its overrides, the calendar,
        harvesting on or off, and cost estimates that match the fill costs."""
        c = self.costs
        data: dict[str, Any] = {
            "costs": CostModel(commission=c.commission_minimum,
                               half_spread_bps=c.half_spread_bps + c.slippage_bps
                               + c.commission_bps),
            **self.rebalance, **spec.rebalance, "calendar": spec.calendar,
        }
        if not spec.harvest:
            data["harvest_max_per_account"] = 0
        try:
            return RebalancePolicy.model_validate(data)
        except ValidationError as exc:
            raise ConfigError(f"policy {spec.name}: not a valid rebalancing policy: {exc}",
                              field="rebalance",
                              hint="See docs/rebalancing.md for the policy fields.") from None

    def library(self, base: Path) -> dict[str, ModelSpec]:
        """The inline models and those of ``model_files`` (relative to ``base``), by name."""
        out = {m.name: m for m in self.models}
        if self.model_files:
            out.update(load_models([base / f for f in self.model_files]))
        return out


    def rule_sets(self, base: Path) -> list[RuleSet]:
        """The compliance rule sets of ``rules`` (relative to ``base``)."""
        return [s for s, _ in load_rule_sets([base / f for f in self.rules])]


def load_backtest(path: Path) -> BacktestSpec:
    """Read and validate a backtest spec file; ConfigError names what is wrong."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read the backtest spec: {exc}", field="spec") from None
    try:
        return BacktestSpec.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{path}: not a valid backtest spec: {exc}", field="spec",
                          hint="See docs/backtesting.md for the spec format.") from None
