"""Onboarding records: questionnaire versions, client KYC profiles (sensitive numbers only
encrypted, hashed or by their last four characters) and suitability records per account."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from ballast.domain import DataError
from ballast.store.models import _aware, add_version
from ballast.store.repository import IN_CHUNK, Repository, chunks
from ballast.store.schema import (
    accounts,
    client_profiles,
    households,
    questionnaire_versions,
    suitability_records,
)


@dataclass(frozen=True, slots=True)
class ClientProfile:
    """A household's client as stored: the tax id as ciphertext or hash plus its last four,
    the ID document by type and last four."""

    household_id: str
    legal_name: str
    date_of_birth: date
    address: str
    country: str
    tax_id_ciphertext: str | None
    tax_id_hash: str | None
    tax_id_last4: str
    employment: str
    source_of_funds: str
    pep: bool
    id_document_type: str
    id_document_last4: str
    created_by: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class SuitabilityRecord:
    """The suitability of one account at onboarding: the answers and questionnaire version, the
    scores, the models recommended and chosen, the override reason ("" when none), who, when.
    ``id`` is 0 before it is stored."""

    id: int
    household_id: str
    account_id: str
    questionnaire_version: str
    answers: dict[str, str]
    attitude_score: int
    capacity_score: int | None
    horizon_score: int | None
    risk_score: int
    model_recommended: str
    model_chosen: str
    override_reason: str
    user: str
    at: datetime


_PROFILE_FIELDS = tuple(ClientProfile.__dataclass_fields__)


def _record(r: Any) -> SuitabilityRecord:
    return SuitabilityRecord(
        int(r.id), r.household_id, r.account_id, r.questionnaire_version, json.loads(r.answers),
        int(r.attitude_score), r.capacity_score, r.horizon_score, int(r.risk_score),
        r.model_recommended, r.model_chosen, r.override_reason, r.user_name, _aware(r.at))


class OnboardingRepository(Repository):
    """Questionnaires, client profiles and suitability records."""

    def add_questionnaire_version(self, name: str, version: str, text: str) -> bool:
        """Store a questionnaire version; it comes into force. False when it was stored
        already (it is then brought back into force if another came since)."""
        return add_version(self._conn, questionnaire_versions, name, version, text)

    def questionnaire_in_force(self) -> tuple[str, str, str] | None:
        """(name, version, YAML) of the questionnaire loaded last, or None."""
        t = questionnaire_versions
        row = self._conn.execute(select(t).order_by(t.c.loaded_at.desc()).limit(1)).first()
        return None if row is None else (row.name, row.version, row.yaml)

    def questionnaire_text(self, version: str) -> str | None:
        """The YAML of questionnaire version ``version``, or None."""
        t = questionnaire_versions
        return self._conn.scalar(select(t.c.yaml).where(t.c.version == version).limit(1))

    def taken_ids(self, household_id: str, account_ids: Sequence[str]) -> list[str]:
        """Those of ``household_id`` and ``account_ids`` that the store holds already."""
        taken = [str(h) for h in self._conn.scalars(
            select(households.c.id).where(households.c.id == household_id))]
        return taken + sorted(str(a) for a in self._conn.scalars(
            select(accounts.c.id).where(accounts.c.id.in_(list(account_ids)))))

    def add_client_profile(self, profile: ClientProfile) -> None:
        """Store the client of a household; DataError when it has one already (say, onboarded
        at the same moment by someone else)."""
        try:
            self._conn.execute(insert(client_profiles).values(
                {f: getattr(profile, f) for f in _PROFILE_FIELDS}))
        except IntegrityError:
            raise DataError(f"household {profile.household_id} has a client profile already",
                            field="household.id", hint="Household ids must be new; choose "
                            "another.") from None

    def client_profile(self, household_id: str) -> ClientProfile | None:
        """The stored client of ``household_id``, or None."""
        row = self._conn.execute(select(client_profiles).where(
            client_profiles.c.household_id == household_id)).first()
        if row is None:
            return None
        values = {f: getattr(row, f) for f in _PROFILE_FIELDS}
        values["created_at"] = _aware(row.created_at)
        return ClientProfile(**values)

    def add_suitability(self, records: Iterable[SuitabilityRecord]) -> list[int]:
        """Store suitability records; returns their ids in order."""
        ids = []
        for r in records:
            new_id = self._conn.execute(insert(suitability_records).values(
                household_id=r.household_id, account_id=r.account_id,
                questionnaire_version=r.questionnaire_version,
                answers=json.dumps(r.answers, sort_keys=True), attitude_score=r.attitude_score,
                capacity_score=r.capacity_score, horizon_score=r.horizon_score,
                risk_score=r.risk_score, model_recommended=r.model_recommended,
                model_chosen=r.model_chosen, override_reason=r.override_reason,
                user_name=r.user, at=r.at)).inserted_primary_key
            assert new_id is not None
            ids.append(int(new_id[0]))
        return ids

    def suitability_records(self, account_id: str | None = None) -> list[SuitabilityRecord]:
        """Suitability records, oldest first: all, or those of one account."""
        t = suitability_records
        query = select(t).order_by(t.c.id)
        if account_id is not None:
            query = query.where(t.c.account_id == account_id)
        return [_record(r) for r in self._conn.execute(query)]

    def risk_scores(self, account_ids: Iterable[str]) -> dict[str, int]:
        """The risk score of each of ``account_ids`` that has a suitability record (the
        latest)."""
        t = suitability_records
        latest = select(func.max(t.c.id)).group_by(t.c.account_id)
        out: dict[str, int] = {}
        for chunk in chunks(account_ids, IN_CHUNK):
            rows = self._conn.execute(select(t.c.account_id, t.c.risk_score).where(
                t.c.id.in_(latest.where(t.c.account_id.in_(chunk)))))
            out.update({str(r.account_id): int(r.risk_score) for r in rows})
        return out


__all__ = ["ClientProfile", "OnboardingRepository", "SuitabilityRecord"]
