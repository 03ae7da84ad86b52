"""Model portfolios: the YAML schema, loading, versions and resolution of nested models.

A model holds targets by sleeve (an asset class with an ordered list of eligible instruments), by
single instrument, or by other models (a model of models), plus a cash target and minimum. Every
target has a tolerance band; see docs/models.md.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from ballast.domain.errors import ConfigError

SUM_TOLERANCE = 1e-9
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


def _fraction(value: float) -> float:
    if not 0.0 <= value <= 1.0:
        raise PydanticCustomError("fraction", "must be between 0 and 1")
    return value


def _name(value: str) -> str:
    if not NAME.fullmatch(value):
        raise PydanticCustomError(
            "name", "must be 1 to 64 letters, digits, '_', '-' or '.', starting with a letter "
            "or digit")
    return value


def _instrument(value: str) -> str:
    if not value or any(c.isspace() for c in value):
        raise PydanticCustomError("instrument", "must be an instrument id without spaces")
    return value


def _instruments(value: tuple[str, ...]) -> tuple[str, ...]:
    if not value:
        raise PydanticCustomError("instruments", "must list at least one instrument")
    for n, ident in enumerate(value):
        if ident in value[:n]:
            raise PydanticCustomError("instruments", "{id} is listed twice", {"id": ident})
    return value


Fraction = Annotated[float, AfterValidator(_fraction)]
Name = Annotated[str, AfterValidator(_name)]
Instrument = Annotated[str, AfterValidator(_instrument)]


class TaxEfficiency(StrEnum):
    """How much of a sleeve's return is taxed as it accrues (for asset location)."""

    HIGH = "high"
    LOW = "low"  # e.g. high dividends: better held in tax-deferred accounts


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Bands(_Strict):
    """A target's tolerance: the tighter of ``absolute`` and ``relative`` × target."""

    absolute: Fraction | None = None
    relative: Fraction | None = None

    @model_validator(mode="after")
    def _some_bound(self) -> Bands:
        if self.absolute is None and self.relative is None:
            raise PydanticCustomError("bands", "give absolute, relative or both")
        return self


FIVE_TWENTY_FIVE = Bands(absolute=0.05, relative=0.25)


class Cash(_Strict):
    """Target and minimum cash weight."""

    target: Fraction = 0.0
    minimum: Fraction = 0.0

    @model_validator(mode="after")
    def _minimum_below_target(self) -> Cash:
        if self.minimum > self.target:
            raise PydanticCustomError(
                "cash", "minimum {minimum} exceeds target {target}",
                {"minimum": self.minimum, "target": self.target})
        return self


class Sleeve(_Strict):
    """An asset-class target; the first instrument is bought, the others are alternates."""

    name: Name
    target: Fraction
    instruments: Annotated[tuple[Instrument, ...], AfterValidator(_instruments)]
    bands: Bands | None = None  # None: the model's bands
    tax_efficiency: TaxEfficiency = TaxEfficiency.HIGH


class InstrumentTarget(_Strict):
    """A target on one instrument: a sleeve of one, named after it."""

    instrument: Annotated[Instrument, AfterValidator(_name)]
    target: Fraction
    bands: Bands | None = None
    tax_efficiency: TaxEfficiency = TaxEfficiency.HIGH

    def as_sleeve(self) -> Sleeve:
        """This target as the sleeve of one instrument it stands for."""
        return Sleeve(name=self.instrument, target=self.target, instruments=(self.instrument,),
                      bands=self.bands, tax_efficiency=self.tax_efficiency)


class NestedModel(_Strict):
    """A model held inside a model of models, at a weight."""

    model: Name
    weight: Fraction


class ModelSpec(_Strict):
    """One model file entry, validated. Its ``version`` is a hash of its content."""

    name: Name
    description: str = ""
    cash: Cash = Cash()
    bands: Bands = FIVE_TWENTY_FIVE
    sleeves: tuple[Sleeve, ...] = ()
    targets: tuple[InstrumentTarget, ...] = ()
    models: tuple[NestedModel, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> ModelSpec:
        problems = self._nested_problems() if self.models else self._leaf_problems()
        if problems:
            raise ConfigError("\n".join(f"{self.name}: {path}: {what}" for path, what in problems),
                              field=problems[0][0])
        return self

    def _nested_problems(self) -> list[tuple[str, str]]:
        problems: list[tuple[str, str]] = [
            (key, "a model of models takes it from its nested models")
            for key in ("cash", "bands") if key in self.model_fields_set]
        if self.sleeves or self.targets:
            problems.append(("models", "give sleeves and targets, or models, not both"))
        seen: set[str] = set()
        for i, nested in enumerate(self.models):
            if nested.weight <= 0:
                problems.append((f"models[{i}].weight", "must be positive"))
            if nested.model in seen:
                problems.append((f"models[{i}].model", f"{nested.model} is listed twice"))
            seen.add(nested.model)
        total = sum(m.weight for m in self.models)
        if abs(total - 1.0) > SUM_TOLERANCE:
            problems.append(("models", f"weights sum to {total:.12g}, not 1"))
        return problems

    def _leaf_problems(self) -> list[tuple[str, str]]:
        if not (self.sleeves or self.targets):
            return [("sleeves", "a model needs sleeves, targets or models")]
        problems: list[tuple[str, str]] = []
        owner: dict[str, str] = {}  # sleeve name -> its path
        holder: dict[str, str] = {}  # instrument -> the sleeve holding it
        entries = [(f"sleeves[{i}]", s) for i, s in enumerate(self.sleeves)]
        entries += [(f"targets[{i}]", t.as_sleeve()) for i, t in enumerate(self.targets)]
        for path, sleeve in entries:
            key = "name" if path.startswith("sleeves") else "instrument"
            if sleeve.name in owner:
                problems.append((f"{path}.{key}",
                                 f"{sleeve.name} is already the name of {owner[sleeve.name]}"))
            owner.setdefault(sleeve.name, path)
            for ident in sleeve.instruments:
                if ident in holder:
                    problems.append((f"{path}.instruments",
                                     f"{ident} is already in sleeve {holder[ident]}"))
                holder.setdefault(ident, sleeve.name)
        invested = sum(s.target for _, s in entries)
        total = invested + self.cash.target
        if abs(total - 1.0) > SUM_TOLERANCE:
            problems.append(("sleeves", f"targets sum to {total:.12g} (sleeves and targets "
                             f"{invested:.12g} + cash {self.cash.target:.12g}), not 1"))
        return problems

    def all_sleeves(self) -> tuple[Sleeve, ...]:
        """Sleeves, then per-instrument targets as sleeves of one (empty for a model of
        models)."""
        return self.sleeves + tuple(t.as_sleeve() for t in self.targets)

    def canonical_json(self) -> str:
        """The validated content, defaults included, as JSON with sorted keys."""
        return json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))

    @property
    def version(self) -> str:
        """First 12 hex digits of the sha256 of ``canonical_json()``: formatting, comments and
        key order do not change it, any value does."""
        return _digest(self.canonical_json())


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


@dataclass(frozen=True, slots=True)
class ResolvedSleeve:
    """A sleeve of a resolved model; a missing bound does not limit the tolerance."""

    name: str
    target: float
    band_absolute: float | None
    band_relative: float | None
    instruments: tuple[str, ...]
    tax_efficiency: TaxEfficiency


@dataclass(frozen=True, slots=True)
class ResolvedModel:
    """A model flattened to sleeves: what an account assigned to ``name`` should hold."""

    name: str
    version: str
    cash_target: float
    cash_minimum: float
    sleeves: tuple[ResolvedSleeve, ...]

    def tolerance(self, sleeve: ResolvedSleeve | str) -> float:
        """min(absolute, relative × target) over the bounds given: the sleeve is out of band
        when |weight − target| exceeds it."""
        if isinstance(sleeve, str):
            named = {s.name: s for s in self.sleeves}
            if sleeve not in named:
                raise KeyError(f"{self.name} has no sleeve {sleeve}")
            sleeve = named[sleeve]
        relative = None if sleeve.band_relative is None else sleeve.band_relative * sleeve.target
        return min(b for b in (sleeve.band_absolute, relative) if b is not None)


def _tighter(a: float | None, b: float | None) -> float | None:
    return b if a is None else a if b is None else min(a, b)


def _flatten(spec: ModelSpec, library: Mapping[str, ModelSpec], weight: float,
             stack: tuple[str, ...], out: dict[str, ResolvedSleeve]) -> tuple[float, float]:
    """Add ``spec``'s sleeves, scaled by ``weight``, into ``out`` (merging same-named ones);
    return its scaled cash target and minimum."""
    if not spec.models:
        for s in spec.all_sleeves():
            bands = s.bands or spec.bands
            part = ResolvedSleeve(s.name, s.target * weight, bands.absolute, bands.relative,
                                  s.instruments, s.tax_efficiency)
            if (prev := out.get(s.name)) is not None:
                part = ResolvedSleeve(
                    s.name, prev.target + part.target,
                    _tighter(prev.band_absolute, part.band_absolute),
                    _tighter(prev.band_relative, part.band_relative),
                    prev.instruments + tuple(i for i in s.instruments
                                             if i not in prev.instruments),
                    TaxEfficiency.LOW if TaxEfficiency.LOW in (
                        prev.tax_efficiency, s.tax_efficiency) else TaxEfficiency.HIGH)
            out[s.name] = part
        return spec.cash.target * weight, spec.cash.minimum * weight
    cash_target = cash_minimum = 0.0
    for i, nested in enumerate(spec.models):
        where = f"{spec.name}: models[{i}].model"
        if nested.model in stack:
            cycle = " → ".join((*stack[stack.index(nested.model):], nested.model))
            raise ConfigError(f"{where}: models nest in a cycle: {cycle}", field="models")
        if nested.model not in library:
            raise ConfigError(f"{where}: unknown model {nested.model} (known: "
                              f"{', '.join(sorted(library)) or 'none'})", field="models")
        target, minimum = _flatten(library[nested.model], library, weight * nested.weight,
                                   (*stack, nested.model), out)
        cash_target += target
        cash_minimum += minimum
    return cash_target, cash_minimum


def _closure(spec: ModelSpec, library: Mapping[str, ModelSpec]) -> dict[str, ModelSpec]:
    found = {spec.name: spec}
    for nested in spec.models:
        if nested.model not in found:
            found |= _closure(library[nested.model], library)
    return found


def resolve(name: str, library: Mapping[str, ModelSpec]) -> ResolvedModel:
    """Flatten model ``name`` of ``library`` into sleeves. Raises ConfigError for an unknown
    model, a cycle, an instrument in two sleeves or targets that do not sum to 1."""
    if name not in library:
        raise ConfigError(f"unknown model {name} (known: {', '.join(sorted(library)) or 'none'})",
                          field="model")
    spec = library[name]
    merged: dict[str, ResolvedSleeve] = {}
    cash_target, cash_minimum = _flatten(spec, library, 1.0, (name,), merged)
    holder: dict[str, str] = {}
    for s in merged.values():
        for ident in s.instruments:
            if ident in holder:
                raise ConfigError(f"{name}: {ident} is in sleeves {holder[ident]} and {s.name}",
                                  field="sleeves")
            holder[ident] = s.name
    total = cash_target + sum(s.target for s in merged.values())
    if abs(total - 1.0) > SUM_TOLERANCE:
        raise ConfigError(f"{name}: resolved targets and cash sum to {total:.12g}, not 1",
                          field="sleeves")
    if spec.models:
        members = sorted(_closure(spec, library).values(), key=lambda m: m.name)
        version = _digest(json.dumps([[m.name, m.version] for m in members]))
    else:
        version = spec.version
    return ResolvedModel(name, version, cash_target, cash_minimum, tuple(merged.values()))


def resolve_all(library: Mapping[str, ModelSpec]) -> dict[str, ResolvedModel]:
    """Every model of ``library`` resolved (so a broken one is found before it is used)."""
    return {name: resolve(name, library) for name in library}


def check_instruments(resolved: ResolvedModel, known_ids: Collection[str]) -> None:
    """Raise ConfigError listing each instrument of ``resolved`` not in ``known_ids``."""
    unknown = [f"{ident} (sleeve {s.name})" for s in resolved.sleeves for ident in s.instruments
               if ident not in known_ids]
    if unknown:
        raise ConfigError(f"{resolved.name}: unknown instruments: {', '.join(unknown)}",
                          hint="Add the instruments to the reference data, or fix the model.",
                          field="instruments")


def _path(loc: tuple[int | str, ...]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")


MESSAGES = {"extra_forbidden": "unknown field", "missing": "required"}


def parse_model(data: Any) -> ModelSpec:
    """Validate one model (a mapping, as YAML gives it); ConfigError names the model and path."""
    try:
        return ModelSpec.model_validate(data)
    except ValidationError as exc:
        name = data.get("name") if isinstance(data, dict) else None
        label = name if isinstance(name, str) else "<unnamed model>"
        errors = exc.errors(include_url=False)
        lines = [f"{label}: {_path(e['loc']) or '(model)'}: {MESSAGES.get(e['type'], e['msg'])}"
                 for e in errors]
        raise ConfigError("\n".join(lines), field=_path(errors[0]["loc"])) from None


def parse_models(text: str, source: str = "<text>") -> list[ModelSpec]:
    """The model or list of models of a YAML document; errors are prefixed with ``source``."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not valid YAML: {exc}") from None
    entries = data if isinstance(data, list) else [data]
    if data is None or not all(isinstance(e, dict) for e in entries):
        raise ConfigError(f"{source}: expected a model (a mapping) or a list of models")
    models = []
    for entry in entries:
        try:
            models.append(parse_model(entry))
        except ConfigError as exc:
            lines = (f"{source}: {line}" for line in str(exc).splitlines())
            raise ConfigError("\n".join(lines), field=exc.field) from None
    return models


def dump_model(spec: ModelSpec) -> str:
    """YAML text of ``spec`` with the fields it was given (parses back to an equal spec)."""
    return yaml.safe_dump(spec.model_dump(mode="json", exclude_unset=True), sort_keys=False,
                          allow_unicode=True)


def load_models(paths: Path | str | Iterable[Path | str]) -> dict[str, ModelSpec]:
    """Models by name from YAML files (a directory stands for its ``*.yaml`` and ``*.yml``).
    Raises ConfigError naming the file for an invalid model or a name defined twice."""
    items = [paths] if isinstance(paths, str | Path) else list(paths)
    files: list[Path] = []
    for item in map(Path, items):
        files += sorted([*item.glob("*.yaml"), *item.glob("*.yml")]) if item.is_dir() else [item]
    library: dict[str, ModelSpec] = {}
    origin: dict[str, Path] = {}
    for file in files:
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"{file}: cannot read: {exc.strerror}") from None
        for spec in parse_models(text, str(file)):
            if spec.name in library:
                raise ConfigError(f"{file}: model {spec.name} is already defined in "
                                  f"{origin[spec.name]}", field="name")
            library[spec.name] = spec
            origin[spec.name] = file
    return library
