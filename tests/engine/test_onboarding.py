"""Onboarding on SQLite and PostgreSQL: the household, accounts, KYC profile, suitability
records and journal entries are written together; sensitive numbers never reach the database
in clear; unsuitable models need a compliance override; a failure leaves nothing behind."""

from __future__ import annotations

import ast
import inspect
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import text

from ballast.config.onboarding import Application, parse_application
from ballast.domain import ConfigError, DataError, UnknownReference
from ballast.engine import onboarding
from ballast.engine.check import import_rules
from ballast.engine.imports import ImportKind, import_file
from ballast.engine.rebalance import import_models
from ballast.engine.users import PermissionDenied, Principal
from ballast.engine.workspace import open_store
from ballast.sample import sample_instruments_path, sample_models_path
from ballast.security import KEY_ENV, Role, SecretBox, new_key
from ballast.store import Store

PM = Principal("pam", (Role.PORTFOLIO_MANAGER,), "cli")
CORA = Principal("cora", (Role.COMPLIANCE,), "cli")
VIC = Principal("vic", (Role.VIEWER,), "cli")
AT = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
DOC = Path(__file__).parents[2] / "docs" / "onboarding.md"
FIRM = sample_models_path().parent / "rules" / "firm.yaml"
BOX = SecretBox(new_key())  # Fernet is fast; the argon2id path is tested once on its own

# attitude 3 + 2×2 + 2 = 9 → 4; capacity 2 + 2 + 2 = 6 → 5; horizon 3 → 5: risk score 4
ANSWERS = """answers:
  goal: growth
  market_fall: hold
  tradeoff: wide
  loss_capacity: 15_to_30
  income: surplus
  reserves: over_6m
  horizon: over_10y
"""
APPLICATION = """household: {id: H9, name: Garcia family}
client:
  legal_name: Maria Garcia
  date_of_birth: 1970-04-02
  address: 1 Main Street, Springfield, IL 62701
  country: US
  tax_id: 123-45-6789
  employment: employed
  source_of_funds: salary and savings
  pep: false
  id_document: {type: passport, number: X1234567}
""" + ANSWERS + """accounts:
  - {id: H9-TAX, name: Garcia joint, type: taxable, custodian: Schwab}
  - {id: H9-IRA, name: Garcia IRA, type: tax_deferred, custodian: Schwab, model: conservative}
"""


def application(extra: str = "", **replace: str) -> Application:
    body = APPLICATION
    for old, new in replace.items():
        assert old in body
        body = body.replace(old, new)
    return parse_application(body + extra)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    s = open_store(store_url)
    try:
        import_file(s, ImportKind.INSTRUMENTS, sample_instruments_path())
        import_models(s, [sample_models_path()])
        yield s
    finally:
        s.close()


def raw(store: Store, sql: str) -> list[tuple[object, ...]]:
    with store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


def counts(store: Store) -> tuple[int, ...]:
    return tuple(int(raw(store, f"SELECT count(*) FROM {t}")[0][0]) for t in (
        "households", "accounts", "client_profiles", "suitability_records", "audit_journal"))


def test_onboard_opens_household_accounts_profile_and_suitability(store: Store) -> None:
    box = SecretBox(new_key())
    done = onboarding.onboard(store, application(), PM, box=box, now=AT)
    assert done.assessment.risk_score == 4 and done.assessment.recommended_model == "balanced"
    assert done.models == {"H9-TAX": "balanced", "H9-IRA": "conservative"}
    assert done.override_reason == "" and len(done.suitability_ids) == 2
    with store.transaction() as tx:
        accounts = tx.accounts(["H9"])
        profile = tx.client_profile("H9")
        records = tx.suitability_records()
        journal = tx.audit_entries()
        assert tx.risk_scores(["H9-TAX", "H9-IRA", "OTHER"]) == {"H9-TAX": 4, "H9-IRA": 4}
        assert tx.questionnaire_in_force() is not None
    assert {a: (x.model, x.custodian) for a, x in accounts.items()} == {
        "H9-TAX": ("balanced", "Schwab"), "H9-IRA": ("conservative", "Schwab")}
    assert profile is not None and profile.legal_name == "Maria Garcia"
    assert (profile.country, profile.pep, profile.employment) == ("US", False, "employed")
    assert (profile.tax_id_last4, profile.id_document_last4) == ("6789", "4567")
    assert profile.tax_id_ciphertext and box.decrypt(profile.tax_id_ciphertext) == "123456789"
    assert profile.tax_id_hash is None and profile.created_by == "pam"
    [tax, ira] = records
    assert (tax.account_id, tax.model_recommended, tax.model_chosen) == ("H9-TAX", "balanced",
                                                                         "balanced")
    assert (ira.model_chosen, ira.risk_score, ira.attitude_score, ira.capacity_score,
            ira.horizon_score) == ("conservative", 4, 4, 5, 5)
    assert tax.answers["market_fall"] == "hold" and tax.user == "pam" and tax.at == AT
    assert tax.questionnaire_version == onboarding.questionnaire(store).version
    assert [(e.kind, e.actor, e.subject) for e in journal] == [
        ("client.onboarded", "pam", ("household:H9", "account:H9-TAX", "account:H9-IRA")),
        ("suitability.recorded", "pam", ("account:H9-TAX",)),
        ("suitability.recorded", "pam", ("account:H9-IRA",))]
    assert journal[1].rationale == "model balanced for risk score 4 (recommended balanced)"
    with store.transaction() as tx:
        balanced = tx.model_versions("balanced")[-1].version
    assert journal[1].payload["model_version"] == balanced


def test_sensitive_numbers_are_not_in_clear_in_the_database(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)  # no key: the tax id is hashed
    onboarding.onboard(store, application(), PM, box=SecretBox(new_key()), now=AT)
    onboarding.onboard(store, application(**{"H9": "H8"}), PM, box=None, now=AT)
    rows = raw(store, "SELECT * FROM client_profiles") + raw(store, "SELECT * FROM "
                                                             "audit_journal")
    dump = repr(rows)
    for secret in ("123-45-6789", "123456789", "X1234567", "1234567"):
        assert secret not in dump
    [hashed] = raw(store, "SELECT tax_id_hash, tax_id_ciphertext FROM client_profiles "
                          "WHERE household_id = 'H8'")
    assert hashed[1] is None and isinstance(hashed[0], str)
    assert PasswordHasher().verify(hashed[0], "123456789")


def test_refuses_a_model_riskier_than_the_score(store: Store) -> None:
    import_rules(store, [FIRM])  # growth 5, balanced 4, conservative 2
    riskier = application(**{"model: conservative": "model: growth"})
    before = counts(store)
    with pytest.raises(onboarding.Unsuitable) as err:
        onboarding.onboard(store, riskier, PM, box=BOX)
    assert str(err.value) == ("account H9-IRA: model growth has risk level 5, above the "
                              "client's risk score 4")
    assert "override_reason" in err.value.hint
    assert counts(store) == before
    reasoned = application("override_reason: client insists, signed waiver on file\n",
                           **{"model: conservative": "model: growth"})
    with pytest.raises(PermissionDenied, match="needs the role compliance"):
        onboarding.onboard(store, reasoned, PM, box=BOX)
    assert counts(store) == before
    done = onboarding.onboard(store, reasoned, CORA, now=AT, box=BOX)
    assert done.override_reason == "client insists, signed waiver on file"
    [record] = onboarding.suitability(store, "H9-IRA")
    assert (record.model_chosen, record.override_reason, record.user) == (
        "growth", "client insists, signed waiver on file", "cora")
    with store.transaction() as tx:
        entry = tx.audit_entries(subject="account:H9-IRA")[-1]
    assert entry.rationale.endswith("; override: client insists, signed waiver on file")
    assert entry.payload["override"] is True


@pytest.mark.parametrize(("app", "error", "message"), [
    (lambda: application(**{"tradeoff: wide": "tradeoff: reckless"}), ConfigError,
     "answers.tradeoff: 'reckless' is not an option of question tradeoff"),
    (lambda: application(**{"  horizon: over_10y\n": ""}), ConfigError,
     "answers.horizon: question horizon is not answered"),
    (lambda: application(**{"model: conservative": "model: moonshot"}), ConfigError,
     "account H9-IRA: no model 'moonshot' in the book"),
])
def test_bad_application_writes_nothing(store: Store, app: object, error: type[Exception],
                                        message: str) -> None:
    before = counts(store)
    with pytest.raises(error, match=message):
        onboarding.onboard(store, app(), PM, box=BOX)  # type: ignore[operator]
    assert counts(store) == before


def test_ids_must_be_new_and_roles_must_allow(store: Store) -> None:
    onboarding.onboard(store, application(), PM, box=BOX)
    before = counts(store)
    with pytest.raises(DataError, match="already in the book: H9, H9-IRA, H9-TAX"):
        onboarding.onboard(store, application(), PM, box=BOX)
    with pytest.raises(DataError, match="already in the book: H9-TAX"):
        onboarding.onboard(store, application(**{"{id: H9,": "{id: H7,",
                                                 "id: H9-IRA": "id: H7-IRA"}), PM, box=BOX)
    with pytest.raises(PermissionDenied, match="portfolio_manager or compliance"):
        onboarding.onboard(store, application(**{"H9": "H6"}), VIC, box=BOX)
    assert counts(store) == before


def test_a_score_with_no_suitable_model(store: Store) -> None:
    """Horizon under 2 years scores 1; the firm rates its most conservative model 2."""
    import_rules(store, [FIRM])
    with pytest.raises(onboarding.Unsuitable, match="model conservative has risk level 2, "
                       "above the client's risk score 1"):
        onboarding.onboard(store, application(**{"horizon: over_10y": "horizon: under_2y",
                                                 "model: conservative": ""}), PM, box=BOX)


def test_import_questionnaire_needs_compliance_and_comes_into_force(store: Store) -> None:
    stricter = (sample_models_path().parent / "onboarding" / "questionnaire.yaml").read_text(
        encoding="utf-8").replace("name: standard", "name: strict").replace(
        "  4: balanced", "  4: conservative")
    with pytest.raises(PermissionDenied):
        onboarding.import_questionnaire(store, stricter, user=PM, reason="tighter")
    q, new = onboarding.import_questionnaire(store, stricter, user=CORA, reason="tighter")
    assert new and q.name == "strict" and onboarding.questionnaire(store).version == q.version
    scored = onboarding.score(store, application().answers)
    assert (scored.risk_score, scored.recommended_model) == (4, "conservative")
    assert scored.questionnaire_version == q.version
    done = onboarding.onboard(store, application(), PM, box=BOX)
    assert done.models["H9-TAX"] == "conservative"
    [record, _] = onboarding.suitability(store)
    assert record.questionnaire_version == q.version
    with store.transaction() as tx:
        assert tx.questionnaire_text(q.version) == stricter
        [entry] = [e for e in tx.audit_entries() if e.kind == "questionnaire.loaded"]
    assert (entry.actor, entry.rationale, entry.payload["version"]) == ("cora", "tighter",
                                                                         q.version)


def test_docs_example_application(store: Store, tmp_path: Path) -> None:
    """The example application in docs/onboarding.md onboards as the page says."""
    body = DOC.read_text(encoding="utf-8").split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "application.yaml"
    path.write_text(body, encoding="utf-8")
    done = onboarding.onboard(store, onboarding.load_application(path), PM, box=BOX)
    assert (done.household_id, done.assessment.risk_score, done.models) == (
        "H100", 3, {"H100-TAX": "conservative", "H100-ROTH": "conservative"})
    assert done.assessment.capped_by == "capacity"


def test_client_view_is_masked_and_restricted(store: Store) -> None:
    onboarding.onboard(store, application(), PM, box=SecretBox(new_key()))
    view = onboarding.client(store, "H9", CORA)
    assert (view.tax_id, view.id_document_number, view.tax_id_encrypted) == (
        "****6789", "****4567", True)
    assert (view.legal_name, view.country, view.onboarded_by) == ("Maria Garcia", "US", "pam")
    assert str(view.date_of_birth) == "1970-04-02"
    with pytest.raises(PermissionDenied, match="may not see client profiles"):
        onboarding.client(store, "H9", VIC)
    with pytest.raises(UnknownReference, match="no client profile for household 'H1'"):
        onboarding.client(store, "H1", PM)


def test_a_second_profile_for_a_household_is_a_data_error(store: Store) -> None:
    """What a concurrent onboarding of the same household meets: the whole unit rolls back."""
    onboarding.onboard(store, application(), PM, box=BOX)
    with store.transaction() as tx:
        profile = tx.client_profile("H9")
    assert profile is not None
    with (pytest.raises(DataError, match="household H9 has a client profile already"),
          store.transaction() as tx):
        tx.add_client_profile(profile)
    assert counts(store)[2] == 1


def test_docs_engine_api_matches_the_code() -> None:
    """Every signature the docs list is the function's: names, kinds, annotations, return."""
    block = DOC.read_text(encoding="utf-8").split("```python\n", 1)[1].split("```", 1)[0]
    source = "\n".join(line + ": ..." if "->" in line else line  # the last line of each
                       for line in block.splitlines())
    listed = [n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef)]
    assert len(listed) == 9
    for node in listed:
        real = inspect.signature(getattr(onboarding, node.name))
        args = node.args
        documented = [(a.arg, ast.unparse(a.annotation) if a.annotation else "", kind)
                      for group, kind in ((args.args, "POSITIONAL_OR_KEYWORD"),
                                          (args.kwonlyargs, "KEYWORD_ONLY")) for a in group]
        assert documented == [(p.name, p.annotation, p.kind.name)
                              for p in real.parameters.values()], node.name
        assert node.returns is not None
        assert ast.unparse(node.returns) == real.return_annotation, node.name
