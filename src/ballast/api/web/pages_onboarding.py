"""Onboarding a client: the questionnaire in force with the risk score and recommended model
as the answers are given (HTMX), the KYC fields and a first account; submitting opens the
household through the engine's ``onboard`` (roles, suitability and the journal are its)."""

from __future__ import annotations

import json
from collections.abc import Iterable

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from ballast.api.auth import store_of
from ballast.api.errors import status_of
from ballast.api.routes_book import book_of
from ballast.api.web.session import PageRoute, Poster, Viewer
from ballast.api.web.views import done, render
from ballast.config.onboarding import Employment, IdDocumentType, parse_application
from ballast.domain import AccountType, BallastError
from ballast.engine import onboarding, service
from ballast.engine.users import Principal

router = APIRouter(route_class=PageRoute, include_in_schema=False)
ANSWER = "answer_"
SECRET_FIELDS = frozenset({"tax_id", "id_number", "csrf_token"})


def _answers(fields: Iterable[tuple[str, object]]) -> dict[str, str]:
    """The questionnaire's answers in a form: fields ``answer_<question id>``."""
    return {k.removeprefix(ANSWER): str(v) for k, v in fields
            if k.startswith(ANSWER) and str(v)}


def _form_page(request: Request, principal: Principal, form: FormData | None = None,
               error: str = "", status_code: int = 200) -> Response:
    store = store_of(request)
    models = sorted(v.name for v, current in service.model_versions(store) if current)
    kept = {k: str(v) for k, v in (form or FormData()).items() if k not in SECRET_FIELDS}
    return render(request, "onboarding.html", principal, status_code=status_code,
                  questionnaire=onboarding.questionnaire(store), models=models,
                  employments=list(Employment), documents=list(IdDocumentType),
                  account_types=list(AccountType), form=kept, error=error)


@router.get("/onboarding", response_class=HTMLResponse)
def onboarding_page(request: Request, principal: Viewer) -> Response:
    """The onboarding form."""
    return _form_page(request, principal)


@router.get("/onboarding/score", response_class=HTMLResponse)
def score(request: Request, principal: Viewer) -> Response:
    """The risk score and recommended model of the answers given so far."""
    answers = _answers(request.query_params.multi_items())
    questions = onboarding.questionnaire(store_of(request)).questions
    left = sum(1 for q in questions if q.id not in answers)
    if left:
        return render(request, "partials/risk_score.html", principal, assessment=None,
                      missing=f"{left} of {len(questions)} questions still to answer.")
    try:
        assessment = onboarding.score(store_of(request), answers)
    except BallastError as exc:
        return render(request, "partials/risk_score.html", principal, assessment=None,
                      missing=str(exc))
    return render(request, "partials/risk_score.html", principal, assessment=assessment,
                  missing="")


def application_json(form: FormData) -> str:
    """The onboarding form as the engine's application document (JSON, which is YAML)."""
    text = {k: str(v).strip() for k, v in form.items() if not k.startswith(ANSWER)}
    account = {"id": text.get("account_id", ""), "name": text.get("account_name", ""),
               "type": text.get("account_type", ""), "custodian": text.get("custodian", "")}
    if text.get("model"):
        account["model"] = text["model"]
    document = {
        "household": {"id": text.get("household_id", ""), "name": text.get("household_name", "")},
        "client": {"legal_name": text.get("legal_name", ""),
                   "date_of_birth": text.get("date_of_birth", ""),
                   "address": text.get("address", ""), "country": text.get("country", ""),
                   "tax_id": text.get("tax_id", ""), "employment": text.get("employment", ""),
                   "source_of_funds": text.get("source_of_funds", ""),
                   "pep": text.get("pep") == "yes",
                   "id_document": {"type": text.get("id_type", ""),
                                   "number": text.get("id_number", "")}},
        "answers": _answers(form.multi_items()),
        "accounts": [account],
    }
    if text.get("override_reason"):
        document["override_reason"] = text["override_reason"]
    return json.dumps(document)


@router.post("/onboarding")
async def submit(request: Request, principal: Poster) -> Response:
    """Onboard the client (portfolio manager or compliance) and show the new account."""
    form = await request.form()
    try:
        application = parse_application(application_json(form), "the onboarding form")
        opened = await run_in_threadpool(onboarding.onboard, store_of(request), application,
                                         principal)
    except BallastError as exc:
        message = f"{exc} {exc.hint}" if exc.hint else str(exc)
        return await run_in_threadpool(_form_page, request, principal, form, message,
                                       status_of(exc))
    book_of(request).invalidate()
    a = opened.assessment
    return done(request, f"/accounts/{opened.accounts[0]}",
                f"Onboarded {opened.household_id}: risk score {a.risk_score}, model "
                f"{opened.models[opened.accounts[0]]}.")
