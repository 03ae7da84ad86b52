"""Compliance rule sets: the YAML schema, loading and versions (see docs/compliance.md).

A rule set holds rules for any level: a rule without ``model`` or ``account`` is the firm's, one
with ``model: <name>`` applies to that model's accounts, one with ``account: <id>`` to that
account. A set's version is the content hash of its validated content, like a model's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from ballast.config.models import Fraction, Instrument, Name
from ballast.domain.errors import ConfigError


class Action(StrEnum):
    """What a breach of the rule does to the proposal."""

    BLOCK = "block"  # the proposal is denied
    WARN = "warn"  # reported; the proposal is not denied
    AUTO_FIX = "auto_fix"  # the violating trades are scaled down or dropped, then re-checked


class GroupBy(StrEnum):
    """The instrument attribute a weight limit sums over."""

    INSTRUMENT = "instrument"
    ISSUER = "issuer"  # share classes of one issuer together
    ASSET_CLASS = "asset_class"
    SECTOR = "sector"
    COUNTRY = "country"
    CURRENCY = "currency"


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class _Rule(_Strict):
    id: Name
    action: Action = Action.BLOCK
    model: Name | None = None
    account: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    effective_from: date | None = None
    effective_until: date | None = None
    description: str = ""
    FIXABLE: ClassVar[bool] = False

    @model_validator(mode="after")
    def _consistent(self) -> _Rule:
        if self.model is not None and self.account is not None:
            raise PydanticCustomError("scope", "give model or account, not both")
        if (self.effective_from and self.effective_until
                and self.effective_until < self.effective_from):
            raise PydanticCustomError("dates", "effective_until is before effective_from")
        if self.action is Action.AUTO_FIX and not self.FIXABLE:
            raise PydanticCustomError(
                "action", "a {kind} rule cannot auto_fix: use block or warn",
                {"kind": getattr(self, "kind", "")})
        return self

    @property
    def scope(self) -> str:
        """``firm``, ``model:<name>`` or ``account:<id>``."""
        if self.model is not None:
            return f"model:{self.model}"
        return f"account:{self.account}" if self.account is not None else "firm"

    def in_force(self, day: date) -> bool:
        """True when the rule applies on ``day``."""
        return ((self.effective_from is None or self.effective_from <= day)
                and (self.effective_until is None or day <= self.effective_until))


class MaxWeight(_Rule):
    """No group (instrument, issuer, sector…) above ``limit`` of the account's value."""

    kind: Literal["max_weight"]
    by: GroupBy
    limit: Fraction
    groups: tuple[str, ...] = ()  # only these groups (default: every group)
    kinds: tuple[str, ...] = ()  # only instruments of these kinds (default: every kind)
    FIXABLE: ClassVar[bool] = True


class MinWeight(_Rule):
    """Each of ``groups`` at least ``limit`` of the account's value."""

    kind: Literal["min_weight"]
    by: GroupBy
    limit: Fraction
    groups: Annotated[tuple[str, ...], Field(min_length=1)]
    FIXABLE: ClassVar[bool] = True


class MinCash(_Rule):
    """Cash after the trades at least ``limit`` of the account's value."""

    kind: Literal["min_cash"]
    limit: Fraction
    FIXABLE: ClassVar[bool] = True


class MaxCash(_Rule):
    """Cash after the trades at most ``limit`` of the account's value."""

    kind: Literal["max_cash"]
    limit: Fraction


class Restriction(_Strict):
    """A restricted instrument, optionally only between two dates."""

    instrument: Instrument
    effective_from: date | None = None
    effective_until: date | None = None


def _restriction(value: Any) -> Any:
    return {"instrument": value} if isinstance(value, str) else value


class Restricted(_Rule):
    """Buying a listed instrument is a breach; holding one is a warning. With
    ``account_lists`` the accounts' own do-not-buy lists (from the book) count too."""

    kind: Literal["restricted"]
    instruments: tuple[Restriction, ...] = ()
    account_lists: bool = True
    FIXABLE: ClassVar[bool] = True

    @model_validator(mode="before")
    @classmethod
    def _plain_ids(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("instruments"), list):
            data = {**data, "instruments": [_restriction(v) for v in data["instruments"]]}
        return data

    def restricted_on(self, day: date) -> frozenset[str]:
        """The instruments restricted on ``day``."""
        return frozenset(r.instrument for r in self.instruments
                         if (r.effective_from is None or r.effective_from <= day)
                         and (r.effective_until is None or day <= r.effective_until))


class NoShorts(_Rule):
    """No negative quantity after the trades."""

    kind: Literal["no_shorts"]
    FIXABLE: ClassVar[bool] = True


class MaxGrossExposure(_Rule):
    """Σ |position value| / account value (leverage) at most ``limit``."""

    kind: Literal["max_gross_exposure"]
    limit: Annotated[float, Field(gt=0)]


class MaxTurnover(_Rule):
    """Traded value / account value before the trades at most ``limit`` per day."""

    kind: Literal["max_turnover"]
    limit: Annotated[float, Field(gt=0)]
    FIXABLE: ClassVar[bool] = True


class Liquidity(_Rule):
    """Each order at most ``max_adv_fraction`` of the average daily volume; every instrument
    bought has an ADV of at least ``min_adv`` shares."""

    kind: Literal["liquidity"]
    max_adv_fraction: Annotated[float, Field(gt=0)] | None = None
    min_adv: Annotated[float, Field(ge=0)] | None = None
    FIXABLE: ClassVar[bool] = True

    @model_validator(mode="after")
    def _some_limit(self) -> Liquidity:
        if self.max_adv_fraction is None and self.min_adv is None:
            raise PydanticCustomError("liquidity", "give max_adv_fraction, min_adv or both")
        return self


class TailMethod(StrEnum):
    HISTORICAL = "historical"
    GAUSSIAN = "gaussian"


class MaxVar(_Rule):
    """One-day VaR (``max_var``) or CVaR (``max_cvar``) of the post-trade weights on the
    input's daily returns at most ``limit`` (a loss fraction)."""

    kind: Literal["max_var", "max_cvar"]
    limit: Fraction
    confidence: Annotated[float, Field(gt=0, lt=1)] = 0.95
    method: TailMethod = TailMethod.HISTORICAL


class MaxTrackingError(_Rule):
    """Annualized tracking error of the post-trade weights against the model's targets."""

    kind: Literal["max_tracking_error"]
    limit: Fraction
    periods_per_year: Annotated[int, Field(gt=0)] = 252


class Suitability(_Rule):
    """The model's risk level not above the account's risk score (unknown: a warning)."""

    kind: Literal["suitability"]


class WashSale(_Rule):
    """No buy of a wash-sale group the household sold at a loss in the last
    ``window_days`` days or sells at a loss in the same batch."""

    kind: Literal["wash_sale"]
    window_days: Annotated[int, Field(ge=0)] = 30
    FIXABLE: ClassVar[bool] = True


Rule = Annotated[
    MaxWeight | MinWeight | MinCash | MaxCash | Restricted | NoShorts | MaxGrossExposure
    | MaxTurnover | Liquidity | MaxVar | MaxTrackingError | Suitability | WashSale,
    Field(discriminator="kind"),
]


class RiskProfiles(_Strict):
    """Risk levels of models and risk scores of accounts (1 lowest), for suitability."""

    models: dict[str, Annotated[int, Field(ge=1, le=10)]] = {}
    accounts: dict[str, Annotated[int, Field(ge=1, le=10)]] = {}


class DrawdownRung(_Strict):
    """At a drawdown of ``drawdown`` (0.10: −10%) or deeper, risky sleeves at ``scale`` of
    their target."""

    drawdown: Annotated[float, Field(gt=0, lt=1)]
    scale: Fraction


class DrawdownRule(_Strict):
    """A de-risking ladder for the accounts in scope (the firm's, a model's or an account's):
    measured on the model's value series when ``model`` is set, else on each account's. The
    cut weight goes to the ``defensive`` sleeves pro rata to their targets, or to cash. On
    recovery the ladder steps back one rung a day while the drawdown is above
    ``release_above`` (0.05: −5%), or once ``release_after_days`` have passed on a rung."""

    id: Name
    model: Name | None = None
    account: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    risky: Annotated[tuple[Name, ...], Field(min_length=1)]
    defensive: tuple[Name, ...] = ()
    ladder: Annotated[tuple[DrawdownRung, ...], Field(min_length=1)]
    release_above: Annotated[float, Field(ge=0, lt=1)] | None = None
    release_after_days: Annotated[int, Field(ge=1)] | None = None
    description: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> DrawdownRule:
        depths = [r.drawdown for r in self.ladder]
        scales = [r.scale for r in self.ladder]
        if depths != sorted(set(depths)) or scales != sorted(scales, reverse=True):
            raise PydanticCustomError("ladder", "rungs must go deeper with smaller scales")
        if set(self.risky) & set(self.defensive):
            raise PydanticCustomError("defensive", "a sleeve cannot be risky and defensive")
        if self.model is not None and self.account is not None:
            raise PydanticCustomError("scope", "give model or account, not both")
        if self.release_above is not None and self.release_above >= depths[0]:
            raise PydanticCustomError("release_above", "must be shallower than the first rung")
        return self


class RuleSet(_Strict):
    """A named, versioned set of rules (and drawdown ladders)."""

    name: Name
    description: str = ""
    risk_profiles: RiskProfiles = RiskProfiles()
    rules: tuple[Rule, ...] = ()
    drawdown: tuple[DrawdownRule, ...] = ()

    @model_validator(mode="after")
    def _unique_ids(self) -> RuleSet:
        seen: set[str] = set()
        for rule in (*self.rules, *self.drawdown):
            if rule.id in seen:
                raise PydanticCustomError("rules", "rule id {id} is used twice", {"id": rule.id})
            seen.add(rule.id)
        return self

    @property
    def version(self) -> str:
        """First 12 hex digits of the SHA-256 of the validated content."""
        # Sets without ladders keep the versions they had before ladders existed.
        text = self.model_dump_json(exclude={"drawdown"} if not self.drawdown else None)
        return hashlib.sha256(text.encode()).hexdigest()[:12]


def _path(loc: tuple[int | str, ...]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")


MESSAGES = {"extra_forbidden": "unknown field", "missing": "required"}


def parse_rule_set(text: str, source: str = "<text>") -> RuleSet:
    """Validate a rule-set YAML document; ConfigError names ``source`` and each field path."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a rule set (a mapping with name and rules)")
    try:
        return RuleSet.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        lines = [f"{source}: {_loc(data, e['loc'])}: {MESSAGES.get(e['type'], e['msg'])}"
                 for e in errors]
        raise ConfigError("\n".join(lines), field=_path(errors[0]["loc"])) from None


def _loc(data: dict[str, Any], loc: tuple[int | str, ...]) -> str:
    """The error path without pydantic's union tag (``rules[0].max_weight.limit`` →
    ``rules[0].limit``), and the rule's id when it has one."""
    parts = list(loc)
    if len(parts) > 2 and parts[0] == "rules" and isinstance(parts[1], int):
        rule = data["rules"][parts[1]] if isinstance(data.get("rules"), list) else None
        if isinstance(rule, dict) and parts[2] == rule.get("kind"):
            del parts[2]
        label = rule.get("id") if isinstance(rule, dict) else None
        if isinstance(label, str):
            return f"rule {label}: {_path(tuple(parts))}"
    return _path(tuple(parts)) or "(rule set)"


def load_rule_sets(paths: Iterable[Path | str]) -> list[tuple[RuleSet, str]]:
    """Each file's rule set and its text. Raises ConfigError for an unreadable or invalid file,
    or a rule id or set name used in two files."""
    out: list[tuple[RuleSet, str]] = []
    for path in map(Path, paths):
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
        out.append((parse_rule_set(text, str(path)), text))
    check_distinct([s for s, _ in out])
    return out


def check_distinct(sets: Iterable[RuleSet]) -> None:
    """Raise ConfigError when two sets share a name or a rule id, or disagree on a risk
    level or score."""
    names: set[str] = set()
    ids: dict[str, str] = {}
    levels: dict[str, int] = {}
    for s in sets:
        if s.name in names:
            raise ConfigError(f"rule set {s.name} is given twice", field="name")
        names.add(s.name)
        for rule in s.rules:
            if rule.id in ids:
                raise ConfigError(f"rule id {rule.id} is in rule sets {ids[rule.id]} and "
                                  f"{s.name}", field="id")
            ids[rule.id] = s.name
        profiles = {**{f"model {k}": v for k, v in s.risk_profiles.models.items()},
                    **{f"account {k}": v for k, v in s.risk_profiles.accounts.items()}}
        for key, value in profiles.items():
            if levels.setdefault(key, value) != value:
                raise ConfigError(f"{s.name}: risk_profiles: {key} is {value} here and "
                                  f"{levels[key]} in another rule set", field="risk_profiles")


class KillSwitchPolicy(_Strict):
    """When the kill switch engages by itself; a limit left unset is not watched."""

    max_data_age_minutes: Annotated[float, Field(gt=0)] | None = None
    max_reject_rate: Fraction | None = None
    min_orders_for_reject_rate: Annotated[int, Field(ge=1)] = 10
    max_intraday_loss: Fraction | None = None
    max_reconciliation_break: Annotated[float, Field(ge=0)] | None = None
