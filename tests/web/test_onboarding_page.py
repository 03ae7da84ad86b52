"""The onboarding page: the risk score as answers are given, and a client onboarded through
the form (the example application of docs/onboarding.md: risk score 3, model conservative)."""

from __future__ import annotations

from ballast.engine import onboarding

from .conftest import Dashboard

ANSWERS = {"goal": "growth", "market_fall": "hold", "tradeoff": "wide",
           "loss_capacity": "15_to_30", "income": "covers", "reserves": "none",
           "horizon": "over_10y"}
FORM = {"household_id": "H100", "household_name": "Okafor family", "legal_name": "Ngozi Okafor",
        "date_of_birth": "1981-09-14", "address": "12 Elm Row, Leeds LS6 2AB", "country": "GB",
        "tax_id": "QQ123456C", "employment": "self_employed",
        "source_of_funds": "sale of a business", "id_type": "passport",
        "id_number": "533380006", "account_id": "H100-TAX", "account_name": "Okafor general",
        "account_type": "taxable", "custodian": "Schwab",
        **{f"answer_{k}": v for k, v in ANSWERS.items()}}


def test_the_score_follows_the_answers(dashboard: Dashboard) -> None:
    dashboard.login("pam")
    page = dashboard.client.get("/onboarding")
    assert page.status_code == 200
    assert all(f'name="answer_{q}"' in page.text for q in ANSWERS)
    partial = dashboard.client.get("/onboarding/score", headers={"HX-Request": "true"},
                                   params={f"answer_{k}": v for k, v in ANSWERS.items()})
    assert 'id="risk-score-value">3 ' in partial.text
    assert 'id="recommended-model">conservative<' in partial.text
    partial = dashboard.client.get("/onboarding/score", params={"answer_goal": "growth"})
    assert "6 of 7 questions still to answer." in partial.text
    assert 'id="risk-score-value"' not in partial.text


def test_a_manager_onboards_a_client_through_the_form(dashboard: Dashboard) -> None:
    csrf = dashboard.login("pam")
    answer = dashboard.client.post("/onboarding", data={"csrf_token": csrf, **FORM},
                                   follow_redirects=False)
    assert answer.status_code == 303, answer.text[:2000]
    assert answer.headers["location"].startswith("/accounts/H100-TAX?msg=")
    [record] = onboarding.suitability(dashboard.store, "H100-TAX")
    assert (record.risk_score, record.model_chosen, record.user) == (3, "conservative", "pam")
    page = dashboard.client.get(answer.headers["location"]).text
    assert "risk score 3, model conservative" in page
    assert "QQ123456C" not in page


def test_bad_input_keeps_the_form_and_says_what_is_wrong(dashboard: Dashboard) -> None:
    csrf = dashboard.login("pam")
    answer = dashboard.client.post("/onboarding", data={"csrf_token": csrf, **FORM,
                                                        "country": "Narnia"})
    assert answer.status_code == 422
    assert "country" in answer.text
    assert 'value="Okafor family"' in answer.text
    assert "QQ123456C" not in answer.text
    assert not onboarding.suitability(dashboard.store, "H100-TAX")


def test_a_viewer_cannot_onboard(dashboard: Dashboard) -> None:
    csrf = dashboard.login("vic")
    assert "Onboard the client" not in dashboard.client.get("/onboarding").text
    answer = dashboard.client.post("/onboarding", data={"csrf_token": csrf, **FORM})
    assert answer.status_code == 403
    assert "may not onboard" in answer.text
