"""Onboarding: the risk questionnaire (versioned YAML) and a client's application.

Scoring (see docs/onboarding.md): each answer is worth ``weight × points``; the points of the
questions of a dimension (``attitude``, ``capacity`` for loss, ``horizon``) are added up and the
dimension's bands turn the total into a score from 1 to 5 (the band with the highest
``min_points`` not above the total). The risk score is the attitude score, capped by the
capacity and horizon scores: the lowest of the three, so a client willing to take risk they
cannot afford, or for longer than they will invest, is not given it (FCA COBS 9A, FINRA 2111).
The questionnaire names the model recommended for each score.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, TypeVar

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ballast.config.models import Name
from ballast.domain.account import AccountType, LotMethod
from ballast.domain.errors import ConfigError

SCORES = (1, 2, 3, 4, 5)
M = TypeVar("M", bound=BaseModel)
IDENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


def _ident(value: str) -> str:
    if not IDENT.fullmatch(value):
        raise PydanticCustomError("id", "must be 1 to 64 letters, digits, '_', '-' or '.', "
                                  "starting with a letter or digit")
    return value


def _text(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("text", "must not be empty")
    return value.strip()


Ident = Annotated[str, AfterValidator(_ident)]
Text = Annotated[str, AfterValidator(_text), Field(max_length=500)]


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Dimension(StrEnum):
    """What a question measures."""

    ATTITUDE = "attitude"  # willingness to take risk (goals, reactions to losses)
    CAPACITY = "capacity"  # ability to bear losses (income, reserves, reliance on the money)
    HORIZON = "horizon"  # how long the money stays invested


class Option(_Strict):
    """An answer a question offers, and its points."""

    id: Ident
    text: Text
    points: Annotated[float, Field(ge=0)]


class Question(_Strict):
    """A question of one dimension; an answer is worth ``weight`` × the option's points."""

    id: Ident
    text: Text
    dimension: Dimension
    weight: Annotated[float, Field(gt=0)] = 1.0
    options: Annotated[tuple[Option, ...], Field(min_length=2)]

    @model_validator(mode="after")
    def _distinct_options(self) -> Question:
        ids = [o.id for o in self.options]
        if len(set(ids)) != len(ids):
            raise PydanticCustomError("options", "option ids must be distinct")
        return self

    def option(self, option_id: str) -> Option | None:
        """The option called ``option_id``, or None."""
        return next((o for o in self.options if o.id == option_id), None)


class Band(_Strict):
    """From ``min_points`` (inclusive) up to the next band, the dimension scores ``score``."""

    min_points: Annotated[float, Field(ge=0)]
    score: Annotated[int, Field(ge=1, le=5)]


def _check_bands(dimension: str, bands: tuple[Band, ...]) -> None:
    floors = [b.min_points for b in bands]
    scores = [b.score for b in bands]
    if not bands or floors[0] != 0:
        raise PydanticCustomError("bands", "{d}: the first band must start at min_points 0",
                                  {"d": dimension})
    if floors != sorted(set(floors)) or scores != sorted(set(scores)):
        raise PydanticCustomError("bands", "{d}: min_points and scores must both increase",
                                  {"d": dimension})


@dataclass(frozen=True, slots=True)
class DimensionScore:
    """A dimension's points and the score its bands give them."""

    points: float
    score: int


@dataclass(frozen=True, slots=True)
class Assessment:
    """A client's risk profile from their answers: the score of each dimension answered, the
    risk score (attitude capped by capacity and horizon), which dimension capped it ("" when
    none did) and the model recommended for it."""

    questionnaire: str
    questionnaire_version: str
    risk_score: int
    recommended_model: str
    attitude: DimensionScore
    capacity: DimensionScore | None
    horizon: DimensionScore | None
    capped_by: str
    answers: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        def dim(d: DimensionScore | None) -> dict[str, float] | None:
            return None if d is None else {"points": d.points, "score": d.score}
        return {"questionnaire": self.questionnaire,
                "questionnaire_version": self.questionnaire_version,
                "risk_score": self.risk_score, "recommended_model": self.recommended_model,
                "attitude": dim(self.attitude), "capacity": dim(self.capacity),
                "horizon": dim(self.horizon), "capped_by": self.capped_by,
                "answers": dict(self.answers)}


class Questionnaire(_Strict):
    """A risk questionnaire: questions, bands per dimension, and the model per score."""

    name: Name
    description: str = ""
    questions: Annotated[tuple[Question, ...], Field(min_length=1)]
    bands: dict[Dimension, tuple[Band, ...]]
    models: dict[Annotated[int, Field(ge=1, le=5)], Name]

    @model_validator(mode="after")
    def _consistent(self) -> Questionnaire:
        ids = [q.id for q in self.questions]
        if len(set(ids)) != len(ids):
            raise PydanticCustomError("questions", "question ids must be distinct")
        used = {q.dimension for q in self.questions}
        if Dimension.ATTITUDE not in used:
            raise PydanticCustomError("questions", "at least one question must measure "
                                      "attitude")
        for dimension in sorted(used):
            if dimension not in self.bands:
                raise PydanticCustomError("bands", "no bands for dimension {d}",
                                          {"d": dimension.value})
        for dimension, bands in self.bands.items():
            if dimension not in used:
                raise PydanticCustomError("bands", "bands for {d}, which no question measures",
                                          {"d": dimension.value})
            _check_bands(dimension.value, bands)
        if sorted(self.models) != list(SCORES):
            raise PydanticCustomError("models", "must name the model of every score 1 to 5")
        return self

    @property
    def version(self) -> str:
        """First 12 hex digits of the SHA-256 of the validated content."""
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()[:12]

    def question(self, question_id: str) -> Question | None:
        """The question called ``question_id``, or None."""
        return next((q for q in self.questions if q.id == question_id), None)

    def check_answers(self, answers: Mapping[str, str]) -> None:
        """Raise ConfigError listing every answer to a question not asked, every question not
        answered, and every answer that is not one of the question's options."""
        problems: list[tuple[str, str]] = []
        for qid, answer in answers.items():
            question = self.question(qid)
            if question is None:
                problems.append((qid, f"answers.{qid}: no such question in questionnaire "
                                      f"{self.name} (questions: {', '.join(self._ids())})"))
            elif question.option(answer) is None:
                offered = ", ".join(o.id for o in question.options)
                problems.append((qid, f"answers.{qid}: {answer!r} is not an option of "
                                      f"question {qid} (options: {offered})"))
        problems += [(q.id, f"answers.{q.id}: question {q.id} is not answered ({q.text})")
                     for q in self.questions if q.id not in answers]
        if problems:
            raise ConfigError("; ".join(p for _, p in problems), field=f"answers.{problems[0][0]}",
                              hint="Answer every question of the questionnaire with one of its "
                              "option ids (`ballast questionnaire show`).")

    def _ids(self) -> list[str]:
        return [q.id for q in self.questions]

    def assess(self, answers: Mapping[str, str]) -> Assessment:
        """Score ``answers`` (question id → option id), checked first."""
        self.check_answers(answers)
        totals: dict[Dimension, float] = {}
        for q in self.questions:
            option = q.option(answers[q.id])
            assert option is not None  # checked above
            totals[q.dimension] = totals.get(q.dimension, 0.0) + q.weight * option.points
        scored = {d: DimensionScore(round(p, 9), self._band(d, p)) for d, p in totals.items()}
        attitude = scored[Dimension.ATTITUDE]
        risk, capped_by = attitude.score, ""
        for d in (Dimension.CAPACITY, Dimension.HORIZON):
            if d in scored and scored[d].score < risk:
                risk, capped_by = scored[d].score, d.value
        return Assessment(self.name, self.version, risk, self.models[risk], attitude,
                          scored.get(Dimension.CAPACITY), scored.get(Dimension.HORIZON),
                          capped_by, {q.id: answers[q.id] for q in self.questions})

    def _band(self, dimension: Dimension, points: float) -> int:
        return max((b for b in self.bands[dimension] if b.min_points <= points + 1e-9),
                   key=lambda b: b.min_points).score


class Employment(StrEnum):
    EMPLOYED = "employed"
    SELF_EMPLOYED = "self_employed"
    RETIRED = "retired"
    UNEMPLOYED = "unemployed"
    STUDENT = "student"
    HOMEMAKER = "homemaker"


class IdDocumentType(StrEnum):
    PASSPORT = "passport"
    NATIONAL_ID = "national_id"
    DRIVING_LICENCE = "driving_licence"


def _secret(value: SecretStr) -> SecretStr:
    clear = value.get_secret_value().strip()
    if sum(c.isalnum() for c in clear) < 4:
        raise PydanticCustomError("secret", "must have at least 4 letters or digits")
    return SecretStr(clear)


def _past(value: date) -> date:
    if value >= date.today():
        raise PydanticCustomError("date_of_birth", "must be in the past")
    return value


def _country(value: str) -> str:
    if not re.fullmatch(r"[A-Z]{2}", value):
        raise PydanticCustomError("country", "must be an ISO 3166 code of two capital letters "
                                  "such as US or GB")
    return value


Secret = Annotated[SecretStr, AfterValidator(_secret)]
Country = Annotated[str, AfterValidator(_country)]


class IdDocument(_Strict):
    """The identity document seen; only its last four characters are stored."""

    type: IdDocumentType
    number: Secret


class Client(_Strict):
    """Know-your-customer facts of the client. The tax id and the document number are held as
    secrets: never printed, stored encrypted or masked."""

    legal_name: Text
    date_of_birth: Annotated[date, AfterValidator(_past)]
    address: Text
    country: Country
    tax_id: Secret
    employment: Employment
    source_of_funds: Text
    pep: bool
    id_document: IdDocument


class HouseholdIn(_Strict):
    id: Ident
    name: Text


class AccountIn(_Strict):
    """An account to open; ``model`` defaults to the one recommended for the risk score."""

    id: Ident
    name: Text
    type: AccountType
    base_currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "USD"
    custodian: Annotated[str, Field(max_length=64)] = ""
    lot_method: LotMethod = LotMethod.MIN_TAX
    model: Name | None = None


class Application(_Strict):
    """A client's application: the household, its KYC facts, the answers to the questionnaire,
    the accounts to open, and the reason for choosing a model riskier than the score."""

    household: HouseholdIn
    client: Client
    answers: dict[Ident, Ident]
    accounts: Annotated[tuple[AccountIn, ...], Field(min_length=1)]
    override_reason: Annotated[str, Field(max_length=1000)] | None = None

    @model_validator(mode="after")
    def _distinct_accounts(self) -> Application:
        ids = [a.id for a in self.accounts]
        if len(set(ids)) != len(ids):
            raise PydanticCustomError("accounts", "account ids must be distinct")
        return self


MESSAGES = {"extra_forbidden": "unknown field", "missing": "required"}


def _path(loc: tuple[int | str, ...]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")


def _validate(kind: type[M], text: str, source: str, what: str) -> M:
    """Parse YAML ``text`` into ``kind``; ConfigError names ``source`` and each field path
    (never the value given, which may be a secret)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:  # said without the text around it: it may hold a secret
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{source}: not valid YAML{where}: "
                          f"{getattr(exc, 'problem', None) or 'cannot parse'}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected {what} (a mapping)")
    try:
        return kind.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        lines = [f"{source}: {_path(e['loc']) or what}: {MESSAGES.get(e['type'], e['msg'])}"
                 for e in errors]
        raise ConfigError("\n".join(lines), field=_path(errors[0]["loc"])) from None


def parse_questionnaire(text: str, source: str = "<text>") -> Questionnaire:
    """Validate a questionnaire YAML document."""
    return _validate(Questionnaire, text, source, "a questionnaire")


def parse_application(text: str, source: str = "<text>") -> Application:
    """Validate an application YAML document (its answers are checked against the
    questionnaire when it is onboarded)."""
    return _validate(Application, text, source, "an application")
