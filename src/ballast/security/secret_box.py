"""Secrets (broker credentials) encrypted at rest with Fernet (AES-128-CBC + HMAC-SHA256) under
a key from the environment. The key never enters the database; a ciphertext cannot be read, or
altered unnoticed, without it."""

from __future__ import annotations

import os

from cryptography.fernet import Fernet, InvalidToken

from ballast.domain import ConfigError

KEY_ENV = "BALLAST_SECRET_KEY"


def new_key() -> str:
    """A fresh key to put in ``BALLAST_SECRET_KEY``."""
    return Fernet.generate_key().decode("ascii")


class SecretBox:
    """Encrypts and decrypts secret values under one key."""

    def __init__(self, key: str) -> None:
        try:
            self._fernet = Fernet(key.encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            raise ConfigError(f"{KEY_ENV} is not a valid key (32 url-safe base64 bytes)",
                              hint="Generate one with `ballast secret keygen`.",
                              field=KEY_ENV) from None

    @classmethod
    def from_env(cls) -> SecretBox:
        """The box under ``$BALLAST_SECRET_KEY``; ConfigError when it is not set."""
        key = os.environ.get(KEY_ENV, "").strip()
        if not key:
            raise ConfigError(f"{KEY_ENV} is not set: secrets cannot be encrypted or read",
                              hint="Generate a key with `ballast secret keygen` and export it "
                              f"as {KEY_ENV} (keep it out of the database and of the logs).",
                              field=KEY_ENV)
        return cls(key)

    def encrypt(self, value: str) -> str:
        """The ciphertext (a Fernet token) of ``value``."""
        return self._fernet.encrypt(value.encode("utf-8")).decode("ascii")

    def decrypt(self, ciphertext: str) -> str:
        """The value of ``ciphertext``; ConfigError when it was made under another key or
        altered."""
        try:
            return self._fernet.decrypt(ciphertext.encode("ascii")).decode("utf-8")
        except InvalidToken:
            raise ConfigError("a stored secret cannot be decrypted with this "
                              f"{KEY_ENV}", hint="Use the key it was stored under, or store "
                              "the secret again.", field=KEY_ENV) from None
