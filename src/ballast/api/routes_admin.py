"""Users, roles, API tokens and secrets (admin), and one's own tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request

from ballast.api.auth import CurrentUser, require, store_of
from ballast.api.schemas import (
    MAX_INT,
    IssuedTokenOut,
    ReasonIn,
    SecretIn,
    SecretOut,
    TokenIn,
    TokenOut,
    UserIn,
    UserOut,
    UserPatch,
)
from ballast.engine import secrets, users
from ballast.engine.users import Permission, PermissionDenied

router = APIRouter(prefix="/api", tags=["admin"])
ADMIN = [Depends(require(Permission.USERS))]
TokenId = Annotated[int, Path(ge=1, le=MAX_INT, description="An API token's id.")]


def _user(u: users.UserInfo) -> UserOut:
    return UserOut(name=u.name, roles=list(u.roles), active=u.active, created_at=u.created_at)


@router.get("/users", response_model=list[UserOut], dependencies=ADMIN)
def list_users(request: Request) -> list[UserOut]:
    """Every user with roles and status."""
    return [_user(u) for u in users.list_users(store_of(request))]


@router.post("/users", response_model=UserOut, status_code=201, dependencies=ADMIN)
def add_user(request: Request, body: UserIn, principal: CurrentUser) -> UserOut:
    """Add a user (admin)."""
    return _user(users.add_user(store_of(request), body.name, body.password, body.roles,
                                actor=principal.name, reason=body.reason))


@router.patch("/users/{name}", response_model=UserOut, dependencies=ADMIN)
def change_user(request: Request, name: str, body: UserPatch, principal: CurrentUser
                ) -> UserOut:
    """Change a user's roles, or deactivate (revoking their tokens) or reactivate them."""
    return _user(users.update_user(store_of(request), name, roles=body.roles,
                                   active=body.active, actor=principal.name,
                                   reason=body.reason))


def _own_or_admin(principal: users.Principal, name: str) -> None:
    if principal.name != name and not principal.can(Permission.USERS):
        raise PermissionDenied(f"{principal.name} may manage only their own tokens")


@router.get("/users/{name}/tokens", response_model=list[TokenOut])
def list_tokens(request: Request, name: str, principal: CurrentUser) -> list[TokenOut]:
    """A user's API tokens (never the tokens themselves): one's own, or any as admin."""
    _own_or_admin(principal, name)
    return [TokenOut(id=t.id, user=t.user, label=t.label, created_at=t.created_at,
                     expires_at=t.expires_at, revoked_at=t.revoked_at)
            for t in users.list_tokens(store_of(request), name)]


@router.post("/users/{name}/tokens", response_model=IssuedTokenOut, status_code=201)
def create_token(request: Request, name: str, body: TokenIn, principal: CurrentUser
                 ) -> IssuedTokenOut:
    """A new API token, shown once: one's own, or any user's as admin."""
    _own_or_admin(principal, name)
    issued = users.create_token(store_of(request), name, actor=principal.name,
                                label=body.label, expires_in=None if body.days is None
                                else timedelta(days=body.days))
    return IssuedTokenOut(id=issued.id, user=issued.user, label=issued.label,
                          token=issued.token, expires_at=issued.expires_at)


@router.post("/tokens/{token_id}/revoke", status_code=204, dependencies=ADMIN)
def revoke_token(request: Request, token_id: TokenId, body: ReasonIn, principal: CurrentUser
                 ) -> None:
    """Revoke an API token (admin)."""
    users.revoke_token(store_of(request), token_id, actor=principal.name, reason=body.reason)


@router.get("/secrets", response_model=list[SecretOut], dependencies=ADMIN)
def list_secrets(request: Request) -> list[SecretOut]:
    """Stored secrets: names, who stored them and when — never the values."""
    return [SecretOut(name=s.name, updated_by=s.updated_by, updated_at=s.updated_at)
            for s in secrets.list_secrets(store_of(request))]


@router.put("/secrets/{name}", response_model=SecretOut, dependencies=ADMIN)
def put_secret(request: Request, name: str, body: SecretIn, principal: CurrentUser
               ) -> SecretOut:
    """Store a secret encrypted (admin); the answer never holds the value."""
    store = store_of(request)
    secrets.put_secret(store, name, body.value, actor=principal.name, reason=body.reason)
    found = next(s for s in secrets.list_secrets(store) if s.name == name.strip())
    return SecretOut(name=found.name, updated_by=found.updated_by, updated_at=found.updated_at)
