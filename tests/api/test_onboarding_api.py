"""The onboarding endpoints with real tokens: the questionnaire, scoring, onboarding (roles,
override, ids in use, bad answers) and the suitability records; the tax id and the document
number go in and never come back out, nor reach the logs or the database in clear."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import text

from ballast.engine.rebalance import import_models
from ballast.sample import sample_models_path
from ballast.security import KEY_ENV, new_key

from .conftest import Api, import_sample_instruments, journal_kinds

DOC = Path(__file__).parents[2] / "docs" / "onboarding.md"
TAX_ID, DOC_NUMBER = "QQ123456C", "533380006"


@pytest.fixture
def app_api(api: Api, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Api:
    """The API's book with the sample instruments it lacks and the demo models stored; a
    secret key in the environment (tax ids encrypted)."""
    monkeypatch.setenv(KEY_ENV, new_key())
    import_sample_instruments(api.store, tmp_path)
    import_models(api.store, [sample_models_path()])
    return api


def application(**accounts_model: str) -> dict[str, Any]:
    """The docs example as a JSON body; ``accounts_model`` gives accounts a model."""
    body = DOC.read_text(encoding="utf-8").split("```yaml\n", 1)[1].split("```", 1)[0]
    data: dict[str, Any] = yaml.safe_load(body)
    data["client"]["date_of_birth"] = data["client"]["date_of_birth"].isoformat()
    for account in data["accounts"]:
        if account["id"] in accounts_model:
            account["model"] = accounts_model[account["id"]]
    return data


def test_questionnaire_and_score(app_api: Api) -> None:
    client, vic = app_api.client, app_api.auth("vic")
    assert client.get("/api/onboarding/questionnaire").status_code == 401
    got = client.get("/api/onboarding/questionnaire", headers=vic)
    assert got.status_code == 200
    q = got.json()
    assert q["questionnaire"]["name"] == "standard" and len(q["version"]) == 12
    assert q["questionnaire"]["models"]["4"] == "balanced"
    answers = application()["answers"]
    scored = client.post("/api/onboarding/score", headers=vic, json={"answers": answers})
    assert scored.status_code == 200, scored.text
    s = scored.json()
    assert (s["risk_score"], s["capped_by"], s["recommended_model"]) == (3, "capacity",
                                                                         "conservative")
    assert s["attitude"] == {"points": 9.0, "score": 4} and s["capacity"]["score"] == 3
    bad = client.post("/api/onboarding/score", headers=vic,
                      json={"answers": {**answers, "horizon": "forever"}})
    assert bad.status_code == 422
    assert "answers.horizon: 'forever' is not an option of question horizon" in bad.json()[
        "message"]
    assert bad.json()["field"] == "answers.horizon"


def test_onboard_as_portfolio_manager(app_api: Api, caplog: pytest.LogCaptureFixture) -> None:
    client = app_api.client
    caplog.set_level(logging.DEBUG)
    assert client.post("/api/onboarding", headers=app_api.auth("vic"),
                       json=application()).status_code == 403
    made = client.post("/api/onboarding", headers=app_api.auth("pam"), json=application())
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["household_id"] == "H100" and body["override_reason"] == ""
    assert body["models"] == {"H100-TAX": "conservative", "H100-ROTH": "conservative"}
    assert body["assessment"]["risk_score"] == 3 and len(body["suitability_ids"]) == 2
    records = client.get("/api/onboarding/suitability?account=H100-ROTH",
                         headers=app_api.auth("vic")).json()
    assert [(r["account_id"], r["model_chosen"], r["risk_score"], r["user"]) for r in
            records] == [("H100-ROTH", "conservative", 3, "pam")]
    profile = client.get("/api/onboarding/clients/H100", headers=app_api.auth("cora"))
    assert profile.status_code == 200, profile.text
    assert (profile.json()["tax_id"], profile.json()["id_document_number"]) == ("****456C",
                                                                                "****0006")
    assert profile.json()["tax_id_encrypted"] is True
    assert client.get("/api/onboarding/clients/H100",
                      headers=app_api.auth("vic")).status_code == 403
    assert client.get("/api/onboarding/clients/H1",
                      headers=app_api.auth("pam")).status_code == 404
    account = client.get("/api/accounts/H100-TAX", headers=app_api.auth("vic"))
    assert account.status_code == 200 and account.json()["account"]["model"] == "conservative"
    again = client.post("/api/onboarding", headers=app_api.auth("pam"), json=application())
    assert again.status_code == 422 and "already in the book: H100" in again.json()["message"]
    assert ("client.onboarded", "pam", "pam onboarded household H100: risk score 3") in \
        journal_kinds(app_api.store)
    with app_api.store.engine.connect() as conn:
        stored = repr([tuple(r) for r in conn.execute(text(
            "SELECT * FROM client_profiles"))]) + repr([tuple(r) for r in conn.execute(text(
                "SELECT * FROM audit_journal"))])
    for secret in (TAX_ID, DOC_NUMBER):
        assert secret not in made.text and secret not in stored and secret not in caplog.text


def test_override_needs_compliance(app_api: Api) -> None:
    client = app_api.client
    riskier = application(**{"H100-TAX": "growth"})
    refused = client.post("/api/onboarding", headers=app_api.auth("pam"), json=riskier)
    assert refused.status_code == 422 and refused.json()["error"] == "Unsuitable"
    assert ("account H100-TAX: model growth has risk level 5, above the client's risk score 3"
            in refused.json()["message"])
    riskier["override_reason"] = "client's written instruction on file"
    assert client.post("/api/onboarding", headers=app_api.auth("pam"),
                       json=riskier).status_code == 403
    made = client.post("/api/onboarding", headers=app_api.auth("cora"), json=riskier)
    assert made.status_code == 201, made.text
    assert made.json()["override_reason"] == "client's written instruction on file"
    assert made.json()["models"]["H100-TAX"] == "growth"


def test_invalid_application_is_a_422_naming_the_field(app_api: Api) -> None:
    body = application()
    del body["client"]["pep"]
    body["client"]["tax_id"] = "1"
    answer = app_api.client.post("/api/onboarding", headers=app_api.auth("pam"), json=body)
    assert answer.status_code == 422
    wheres = {p["where"] for p in answer.json()["problems"]}
    assert {"body.client.pep", "body.client.tax_id"} <= wheres


def test_put_questionnaire_is_for_compliance(app_api: Api) -> None:
    client = app_api.client
    text = (sample_models_path().parent / "onboarding" / "questionnaire.yaml").read_text(
        encoding="utf-8").replace("name: standard", "name: strict").replace(
        "  3: conservative\n  4: balanced", "  3: conservative\n  4: conservative")
    body = {"yaml": text, "reason": "annual review"}
    assert client.put("/api/onboarding/questionnaire", headers=app_api.auth("pam"),
                      json=body).status_code == 403
    bad = client.put("/api/onboarding/questionnaire", headers=app_api.auth("cora"),
                     json={**body, "yaml": text.replace("  5: growth\n", "")})
    assert bad.status_code == 422 and "every score 1 to 5" in bad.json()["message"]
    put = client.put("/api/onboarding/questionnaire", headers=app_api.auth("cora"), json=body)
    assert put.status_code == 200, put.text
    got = client.get("/api/onboarding/questionnaire", headers=app_api.auth("vic")).json()
    assert got["version"] == put.json()["version"]
    assert got["questionnaire"]["name"] == "strict"
    assert ("questionnaire.loaded", "cora", "annual review") in journal_kinds(app_api.store)
