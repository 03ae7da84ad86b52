"""Passwords hashed with argon2id (argon2-cffi's recommended parameters, RFC 9106)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ballast.domain import ConfigError

MIN_LENGTH = 8
_HASHER = PasswordHasher()
# Verified against when the user does not exist, so an unknown name costs the same time.
_DUMMY = _HASHER.hash("ballast: no such user")


def hash_password(password: str) -> str:
    """The argon2id hash (PHC string with salt and parameters) of ``password``."""
    if len(password) < MIN_LENGTH:
        raise ConfigError(f"a password needs at least {MIN_LENGTH} characters",
                          hint="Choose a longer password.", field="password")
    return _HASHER.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """True when ``password`` matches the ``stored`` hash; None (no such user) verifies against a
    dummy hash and is always False."""
    try:
        return _HASHER.verify(stored or _DUMMY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False
