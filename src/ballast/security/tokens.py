"""Bearer tokens and session ids: 32 random bytes, shown once, stored as their SHA-256."""

from __future__ import annotations

import hashlib
import secrets

API_PREFIX = "bal_"
SESSION_PREFIX = "bss_"


def new_token(prefix: str = API_PREFIX) -> str:
    """A fresh token: ``prefix`` and 32 random bytes, URL-safe base64."""
    return prefix + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """The SHA-256 hex digest stored in place of ``token``."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def csrf_token(session: str) -> str:
    """The CSRF token of a dashboard session: derived from the (HttpOnly) session id, so a page
    of another site can neither read nor compute it."""
    return hashlib.sha256(b"ballast-csrf:" + session.encode("utf-8")).hexdigest()
