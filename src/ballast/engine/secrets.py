"""Secrets such as broker credentials: encrypted at rest under ``BALLAST_SECRET_KEY``, listed by
name only, revealed only to the engine code that uses them. Values are never logged or
journaled; storing one is audited (name, who, why)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from ballast.audit import Draft
from ballast.domain import ConfigError, UnknownReference
from ballast.security import SecretBox, new_key
from ballast.store import Store

__all__ = ["SecretInfo", "list_secrets", "new_key", "put_secret", "reveal_secret"]


@dataclass(frozen=True, slots=True)
class SecretInfo:
    """A stored secret as listed: its name, who stored it and when — never the value."""

    name: str
    updated_by: str
    updated_at: datetime


def _check_name(name: str) -> str:
    clean = name.strip()
    if not clean or len(clean) > 128 or any(c.isspace() for c in clean):
        raise ConfigError(f"secret name {name!r} must be 1–128 characters without spaces",
                          field="name", hint="Use a name such as `broker.ib.password`.")
    return clean


def put_secret(store: Store, name: str, value: str, *, actor: str, reason: str,
               box: SecretBox | None = None) -> bool:
    """Encrypt and store ``value`` as secret ``name`` (replacing it); True when new."""
    clean = _check_name(name)
    if not value:
        raise ConfigError("a secret's value may not be empty", field="value")
    if not reason.strip():
        raise ConfigError("a reason is required", field="reason")
    ciphertext = (box or SecretBox.from_env()).encrypt(value)
    with store.transaction() as tx:
        new = tx.put_secret(clean, ciphertext, actor, datetime.now(UTC))
        tx.append_audit([Draft("secret.stored", (f"secret:{clean}",), reason.strip(),
                               {"new": new}, actor=actor)])
    return new


def list_secrets(store: Store) -> list[SecretInfo]:
    """The stored secrets' names, by name."""
    with store.transaction() as tx:
        return [SecretInfo(s.name, s.updated_by, s.updated_at) for s in tx.secrets()]


def reveal_secret(store: Store, name: str, box: SecretBox | None = None) -> str:
    """The value of secret ``name``, for the engine code that needs it (a broker adapter);
    never for an interface to show."""
    with store.transaction() as tx:
        record = tx.secret(name)
    if record is None:
        raise UnknownReference(f"no secret {name!r}", field="name")
    return (box or SecretBox.from_env()).decrypt(record.ciphertext)
