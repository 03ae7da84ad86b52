"""The risk questionnaire: scoring on hand-computed answers (bands, weights, the capacity and
horizon caps), and the errors for bad answers and bad questionnaires."""

from __future__ import annotations

import pytest

from ballast.config.onboarding import Questionnaire, parse_application, parse_questionnaire
from ballast.domain import ConfigError
from ballast.engine.onboarding import default_questionnaire

SMALL = """
name: small
questions:
  - id: q1
    dimension: attitude
    text: Attitude one
    options: [{id: a, text: A, points: 0}, {id: b, text: B, points: 2}, {id: c, text: C, points: 5}]
  - id: q2
    dimension: attitude
    weight: 1.5
    text: Attitude two
    options: [{id: a, text: A, points: 0}, {id: b, text: B, points: 4}]
  - id: cap
    dimension: capacity
    text: Capacity
    options: [{id: low, text: Low, points: 0}, {id: high, text: High, points: 10}]
bands:
  attitude:
    - {min_points: 0, score: 1}
    - {min_points: 2, score: 2}
    - {min_points: 5, score: 3}
    - {min_points: 8, score: 4}
    - {min_points: 11, score: 5}
  capacity:
    - {min_points: 0, score: 2}
    - {min_points: 10, score: 5}
models: {1: m1, 2: m2, 3: m3, 4: m4, 5: m5}
"""

ALL_IN = {"goal": "max_growth", "market_fall": "buy_more", "tradeoff": "widest",
          "loss_capacity": "over_30", "income": "surplus", "reserves": "over_6m",
          "horizon": "over_10y"}


@pytest.fixture
def small() -> Questionnaire:
    return parse_questionnaire(SMALL, "small.yaml")


@pytest.mark.parametrize(("answers", "points", "attitude", "risk", "capped"), [
    # q1=c (5) + 1.5 × q2=b (4) = 11 → band 11 → 5; capacity 10 → 5: no cap
    ({"q1": "c", "q2": "b", "cap": "high"}, 11.0, 5, 5, ""),
    # 2 + 6 = 8 → band 8 → 4; capacity 0 → 2 caps it at 2
    ({"q1": "b", "q2": "b", "cap": "low"}, 8.0, 4, 2, "capacity"),
    # 5 + 0 = 5 → 3; capacity 0 → 2
    ({"q1": "c", "q2": "a", "cap": "low"}, 5.0, 3, 2, "capacity"),
    # 0 → 1; capacity 2 does not raise it
    ({"q1": "a", "q2": "a", "cap": "low"}, 0.0, 1, 1, ""),
    # 2 + 0 = 2 → 2, equal to the capacity score: not a cap
    ({"q1": "b", "q2": "a", "cap": "low"}, 2.0, 2, 2, ""),
])
def test_scores_hand_computed(small: Questionnaire, answers: dict[str, str], points: float,
                              attitude: int, risk: int, capped: str) -> None:
    result = small.assess(answers)
    assert result.attitude.points == points and result.attitude.score == attitude
    assert result.risk_score == risk and result.capped_by == capped
    assert result.recommended_model == f"m{risk}"
    assert result.horizon is None and result.questionnaire_version == small.version


def test_default_questionnaire_caps_by_horizon_and_capacity() -> None:
    q = default_questionnaire()
    top = q.assess(ALL_IN)
    # attitude 4 + 2×3 + 3 = 13 → 5; capacity 3 + 2 + 2 = 7 → 5; horizon 3 → 5
    assert (top.attitude.points, top.capacity and top.capacity.points,
            top.horizon and top.horizon.points) == (13.0, 7.0, 3.0)
    assert top.risk_score == 5 and top.recommended_model == "growth" and top.capped_by == ""
    # money needed in 2 to 5 years: horizon 1 point → score 2
    soon = q.assess({**ALL_IN, "horizon": "2_to_5y"})
    assert (soon.risk_score, soon.capped_by, soon.recommended_model) == (2, "horizon",
                                                                         "conservative")
    # capacity 0 + 1 + 1 = 2 → score 2, though the client would take more risk
    fragile = q.assess({**ALL_IN, "loss_capacity": "under_5", "income": "covers",
                        "reserves": "under_6m"})
    assert (fragile.capacity and fragile.capacity.score, fragile.risk_score,
            fragile.capped_by) == (2, 2, "capacity")


def test_bad_answers_name_each_question(small: Questionnaire) -> None:
    with pytest.raises(ConfigError) as err:
        small.assess({"q1": "z", "colour": "red", "cap": "low"})
    text = str(err.value)
    assert "answers.q1: 'z' is not an option of question q1 (options: a, b, c)" in text
    assert "answers.colour: no such question in questionnaire small" in text
    assert "answers.q2: question q2 is not answered (Attitude two)" in text
    assert err.value.field == "answers.q1"


@pytest.mark.parametrize(("change", "message"), [
    (("models: {1: m1, 2: m2, 3: m3, 4: m4, 5: m5}", "models: {1: m1, 2: m2}"),
     "must name the model of every score 1 to 5"),
    (("    - {min_points: 10, score: 5}", "    - {min_points: 10, score: 1}"),
     "capacity: min_points and scores must both increase"),
    (("  - id: cap\n", "  - id: q1\n"), "question ids must be distinct"),
    (("    - {min_points: 0, score: 2}", "    - {min_points: 1, score: 2}"),
     "capacity: the first band must start at min_points 0"),
    (("weight: 1.5", "wieght: 1.5"), "questions[1].wieght: unknown field"),
])
def test_bad_questionnaire(change: tuple[str, str], message: str) -> None:
    assert change[0] in SMALL
    with pytest.raises(ConfigError, match=r"small\.yaml") as err:
        parse_questionnaire(SMALL.replace(*change), "small.yaml")
    assert message in str(err.value)


APPLICATION = """
household: {id: H9, name: Garcia family}
client:
  legal_name: Maria Garcia
  date_of_birth: 1970-04-02
  address: 1 Main Street, Springfield
  country: US
  tax_id: 123-45-6789
  employment: employed
  source_of_funds: salary
  pep: false
  id_document: {type: passport, number: X1234567}
answers: {goal: growth}
accounts:
  - {id: H9-TAX, name: Garcia joint, type: taxable}
"""


def test_application_errors_never_show_secrets() -> None:
    app = parse_application(APPLICATION)
    assert app.client.tax_id.get_secret_value() == "123-45-6789"
    assert "6789" not in repr(app) and "X1234567" not in repr(app)
    with pytest.raises(ConfigError) as err:
        parse_application(APPLICATION.replace("country: US", "country: usa")
                          .replace("  pep: false\n", "")
                          .replace("tax_id: 123-45-6789", "tax_id: 1-2"), "app.yaml")
    text = str(err.value)
    assert "app.yaml: client.country: must be an ISO 3166 code" in text
    assert "app.yaml: client.pep: required" in text
    assert "app.yaml: client.tax_id: must have at least 4 letters or digits" in text
    assert "1-2" not in text


def test_application_account_ids_distinct() -> None:
    twice = APPLICATION + "  - {id: H9-TAX, name: Again, type: taxable}\n"
    with pytest.raises(ConfigError, match="account ids must be distinct"):
        parse_application(twice)
