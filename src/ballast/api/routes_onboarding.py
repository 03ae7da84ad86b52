"""Onboarding: the questionnaire in force, scoring answers, and onboarding a client (portfolio
manager or compliance; a suitability override needs compliance). The tax id and the ID
document's number are accepted, never returned."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from ballast.api.auth import CurrentUser, require, store_of
from ballast.config.onboarding import Application, Assessment, DimensionScore, Questionnaire
from ballast.engine import onboarding
from ballast.engine.users import Permission

router = APIRouter(prefix="/api/onboarding", tags=["onboarding"],
                   dependencies=[Depends(require(Permission.READ))])
Id = Annotated[str, Field(min_length=1, max_length=64)]
Account = Annotated[str | None, Query(min_length=1, max_length=64)]


class QuestionnaireOut(BaseModel):
    """The questionnaire in force and its version (content hash)."""

    version: str
    questionnaire: Questionnaire


class QuestionnaireIn(BaseModel):
    """A questionnaire's YAML to bring into force, and why."""

    model_config = ConfigDict(extra="forbid")
    yaml: Annotated[str, Field(min_length=1, max_length=200_000)]
    reason: Annotated[str, Field(min_length=1, max_length=1000)]


class ScoreIn(BaseModel):
    """Answers to score: question id → option id."""

    model_config = ConfigDict(extra="forbid")
    answers: dict[Id, Id]


class DimensionOut(BaseModel):
    points: float
    score: int


class AssessmentOut(BaseModel):
    """The risk score (attitude capped by capacity and horizon), which dimension capped it,
    each dimension's points and score, and the recommended model."""

    questionnaire: str
    questionnaire_version: str
    risk_score: int
    recommended_model: str
    capped_by: str
    attitude: DimensionOut
    capacity: DimensionOut | None
    horizon: DimensionOut | None
    answers: dict[str, str]


class OnboardedOut(BaseModel):
    """What was opened: the household, each account's model, the assessment, the override
    reason ("" when none was needed) and the suitability record ids."""

    household_id: str
    models: dict[str, str]
    assessment: AssessmentOut
    override_reason: str
    suitability_ids: list[int]


class SuitabilityOut(BaseModel):
    id: int
    household_id: str
    account_id: str
    questionnaire_version: str
    answers: dict[str, str]
    risk_score: int
    attitude_score: int
    capacity_score: int | None
    horizon_score: int | None
    model_recommended: str
    model_chosen: str
    override_reason: str
    user: str
    at: datetime


class ClientOut(BaseModel):
    """A household's KYC profile, the tax id and document number masked to their last four."""

    household_id: str
    legal_name: str
    date_of_birth: date
    address: str
    country: str
    tax_id: str
    tax_id_encrypted: bool
    employment: str
    source_of_funds: str
    pep: bool
    id_document_type: str
    id_document_number: str
    onboarded_by: str
    onboarded_at: datetime


def _dimension(d: DimensionScore | None) -> DimensionOut | None:
    return None if d is None else DimensionOut(points=d.points, score=d.score)


def _assessment(a: Assessment) -> AssessmentOut:
    attitude = _dimension(a.attitude)
    assert attitude is not None
    return AssessmentOut(
        questionnaire=a.questionnaire, questionnaire_version=a.questionnaire_version,
        risk_score=a.risk_score, recommended_model=a.recommended_model, capped_by=a.capped_by,
        attitude=attitude, capacity=_dimension(a.capacity), horizon=_dimension(a.horizon),
        answers=dict(a.answers))


@router.get("/questionnaire", response_model=QuestionnaireOut)
def get_questionnaire(request: Request) -> QuestionnaireOut:
    """The questionnaire in force: questions, options and points, bands, model per score."""
    q = onboarding.questionnaire(store_of(request))
    return QuestionnaireOut(version=q.version, questionnaire=q)


@router.put("/questionnaire", response_model=QuestionnaireOut,
            dependencies=[Depends(require(Permission.RULES))])
def put_questionnaire(request: Request, body: QuestionnaireIn, principal: CurrentUser
                      ) -> QuestionnaireOut:
    """Bring a questionnaire into force (compliance); its version is stored and journaled."""
    q, _ = onboarding.import_questionnaire(store_of(request), body.yaml, user=principal,
                                           reason=body.reason)
    return QuestionnaireOut(version=q.version, questionnaire=q)


@router.post("/score", response_model=AssessmentOut)
def post_score(request: Request, body: ScoreIn) -> AssessmentOut:
    """Score answers without storing anything (422 naming each bad answer)."""
    return _assessment(onboarding.score(store_of(request), body.answers))


@router.post("", response_model=OnboardedOut, status_code=201)
def post_onboard(request: Request, body: Application, principal: CurrentUser) -> OnboardedOut:
    """Onboard a client: household, accounts, KYC profile and suitability records, all or
    nothing. 422 for a bad answer, an id in use or an unsuitable model without override;
    403 without the role (or without compliance for an override)."""
    done = onboarding.onboard(store_of(request), body, principal)
    request.app.state.book.invalidate()
    return OnboardedOut(household_id=done.household_id, models=done.models,
                        assessment=_assessment(done.assessment),
                        override_reason=done.override_reason,
                        suitability_ids=list(done.suitability_ids))


@router.get("/suitability", response_model=list[SuitabilityOut])
def get_suitability(request: Request, account: Account = None) -> list[SuitabilityOut]:
    """Stored suitability records, oldest first: all, or one account's (``?account=``)."""
    return [SuitabilityOut(
        id=r.id, household_id=r.household_id, account_id=r.account_id,
        questionnaire_version=r.questionnaire_version, answers=r.answers,
        risk_score=r.risk_score, attitude_score=r.attitude_score,
        capacity_score=r.capacity_score, horizon_score=r.horizon_score,
        model_recommended=r.model_recommended, model_chosen=r.model_chosen,
        override_reason=r.override_reason, user=r.user, at=r.at)
        for r in onboarding.suitability(store_of(request), account)]


@router.get("/clients/{household_id}", response_model=ClientOut)
def get_client(request: Request, household_id: str, principal: CurrentUser) -> ClientOut:
    """The KYC profile of an onboarded household, masked (portfolio manager or compliance)."""
    return ClientOut(**asdict(onboarding.client(store_of(request), household_id, principal)))
