"""Onboarding a client: the questionnaire in force, scoring answers, and opening a household
with its accounts, KYC profile and suitability records in one transaction (docs/onboarding.md).

A model is suitable for an account when its risk level (from the stored compliance rule sets'
``risk_profiles.models``, else the lowest score the questionnaire recommends it for) is at most
the client's risk score. An unsuitable model is refused unless a user with the compliance role
gives an override reason. The tax id is kept only encrypted under ``BALLAST_SECRET_KEY`` (or,
without a key, as an argon2id hash) with its last four characters; the ID document's number
only by its last four. Neither is ever journaled or logged.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib.resources import files
from pathlib import Path

from argon2 import PasswordHasher

from ballast.audit import Draft
from ballast.config.models import ModelSpec
from ballast.config.onboarding import (
    Application,
    Assessment,
    Questionnaire,
    parse_application,
    parse_questionnaire,
)
from ballast.domain import (
    Account,
    AccountId,
    ConfigError,
    DataError,
    Household,
    HouseholdId,
    UnknownReference,
)
from ballast.engine.check import rule_sets
from ballast.engine.users import Permission, PermissionDenied, Principal
from ballast.engine.weights import stored_models
from ballast.security import KEY_ENV, SecretBox
from ballast.store import Store, UnitOfWork
from ballast.store.onboarding import ClientProfile, SuitabilityRecord

__all__ = ["ClientView", "Onboarded", "SuitabilityRecord", "Unsuitable", "client",
           "default_questionnaire", "import_questionnaire",
           "load_application", "onboard", "parse_application", "questionnaire", "score",
           "suitability"]

DEFAULT_QUESTIONNAIRE = "onboarding/questionnaire.yaml"
MASK = "****"


class Unsuitable(ConfigError):
    """A chosen model is riskier than the client's risk score and no override was given."""


@dataclass(frozen=True, slots=True)
class Onboarded:
    """What onboarding opened: the household, its accounts with their models, the assessment,
    the override reason ("" when none was needed) and the suitability record ids."""

    household_id: str
    accounts: tuple[str, ...]
    assessment: Assessment
    models: dict[str, str]
    override_reason: str
    suitability_ids: tuple[int, ...]


def _default_text() -> str:
    return files("ballast.sample").joinpath(DEFAULT_QUESTIONNAIRE).read_text(encoding="utf-8")


@dataclass(frozen=True, slots=True)
class ClientView:
    """A household's KYC profile as shown: the tax id and the ID document number masked to
    their last four characters; ``tax_id_encrypted`` says whether the full tax id is kept
    (encrypted) or only its hash."""

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


def default_questionnaire() -> Questionnaire:
    """The questionnaire shipped with ballast (sample/onboarding/questionnaire.yaml)."""
    return parse_questionnaire(_default_text(), DEFAULT_QUESTIONNAIRE)


def _stored(tx: UnitOfWork) -> Questionnaire | None:
    found = tx.questionnaire_in_force()
    return None if found is None else parse_questionnaire(
        found[2], f"stored questionnaire {found[0]} {found[1]}")


def questionnaire(store: Store) -> Questionnaire:
    """The questionnaire in force: the one stored last, else the default."""
    with store.transaction() as tx:
        return _stored(tx) or default_questionnaire()


def score(store: Store, answers: Mapping[str, str]) -> Assessment:
    """Score ``answers`` (question id → option id) with the questionnaire in force; ConfigError
    naming each unknown question, unanswered question or option not offered."""
    return questionnaire(store).assess(answers)


def import_questionnaire(store: Store, text: str, *, user: Principal, reason: str
                         ) -> tuple[Questionnaire, bool]:
    """Validate a questionnaire and bring it into force (compliance role); True when its
    version is new. Journaled with the user and reason."""
    user.require(Permission.RULES)
    if not reason.strip():
        raise ConfigError("a reason is required", field="reason",
                          hint="Say why the questionnaire changes: it is journaled.")
    q = parse_questionnaire(text, "questionnaire")
    with store.transaction() as tx:
        new = tx.add_questionnaire_version(q.name, q.version, text)
        tx.append_audit([Draft("questionnaire.loaded", (f"questionnaire:{q.name}",),
                               reason.strip(), {"version": q.version, "new": new},
                               policy_version=q.version, actor=user.name)])
    return q, new


def load_application(path: Path) -> Application:
    """Read and validate an application YAML file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    return parse_application(text, str(path))


def suitability(store: Store, account_id: str | None = None) -> list[SuitabilityRecord]:
    """Stored suitability records, oldest first: all, or one account's."""
    with store.transaction() as tx:
        return tx.suitability_records(account_id)


def client(store: Store, household_id: str, user: Principal) -> ClientView:
    """The KYC profile of ``household_id``, masked (roles portfolio_manager or compliance);
    UnknownReference when the household has none."""
    _may_onboard(user, "see client profiles")
    with store.transaction() as tx:
        p = tx.client_profile(household_id)
    if p is None:
        raise UnknownReference(f"no client profile for household {household_id!r}",
                               field="household_id",
                               hint="Only households onboarded with `ballast onboard` have one.")
    return ClientView(p.household_id, p.legal_name, p.date_of_birth, p.address, p.country,
                      MASK + p.tax_id_last4, p.tax_id_ciphertext is not None, p.employment,
                      p.source_of_funds, p.pep, p.id_document_type, MASK + p.id_document_last4,
                      p.created_by, p.created_at)


def _model_levels(tx: UnitOfWork, q: Questionnaire) -> dict[str, int]:
    """Risk level of each model: the compliance rule sets' when they name it, else the lowest
    score the questionnaire recommends it for."""
    levels: dict[str, int] = {}
    for s, model in sorted(q.models.items()):
        levels.setdefault(model, s)
    for rule_set in rule_sets(tx.latest_rule_sets(), ()):
        levels.update(rule_set.risk_profiles.models)
    return levels


def _may_onboard(user: Principal, what: str = "onboard clients") -> None:
    if not (user.can(Permission.PROPOSE) or user.can(Permission.RULES)):
        raise PermissionDenied(f"{user.name} ({', '.join(user.roles)}) may not {what}: it "
                               "needs the role portfolio_manager or compliance")


def _protect_tax_id(clear: str, box: SecretBox | None) -> tuple[str | None, str | None, str]:
    """(ciphertext, hash, last four) of a tax id: encrypted when there is a key, else hashed."""
    clean = _alnum(clear)
    if box is not None:
        return box.encrypt(clean), None, clean[-4:]
    return None, PasswordHasher().hash(clean), clean[-4:]


def _box(box: SecretBox | None) -> SecretBox | None:
    if box is None and os.environ.get(KEY_ENV, "").strip():
        return SecretBox.from_env()
    return box


def _choose_models(tx: UnitOfWork, library: Mapping[str, ModelSpec], q: Questionnaire,
                   assessment: Assessment, application: Application
                   ) -> tuple[dict[str, str], list[str]]:
    """The model of each account and why each unsuitable one is (empty when all suit)."""
    levels = _model_levels(tx, q)
    risk = assessment.risk_score
    models: dict[str, str] = {}
    unsuitable: list[str] = []
    for a in application.accounts:
        model = a.model or assessment.recommended_model
        if model not in library:
            raise ConfigError(f"account {a.id}: no model {model!r} in the book (known: "
                              f"{', '.join(sorted(library)) or 'none'})", field="model",
                              hint="Import it with `ballast models import FILE`, or choose "
                              "another model.")
        models[a.id] = model
        level = levels.get(model)
        if level is None:
            unsuitable.append(f"account {a.id}: model {model} has no risk level (not in the "
                              "rule sets' risk_profiles nor recommended by the questionnaire)")
        elif level > risk:
            unsuitable.append(f"account {a.id}: model {model} has risk level {level}, above "
                              f"the client's risk score {risk}")
    return models, unsuitable


def onboard(store: Store, application: Application, user: Principal, *,
            box: SecretBox | None = None, now: datetime | None = None) -> Onboarded:
    """Open the application's household and accounts with the models chosen (default: the one
    recommended for the risk score), store the KYC profile and a suitability record per
    account, and journal it: all in one transaction, or nothing.

    Raises ConfigError for a bad answer or an unknown model, DataError when an id is taken,
    Unsuitable for a model riskier than the score without an override reason, and
    PermissionDenied when ``user`` may not onboard or override."""
    _may_onboard(user)
    at = now or datetime.now(UTC)
    client = application.client
    ciphertext, hashed, last4 = _protect_tax_id(client.tax_id.get_secret_value(), _box(box))
    household = application.household
    with store.transaction() as tx:
        q = _stored(tx)
        if q is None:
            q = default_questionnaire()
            tx.add_questionnaire_version(q.name, q.version, _default_text())
        assessment = q.assess(application.answers)
        library = stored_models(tx)
        models, unsuitable = _choose_models(tx, library, q, assessment, application)
        versions = {m: library[m].version for m in models.values()}
        override = (application.override_reason or "").strip() if unsuitable else ""
        if unsuitable and not override:
            raise Unsuitable(
                "; ".join(unsuitable), field="accounts",
                hint=f"Choose a model suited to risk score {assessment.risk_score} (recommended: "
                f"{assessment.recommended_model}), or have compliance give override_reason.")
        if override and not user.can(Permission.RULES):
            raise PermissionDenied(f"{user.name} ({', '.join(user.roles)}) may not override "
                                   "suitability: it needs the role compliance")
        ids = [a.id for a in application.accounts]
        taken = tx.taken_ids(household.id, ids)
        if taken:
            raise DataError(f"already in the book: {', '.join(taken)}", field="household.id"
                            if household.id in taken else "accounts",
                            hint="Household and account ids must be new; choose others.")
        tx.add_households([Household(HouseholdId(household.id), household.name)])
        tx.add_accounts([Account(AccountId(a.id), HouseholdId(household.id), a.name, a.type,
                                 a.base_currency, a.custodian, models[a.id], a.lot_method)
                         for a in application.accounts])
        tx.add_client_profile(ClientProfile(
            household.id, client.legal_name, client.date_of_birth, client.address,
            client.country, ciphertext, hashed, last4, client.employment.value,
            client.source_of_funds, client.pep, client.id_document.type.value,
            _alnum(client.id_document.number.get_secret_value())[-4:], user.name, at))
        records = [SuitabilityRecord(
            0, household.id, a, q.version, assessment.answers, assessment.attitude.score,
            assessment.capacity.score if assessment.capacity else None,
            assessment.horizon.score if assessment.horizon else None, assessment.risk_score,
            assessment.recommended_model, models[a], override, user.name, at) for a in ids]
        record_ids = tx.add_suitability(records)
        tx.append_audit(_journal(application, assessment, models, versions, override, user),
                        at=at)
    return Onboarded(household.id, tuple(ids), assessment, models, override, tuple(record_ids))


def _alnum(value: str) -> str:
    """``value`` in capitals without spaces, dashes or other separators."""
    return "".join(c for c in value.upper() if c.isalnum())


def _journal(application: Application, assessment: Assessment, models: dict[str, str],
             versions: dict[str, str], override: str, user: Principal) -> list[Draft]:
    """The onboarding entry (no tax id, no document number) and one per suitability record."""
    household = application.household.id
    client = application.client
    version = assessment.questionnaire_version
    drafts = [Draft(
        "client.onboarded", (f"household:{household}", *(f"account:{a}" for a in models)),
        f"{user.name} onboarded household {household}: risk score {assessment.risk_score}",
        {"accounts": sorted(models), "country": client.country, "pep": client.pep,
         "employment": client.employment.value, "id_document_type":
         client.id_document.type.value}, policy_version=version, actor=user.name)]
    for account, model in models.items():
        why = (f"model {model} for risk score {assessment.risk_score} (recommended "
               f"{assessment.recommended_model})")
        drafts.append(Draft(
            "suitability.recorded", (f"account:{account}",),
            f"{why}; override: {override}" if override else why,
            {"risk_score": assessment.risk_score, "capped_by": assessment.capped_by,
             "model_recommended": assessment.recommended_model, "model_chosen": model,
             "model_version": versions[model],
             "override": bool(override)}, policy_version=version, actor=user.name))
    return drafts
