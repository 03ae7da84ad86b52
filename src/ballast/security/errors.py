"""Refusals of access: who you are is not proven (401), or you may not do this (403)."""

from __future__ import annotations

from ballast.domain import BallastError


class AuthenticationFailed(BallastError):
    """The credentials are missing, wrong, expired or revoked."""

    hint = ("Log in again, or send a valid API token as `Authorization: Bearer <token>` "
            "(`ballast token create USER` makes one).")


class PermissionDenied(BallastError):
    """The user is known but their roles do not allow this action."""

    hint = "Ask an admin for a user with the role named in the message."
