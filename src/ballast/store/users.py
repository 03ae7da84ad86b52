"""Users, their API tokens and dashboard sessions (stored as SHA-256 only), and encrypted
secrets. Nothing here sees a password, a token or a secret in clear."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update

from ballast.domain import DataError
from ballast.store.models import _aware
from ballast.store.repository import Repository
from ballast.store.schema import api_tokens, secrets, users


@dataclass(frozen=True, slots=True)
class UserRecord:
    """A user: ``roles`` are role names; ``password_hash`` is argon2id."""

    id: int
    name: str
    password_hash: str
    roles: tuple[str, ...]
    active: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class TokenRecord:
    """An API token (``kind`` "api") or a dashboard session ("session") of a user."""

    id: int
    user_id: int
    kind: str
    label: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None

    def valid_at(self, now: datetime) -> bool:
        """Neither revoked nor expired at ``now``."""
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)


@dataclass(frozen=True, slots=True)
class SecretRecord:
    """A stored secret: its name, ciphertext and who stored it when."""

    name: str
    ciphertext: str
    updated_by: str
    updated_at: datetime


def _user(r: Any) -> UserRecord:
    return UserRecord(int(r.id), r.name, r.password_hash,
                      tuple(x for x in r.roles.split(",") if x), bool(r.active),
                      _aware(r.created_at))


def _token(r: Any) -> TokenRecord:
    return TokenRecord(int(r.id), int(r.user_id), r.kind, r.label, _aware(r.created_at),
                       r.expires_at and _aware(r.expires_at),
                       r.revoked_at and _aware(r.revoked_at))


class UserRepository(Repository):
    """Users, tokens, sessions and secrets."""

    def add_user(self, name: str, password_hash: str, roles: tuple[str, ...],
                 at: datetime) -> UserRecord:
        """A new active user; DataError when the name is taken."""
        if self.user(name) is not None:
            raise DataError(f"user {name!r} exists already", field="name",
                            hint="Choose another name, or change this user's roles.")
        new_id = self._conn.execute(insert(users).values(
            name=name, password_hash=password_hash, roles=",".join(roles), active=True,
            created_at=at)).inserted_primary_key
        assert new_id is not None
        return UserRecord(int(new_id[0]), name, password_hash, roles, True, at)

    def user(self, name: str) -> UserRecord | None:
        """The user called ``name``, or None."""
        row = self._conn.execute(select(users).where(users.c.name == name)).first()
        return _user(row) if row else None

    def has_users(self) -> bool:
        """Whether the book has any user (then actions need one with the right role)."""
        return self._conn.execute(select(users.c.id).limit(1)).first() is not None

    def users(self) -> list[UserRecord]:
        """Every user, by name."""
        return [_user(r) for r in self._conn.execute(select(users).order_by(users.c.name))]

    def update_user(self, user_id: int, *, roles: tuple[str, ...] | None = None,
                    active: bool | None = None, password_hash: str | None = None) -> None:
        """Change a user's roles, active flag or password hash."""
        values: dict[str, Any] = {}
        if roles is not None:
            values["roles"] = ",".join(roles)
        if active is not None:
            values["active"] = active
        if password_hash is not None:
            values["password_hash"] = password_hash
        if values:
            self._conn.execute(update(users).where(users.c.id == user_id).values(**values))

    def add_token(self, user_id: int, digest: str, kind: str, label: str, at: datetime,
                  expires_at: datetime | None) -> int:
        """Store a token's hash; returns its id."""
        new_id = self._conn.execute(insert(api_tokens).values(
            token_hash=digest, user_id=user_id, kind=kind, label=label, created_at=at,
            expires_at=expires_at)).inserted_primary_key
        assert new_id is not None
        return int(new_id[0])

    def token_owner(self, digest: str) -> tuple[TokenRecord, UserRecord] | None:
        """The token with hash ``digest`` and its user (one indexed read), or None."""
        t, u = api_tokens, users
        row = self._conn.execute(
            select(t.c.id, t.c.user_id, t.c.kind, t.c.label, t.c.created_at, t.c.expires_at,
                   t.c.revoked_at, u.c.name, u.c.password_hash, u.c.roles, u.c.active,
                   u.c.created_at.label("user_created_at"))
            .join(u, u.c.id == t.c.user_id).where(t.c.token_hash == digest)).first()
        if row is None:
            return None
        return _token(row), UserRecord(int(row.user_id), row.name, row.password_hash,
                                       tuple(x for x in row.roles.split(",") if x),
                                       bool(row.active), _aware(row.user_created_at))

    def tokens(self, user_id: int | None = None, kind: str | None = None) -> list[TokenRecord]:
        """Tokens (of one user, of one kind), oldest first."""
        query = select(api_tokens).order_by(api_tokens.c.id)
        if user_id is not None:
            query = query.where(api_tokens.c.user_id == user_id)
        if kind is not None:
            query = query.where(api_tokens.c.kind == kind)
        return [_token(r) for r in self._conn.execute(query)]

    def revoke_tokens(self, at: datetime, *, token_id: int | None = None,
                      digest: str | None = None, user_id: int | None = None) -> int:
        """Revoke the token ``token_id`` or with hash ``digest``, or every token of ``user_id``
        not yet revoked; returns how many were revoked."""
        t = api_tokens
        query = update(t).where(t.c.revoked_at.is_(None)).values(revoked_at=at)
        if token_id is not None:
            query = query.where(t.c.id == token_id)
        if digest is not None:
            query = query.where(t.c.token_hash == digest)
        if user_id is not None:
            query = query.where(t.c.user_id == user_id)
        return int(self._conn.execute(query).rowcount)

    def put_secret(self, name: str, ciphertext: str, user: str, at: datetime) -> bool:
        """Store (or replace) secret ``name``; True when it is new."""
        t = secrets
        exists = self._conn.execute(select(t.c.name).where(t.c.name == name)).first()
        if exists:
            self._conn.execute(update(t).where(t.c.name == name).values(
                ciphertext=ciphertext, updated_by=user, updated_at=at))
        else:
            self._conn.execute(insert(t).values(name=name, ciphertext=ciphertext,
                                                updated_by=user, updated_at=at))
        return not exists

    def secret(self, name: str) -> SecretRecord | None:
        """The stored secret ``name`` (ciphertext), or None."""
        row = self._conn.execute(select(secrets).where(secrets.c.name == name)).first()
        return None if row is None else SecretRecord(row.name, row.ciphertext, row.updated_by,
                                                     _aware(row.updated_at))

    def secrets(self) -> list[SecretRecord]:
        """Every stored secret, by name."""
        return [SecretRecord(r.name, r.ciphertext, r.updated_by, _aware(r.updated_at))
                for r in self._conn.execute(select(secrets).order_by(secrets.c.name))]


__all__ = ["SecretRecord", "TokenRecord", "UserRecord", "UserRepository"]
