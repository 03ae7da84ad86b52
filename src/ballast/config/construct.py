"""Construction specs: the YAML that tells ``ballast model build`` how to make a model.

A spec names the model to write, its universe (sleeves, whose first instrument is priced and
bought and the others are alternates, and single instruments), the estimation window, the
estimators, the optimizer with its constraints, and the model's cash and bands. See
docs/model_building.md.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import Field, ValidationError, model_validator
from pydantic_core import ErrorDetails, PydanticCustomError

from ballast.config.construct_methods import (
    UNCONSTRAINED,
    BlackLitterman,
    DirectIndex,
    Estimators,
    FactorCov,
    FactorFile,
    Method,
    RiskParity,
    Strict,
    VolTarget,
)
from ballast.config.models import (
    FIVE_TWENTY_FIVE,
    Bands,
    Cash,
    Fraction,
    Instrument,
    Name,
    TaxEfficiency,
)
from ballast.domain.errors import ConfigError


class Asset(Strict):
    """One asset of the optimizer: a sleeve (``sleeve`` + ``instruments``) or ``instrument``."""

    sleeve: Name | None = None
    instruments: tuple[Instrument, ...] = ()
    instrument: Name | None = None
    group: str = ""
    min: Fraction | None = None
    max: Fraction | None = None
    tax_efficiency: TaxEfficiency = TaxEfficiency.HIGH

    @model_validator(mode="after")
    def _one_kind(self) -> Asset:
        if (self.sleeve is None) == (self.instrument is None):
            raise PydanticCustomError("asset", "give sleeve (with instruments) or instrument")
        if self.sleeve is not None and not self.instruments:
            raise PydanticCustomError("asset", "a sleeve needs instruments")
        if self.instrument is not None and self.instruments:
            raise PydanticCustomError("asset", "instruments belong to a sleeve; a single "
                                      "instrument is given by instrument")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise PydanticCustomError("asset", "min {min} exceeds max {max}",
                                      {"min": self.min, "max": self.max})
        return self

    @property
    def name(self) -> str:
        """The sleeve's name, or the instrument id."""
        return self.sleeve if self.sleeve is not None else str(self.instrument)

    @property
    def held(self) -> tuple[str, ...]:
        """The instruments in order of preference: the first is priced and bought."""
        return self.instruments or (str(self.instrument),)


class Turnover(Strict):
    """Σ|w − current| ≤ ``max``, the current weights being the stored model ``model``'s."""

    model: Name
    max: float = Field(ge=0, le=2)


class ConstraintSpec(Strict):
    min_weight: Fraction = 0.0
    max_weight: Fraction = 1.0
    group_by: Literal["group", "sector", "asset_class"] = "group"
    group_bounds: dict[str, tuple[Fraction, Fraction]] = Field(default_factory=dict)
    max_holdings: int | None = Field(None, ge=1)
    turnover: Turnover | None = None


class BuildSpec(Strict):
    """A construction spec, validated; ``version`` is a hash of its content."""

    name: Name
    description: str = ""
    as_of: date | None = None
    lookback_days: int = Field(756, ge=20)
    universe: tuple[Asset, ...]
    estimators: Estimators = Estimators()
    method: Method
    constraints: ConstraintSpec = ConstraintSpec()
    factors: FactorFile | None = None
    cash: Cash = Cash()
    bands: Bands = FIVE_TWENTY_FIVE

    @model_validator(mode="after")
    def _consistent(self) -> BuildSpec:
        problems = (self._universe_problems() + self._method_problems()
                    + self._factor_problems())
        if round(self.cash.target, 4) != self.cash.target:
            problems.append(("cash.target", "must be a multiple of 0.0001 (the weights' step)"))
        if problems:
            raise ConfigError("\n".join(f"{self.name}: {p}: {what}" for p, what in problems),
                              field=problems[0][0])
        return self

    def _universe_problems(self) -> list[tuple[str, str]]:
        problems: list[tuple[str, str]] = []
        if len(self.universe) < 2:
            problems.append(("universe", "list at least two assets"))
        names: set[str] = set()
        held: set[str] = set()
        for i, asset in enumerate(self.universe):
            if asset.name in names:
                problems.append((f"universe[{i}]", f"{asset.name} is listed twice"))
            names.add(asset.name)
            problems += [(f"universe[{i}].instruments", f"{ident} is already in the universe")
                         for ident in asset.held if ident in held]
            held.update(asset.held)
        c = self.constraints
        if c.min_weight > c.max_weight:
            problems.append(("constraints.min_weight", "exceeds max_weight"))
        groups = {a.group for a in self.universe}
        for label, (lo, hi) in c.group_bounds.items():
            if lo > hi:
                problems.append((f"constraints.group_bounds.{label}", "lower above upper"))
            if c.group_by == "group" and label not in groups:
                problems.append((f"constraints.group_bounds.{label}",
                                 "no asset of the universe has this group"))
        return problems

    def _method_problems(self) -> list[tuple[str, str]]:
        m = self.method
        names = {a.name for a in self.universe}
        refs: list[tuple[str, str]] = []  # (path, asset name) the method refers to
        problems: list[tuple[str, str]] = []
        if m.name in UNCONSTRAINED and ("constraints" in self.model_fields_set or any(
                a.min is not None or a.max is not None for a in self.universe)):
            problems.append(("constraints", f"{m.name} takes no constraints or asset bounds"))
        if isinstance(m, RiskParity) and m.budgets is not None:
            refs += [(f"method.budgets.{k}", k) for k in m.budgets]
            problems += [("method.budgets", f"no budget for {k}")
                         for k in sorted(names - set(m.budgets))]
        if isinstance(m, BlackLitterman):
            refs += [(f"method.market_weights.{k}", k) for k in m.market_weights]
            refs += [(f"method.views[{i}].assets.{k}", k)
                     for i, v in enumerate(m.views) for k in v.assets]
            if m.risk_aversion is None and m.market is None:
                problems.append(("method", "give risk_aversion, or the market instrument to "
                                 "infer it from"))
            if len({v.confidence is None for v in m.views}) > 1:
                problems.append(("method.views", "give a confidence for every view or none"))
        if isinstance(m, VolTarget) and m.reserve is not None:
            refs.append(("method.reserve", m.reserve))
        if isinstance(m, DirectIndex):
            refs += [(f"method.benchmark.{k}", k) for k in m.benchmark]
            refs += [(f"method.exclude[{i}]", k) for i, k in enumerate(m.exclude)]
            if m.sector_caps and self.constraints.group_bounds:
                problems.append(("method.sector_caps", "give sector caps or "
                                 "constraints.group_bounds, not both"))
            if self.constraints.max_holdings is not None:
                problems.append(("constraints.max_holdings", "a direct index takes max_names"))
        return problems + [(path, f"{ref} is not an asset of the universe")
                           for path, ref in refs if ref not in names]

    def _factor_problems(self) -> list[tuple[str, str]]:
        cov, f = self.estimators.covariance, self.factors
        problems: list[tuple[str, str]] = []
        if isinstance(cov, FactorCov) and not cov.factors and f is None:
            problems.append(("estimators.covariance.factors", "name factor instruments, or give "
                             "a factor file in the factors section"))
        if f is None:
            return problems
        if (f.limits or f.tilts) and self.method.name in UNCONSTRAINED:
            problems.append(("factors", f"{self.method.name} takes no factor limits or tilts"))
        problems += [(f"factors.limits.{k}", "lower above upper")
                     for k, (lo, hi) in f.limits.items() if lo > hi]
        problems += [(f"factors.tilts.{k}", "the factor also has limits") for k in f.tilts
                     if k in f.limits]
        if f.columns is not None:
            problems += [(f"factors.{kind}.{k}", "not one of factors.columns")
                         for kind, keys in (("limits", f.limits), ("tilts", f.tilts))
                         for k in keys if k not in f.columns]
        return problems

    @property
    def version(self) -> str:
        """First 12 hex digits of the sha256 of the validated content as sorted JSON."""
        text = json.dumps(self.model_dump(mode="json", by_alias=True), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:12]


TAGS = frozenset({"method", "expected_returns", "covariance"})
MESSAGES = {"extra_forbidden": "unknown field", "missing": "required"}


def _path(loc: tuple[int | str, ...]) -> str:
    """``method.target`` for pydantic's ``('method', 'efficient_risk', 'target')``."""
    parts = [p for i, p in enumerate(loc) if i == 0 or loc[i - 1] not in TAGS]
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts).lstrip(".")


def _message(error: ErrorDetails) -> str:
    if error["type"] == "union_tag_invalid":
        ctx = error.get("ctx", {})
        return f"unknown name {ctx.get('tag')!r}; use one of {ctx.get('expected_tags')}"
    if error["type"] == "union_tag_not_found":
        return "give its name"
    return MESSAGES.get(error["type"], error["msg"])


def parse_spec(data: Any, source: str = "<spec>", folder: Path | None = None) -> BuildSpec:
    """Validate a spec (a mapping, as YAML gives it); ConfigError names the path at fault.
    ``folder``: where a relative factor file is (default the working directory)."""
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a construction spec (a mapping)")
    label = data.get("name") if isinstance(data.get("name"), str) else "<unnamed spec>"
    try:
        return BuildSpec.model_validate(data, context={"folder": folder})
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        lines = [f"{source}: {label}: {_path(e['loc']) or '(spec)'}: {_message(e)}"
                 for e in errors]
        raise ConfigError("\n".join(lines), field=_path(errors[0]["loc"])) from None
    except ConfigError as exc:
        raise ConfigError("\n".join(f"{source}: {line}" for line in str(exc).splitlines()),
                          field=exc.field) from None


def load_spec(path: Path | str) -> BuildSpec:
    """The spec in a YAML file; ConfigError names the file and the path of any problem."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    return parse_spec(data, str(path), Path(path).parent)
