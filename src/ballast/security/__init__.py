"""Security primitives: password hashing (argon2id), token generation and hashing, roles and
their permissions, and encryption of secrets at rest (Fernet under ``BALLAST_SECRET_KEY``).

Pure and free of I/O except reading the key from the environment; the engine stores what these
produce."""

from ballast.security.errors import AuthenticationFailed, PermissionDenied
from ballast.security.passwords import hash_password, verify_password
from ballast.security.roles import Permission, Role, parse_roles, permissions_of
from ballast.security.secret_box import KEY_ENV, SecretBox, new_key
from ballast.security.tokens import csrf_token, new_token, token_hash

__all__ = [
    "KEY_ENV", "AuthenticationFailed", "Permission", "PermissionDenied", "Role", "SecretBox",
    "csrf_token", "hash_password", "new_key", "new_token", "parse_roles", "permissions_of",
    "token_hash", "verify_password",
]
