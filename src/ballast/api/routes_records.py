"""The audit journal (verify, explain, log) and versioned models (list, upload a new version,
diff two versions, roll back)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from ballast.api.auth import CurrentUser, require, store_of
from ballast.api.schemas import (
    AuditEntryOut,
    ModelDiffOut,
    ModelIn,
    ModelUploadOut,
    ModelVersionOut,
    RollbackIn,
    VerificationOut,
)
from ballast.engine import service
from ballast.engine.audit import Entry, explain_decision, journal, verify_journal
from ballast.engine.users import Permission

router = APIRouter(prefix="/api", dependencies=[Depends(require(Permission.READ))])
Version = Annotated[str, Query(min_length=1, max_length=16)]


def _entry(e: Entry) -> AuditEntryOut:
    return AuditEntryOut(seq=e.seq, at=e.at, actor=e.actor, kind=e.kind, subject=list(e.subject),
                         rationale=e.rationale, policy_version=e.policy_version,
                         snapshot_id=e.snapshot_id, payload=dict(e.payload), hash=e.hash)


@router.get("/audit/verify", response_model=VerificationOut, tags=["audit"])
def verify(request: Request) -> VerificationOut:
    """Check every journal entry's hash, link and sequence."""
    v = verify_journal(store_of(request))
    return VerificationOut(entries=v.entries, head=v.head, intact=v.intact,
                           breaks=[b.describe() for b in v.breaks])


@router.get("/audit/explain", response_model=list[AuditEntryOut], tags=["audit"])
def explain(request: Request, target: Annotated[str, Query(
        min_length=3, max_length=200, description="trade:RUN:ACCOUNT:SEQ, order:ID, "
        "account:ID or run:ID")]) -> list[AuditEntryOut]:
    """The decisions behind a trade, order, account or run, oldest first."""
    return [_entry(e) for e in explain_decision(store_of(request), target)]


@router.get("/audit/log", response_model=list[AuditEntryOut], tags=["audit"])
def log(request: Request, subject: Annotated[str | None, Query(max_length=200)] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[AuditEntryOut]:
    """The newest ``limit`` journal entries (naming ``subject``, e.g. ``run:3``)."""
    return [_entry(e) for e in journal(store_of(request), subject, limit)]


@router.get("/models", response_model=list[ModelVersionOut], tags=["models"])
def list_models(request: Request) -> list[ModelVersionOut]:
    """The current version of every model."""
    return [ModelVersionOut(name=v.name, version=v.version, loaded_at=v.loaded_at, current=True)
            for v, current in service.model_versions(store_of(request)) if current]


@router.get("/models/{name}/versions", response_model=list[ModelVersionOut], tags=["models"])
def model_versions(request: Request, name: str) -> list[ModelVersionOut]:
    """Every stored version of a model, newest first."""
    return [ModelVersionOut(name=v.name, version=v.version, loaded_at=v.loaded_at,
                            current=current)
            for v, current in service.model_versions(store_of(request), name)]


@router.post("/models", response_model=list[ModelUploadOut], status_code=201, tags=["models"])
def upload(request: Request, body: ModelIn, principal: CurrentUser) -> list[ModelUploadOut]:
    """Upload one model or several (YAML) as new current versions (portfolio manager)."""
    rows = service.upload_models(store_of(request), principal, body.yaml, body.reason)
    return [ModelUploadOut(name=n, version=v, new=new) for n, v, new in rows]


@router.get("/models/{name}/diff", response_model=ModelDiffOut, tags=["models"])
def diff(request: Request, name: str, old: Version, new: Version) -> ModelDiffOut:
    """A unified diff of two versions of a model."""
    d = service.diff_models(store_of(request), name, old, new)
    return ModelDiffOut(name=d.name, from_version=d.from_version, to_version=d.to_version,
                        diff=d.diff)


@router.post("/models/{name}/rollback", response_model=list[ModelVersionOut],
             tags=["models"])
def rollback(request: Request, name: str, body: RollbackIn, principal: CurrentUser
             ) -> list[ModelVersionOut]:
    """Make a stored version current again (portfolio manager)."""
    store = store_of(request)
    service.rollback_model(store, principal, name, body.version, body.reason)
    return model_versions(request, name)
