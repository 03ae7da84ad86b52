"""Users, roles, API tokens and dashboard sessions: the use cases behind `ballast user`,
`ballast token` and the API's authentication. Passwords are kept as argon2id hashes, tokens
and sessions as SHA-256; every change is written to the audit journal with who and why."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ballast.audit import Draft
from ballast.domain import ConfigError, UnknownReference
from ballast.security import (
    AuthenticationFailed,
    Permission,
    PermissionDenied,
    Role,
    csrf_token,
    hash_password,
    new_token,
    parse_roles,
    permissions_of,
    token_hash,
    verify_password,
)
from ballast.security.roles import roles_granting
from ballast.security.tokens import SESSION_PREFIX
from ballast.store import Store, UnitOfWork
from ballast.store.users import TokenRecord, UserRecord

__all__ = ["AuthenticationFailed", "IssuedToken", "Permission", "PermissionDenied", "Principal",
           "Role", "TokenInfo", "UserInfo", "acting_user", "add_user", "authenticate",
           "create_token", "csrf_for", "list_tokens", "list_users", "login", "logout",
           "revoke_token", "update_user"]

SESSION_TTL = timedelta(hours=12)
API = "api"
SESSION = "session"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is acting: the user, their roles and permissions, and how they proved it."""

    name: str
    roles: tuple[Role, ...]
    via: str  # "api" token, dashboard "session", or "cli"
    token_id: int | None = None

    @property
    def permissions(self) -> frozenset[Permission]:
        return permissions_of(self.roles)

    def can(self, permission: Permission) -> bool:
        """True when a role of the user grants ``permission``."""
        return permission in self.permissions

    def require(self, permission: Permission) -> None:
        """Raise PermissionDenied naming the roles that grant ``permission``."""
        if not self.can(permission):
            needs = " or ".join(r.value for r in roles_granting(permission))
            raise PermissionDenied(f"{self.name} ({', '.join(self.roles)}) may not "
                                   f"{permission.value.replace('_', ' ')}: it needs the role "
                                   f"{needs}")


@dataclass(frozen=True, slots=True)
class UserInfo:
    """A user as shown to admins (never the password hash)."""

    name: str
    roles: tuple[str, ...]
    active: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """A token as listed (never the token or its hash)."""

    id: int
    user: str
    kind: str
    label: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A token just made: ``token`` is shown once and cannot be read back."""

    id: int
    user: str
    token: str
    label: str
    expires_at: datetime | None


def _info(u: UserRecord) -> UserInfo:
    return UserInfo(u.name, u.roles, u.active, u.created_at)


def _principal(u: UserRecord, via: str, token_id: int | None = None) -> Principal:
    return Principal(u.name, parse_roles(u.roles), via, token_id)


def _name(name: str) -> str:
    clean = name.strip()
    if not clean or len(clean) > 64 or any(c.isspace() or c == "," for c in clean):
        raise ConfigError(f"user name {name!r} must be 1–64 characters without spaces or commas",
                          field="name", hint="Use a short login name such as `alice`.")
    return clean


def _reason(reason: str) -> str:
    if not reason.strip():
        raise ConfigError("a reason is required", field="reason",
                          hint="Say why, in a few words: it is kept in the audit journal.")
    return reason.strip()


def _existing(tx: UnitOfWork, name: str) -> UserRecord:
    user = tx.user(name)
    if user is None:
        raise UnknownReference(f"no user {name!r}", field="name",
                               hint="`ballast user list` lists the users.")
    return user


def _audit(tx: UnitOfWork, kind: str, user: str, actor: str, rationale: str,
           payload: dict[str, object]) -> None:
    tx.append_audit([Draft(kind, (f"user:{user}",), rationale, payload, actor=actor)])


def acting_user(store: Store, name: str, permission: Permission | None = None) -> Principal:
    """The principal of a command-line user: an active user called ``name`` (holding
    ``permission`` when given)."""
    with store.transaction() as tx:
        user = _existing(tx, name)
    if not user.active:
        raise AuthenticationFailed(f"user {name!r} is deactivated")
    principal = _principal(user, "cli")
    if permission is not None:
        principal.require(permission)
    return principal


def add_user(store: Store, name: str, password: str, roles: Sequence[str], *, actor: str,
             reason: str = "new user") -> UserInfo:
    """Create an active user with ``roles`` and an argon2id hash of ``password``."""
    clean, parsed = _name(name), parse_roles(roles)
    hashed, at = hash_password(password), datetime.now(UTC)
    with store.transaction() as tx:
        user = tx.add_user(clean, hashed, tuple(r.value for r in parsed), at)
        _audit(tx, "user.added", clean, actor, _reason(reason), {"roles": list(user.roles)})
    return _info(user)


def update_user(store: Store, name: str, *, actor: str, reason: str,
                roles: Sequence[str] | None = None, active: bool | None = None,
                password: str | None = None) -> UserInfo:
    """Change a user's roles, deactivate or reactivate them, or set a new password.
    Deactivating revokes every token and session of the user."""
    why = _reason(reason)
    parsed = None if roles is None else tuple(r.value for r in parse_roles(roles))
    hashed = None if password is None else hash_password(password)
    at = datetime.now(UTC)
    with store.transaction() as tx:
        user = _existing(tx, name)
        tx.update_user(user.id, roles=parsed, active=active, password_hash=hashed)
        if active is False:
            tx.revoke_tokens(at, user_id=user.id)
        changes: dict[str, object] = {}
        if parsed is not None:
            changes["roles"] = list(parsed)
        if active is not None:
            changes["active"] = active
        if hashed is not None:
            changes["password"] = "changed"
        _audit(tx, "user.changed", user.name, actor, why, changes)
        return _info(_existing(tx, name))


def token_digest(token: str) -> str:
    """The form a token is stored and looked up in (its hash): what a cache may key on
    without keeping the token itself."""
    return token_hash(token)


def has_users(store: Store) -> bool:
    """Whether the book has users (once it has, actions need one with the right role)."""
    with store.transaction() as tx:
        return tx.has_users()


def list_users(store: Store) -> list[UserInfo]:
    """Every user, by name."""
    with store.transaction() as tx:
        return [_info(u) for u in tx.users()]


def _issue(tx: UnitOfWork, user: UserRecord, kind: str, label: str, at: datetime,
           expires_at: datetime | None) -> IssuedToken:
    token = new_token(SESSION_PREFIX) if kind == SESSION else new_token()
    token_id = tx.add_token(user.id, token_hash(token), kind, label, at, expires_at)
    return IssuedToken(token_id, user.name, token, label, expires_at)


def create_token(store: Store, name: str, *, actor: str, label: str = "",
                 expires_in: timedelta | None = None) -> IssuedToken:
    """A new API token for user ``name``; only its hash is stored."""
    at = datetime.now(UTC)
    expires = None if expires_in is None else at + expires_in
    with store.transaction() as tx:
        user = _existing(tx, name)
        if not user.active:
            raise ConfigError(f"user {name!r} is deactivated", hint="Reactivate the user first.")
        issued = _issue(tx, user, API, label.strip()[:100], at, expires)
        _audit(tx, "token.created", user.name, actor, f"API token {issued.id} "
               f"{label.strip() or '(no label)'}", {"token_id": issued.id,
               "expires_at": expires.isoformat() if expires else None})
    return issued


def revoke_token(store: Store, token_id: int, *, actor: str, reason: str) -> bool:
    """Revoke token ``token_id``; False when it was revoked already."""
    why, at = _reason(reason), datetime.now(UTC)
    with store.transaction() as tx:
        tokens = {t.id: t for t in tx.tokens()}
        if token_id not in tokens:
            raise UnknownReference(f"no token {token_id}", field="token_id",
                                   hint="`ballast token list USER` lists a user's tokens.")
        done = tx.revoke_tokens(at, token_id=token_id) > 0
        owner = next(u.name for u in tx.users() if u.id == tokens[token_id].user_id)
        if done:
            _audit(tx, "token.revoked", owner, actor, why, {"token_id": token_id})
    return done


def list_tokens(store: Store, name: str | None = None) -> list[TokenInfo]:
    """API tokens (of user ``name``, or all), oldest first; sessions are not listed."""
    with store.transaction() as tx:
        names = {u.id: u.name for u in tx.users()}
        user_id = None if name is None else _existing(tx, name).id
        return [_token_info(t, names[t.user_id]) for t in tx.tokens(user_id, API)]


def _token_info(t: TokenRecord, user: str) -> TokenInfo:
    return TokenInfo(t.id, user, t.kind, t.label, t.created_at, t.expires_at, t.revoked_at)


def login(store: Store, name: str, password: str, *, ttl: timedelta = SESSION_TTL
          ) -> tuple[IssuedToken, Principal]:
    """Check a password and open a dashboard session; AuthenticationFailed with one message
    for an unknown user, a wrong password and a deactivated user alike."""
    with store.transaction() as tx:
        user = tx.user(name.strip())
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.active:
        raise AuthenticationFailed("wrong user name or password")
    at = datetime.now(UTC)
    with store.transaction() as tx:
        issued = _issue(tx, user, SESSION, "dashboard", at, at + ttl)
        _audit(tx, "user.login", user.name, user.name, "dashboard session opened",
               {"token_id": issued.id})
    return issued, _principal(user, SESSION, issued.id)


def csrf_for(session: str) -> str:
    """The CSRF token a dashboard page sends with changes made under ``session``."""
    return csrf_token(session)


def logout(store: Store, session: str) -> None:
    """End the dashboard session ``session`` (nothing happens for an unknown one)."""
    with store.transaction() as tx:
        tx.revoke_tokens(datetime.now(UTC), digest=token_hash(session))


def authenticate(store: Store, token: str, *, kind: str = API,
                 now: datetime | None = None) -> Principal:
    """The principal of an API token (``kind`` "api") or a session id ("session");
    AuthenticationFailed when it is unknown, of the other kind, revoked or expired, or its
    user is deactivated."""
    with store.transaction() as tx:
        found = tx.token_owner(token_hash(token))
    if found is None or found[0].kind != kind:
        raise AuthenticationFailed("invalid token" if kind == API else "not logged in")
    record, user = found
    if not record.valid_at(now or datetime.now(UTC)):
        raise AuthenticationFailed("the token has expired or was revoked" if kind == API
                                   else "the session has ended: log in again")
    if not user.active:
        raise AuthenticationFailed(f"user {user.name!r} is deactivated")
    return _principal(user, kind, record.id)
