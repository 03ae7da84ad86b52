"""Authentication and authorization for the API and the dashboard.

The API takes ``Authorization: Bearer <token>``; the dashboard logs in with a password
(``POST /auth/login``) and then sends the HttpOnly, SameSite=Strict session cookie. A mutating
request authenticated by the cookie must also carry the session's CSRF token (header
``X-CSRF-Token``, which HTMX can send with ``hx-headers``); bearer requests need none.

``require(Permission.X)`` is the dependency a route declares; it answers 401 without valid
credentials and 403 when the user's roles do not grant X."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response
from pydantic import BaseModel

from ballast.api.principals import Principals
from ballast.engine import login_throttle as throttle
from ballast.engine import users
from ballast.engine.service import Store
from ballast.engine.users import AuthenticationFailed, Permission, Principal

SESSION_COOKIE = "ballast_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def store_of(request: Request) -> Store:
    """The app's store: for a GET or HEAD the one that reads beside the writers (it refuses
    writes), else the book's own."""
    store: Store = (request.app.state.reads if request.method in ("GET", "HEAD")
                    else request.app.state.store)
    return store


def principals_of(request: Request) -> Principals:
    """The app's principals, kept per token for the store's generation."""
    principals: Principals = request.app.state.principals
    return principals


def csrf_of(request: Request) -> str | None:
    """The CSRF token of the request's dashboard session (for templates), or None."""
    session = request.cookies.get(SESSION_COOKIE)
    return users.csrf_for(session) if session else None


def current_principal(request: Request) -> Principal:
    """Who makes the request: a bearer token, else the session cookie; 401 otherwise."""
    cached: Principal | None = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    store, principals = store_of(request), principals_of(request)
    header = request.headers.get("Authorization", "")
    scheme, _, credential = header.partition(" ")
    if header:
        if scheme.lower() != "bearer" or not credential.strip():
            raise AuthenticationFailed("the Authorization header must be `Bearer <token>`")
        principal = principals.authenticate(store, credential.strip(), users.API)
    elif session := request.cookies.get(SESSION_COOKIE):
        principal = principals.authenticate(store, session, users.SESSION)
        if request.method not in SAFE_METHODS:
            sent = request.headers.get(CSRF_HEADER, "")
            if not hmac.compare_digest(sent, users.csrf_for(session)):
                raise AuthenticationFailed(f"missing or wrong {CSRF_HEADER} header for a "
                                           "change made with the session cookie")
    else:
        raise AuthenticationFailed("not authenticated: send `Authorization: Bearer <token>` "
                                   "or log in")
    request.state.principal = principal
    request.state.user = principal.name
    return principal


CurrentUser = Annotated[Principal, Depends(current_principal)]


def require(permission: Permission) -> Callable[[Request], Awaitable[Principal]]:
    """A dependency: the principal, who must hold ``permission`` (else 403). It runs on the
    event loop (one indexed read), sparing every request a hop to the thread pool."""
    async def dependency(request: Request) -> Principal:
        principal = current_principal(request)
        principal.require(permission)
        return principal
    dependency.__name__ = f"require_{permission.value}"
    return dependency


def throttled_login(request: Request, name: str, password: str
                    ) -> tuple[users.IssuedToken, Principal]:
    """:func:`ballast.engine.users.login`, counted by :mod:`ballast.engine.login_throttle` for the
    name and the client's address (TooManyAttempts while either is locked out)."""
    store = request.app.state.store
    address = request.client.host if request.client else "unknown"
    throttle.attempt(store, name, address, datetime.now(UTC))
    issued, principal = users.login(store, name, password)
    throttle.succeeded(store, principal.name)
    return issued, principal


class SessionOut(BaseModel):
    """An open dashboard session: the user, their roles, and the CSRF token to send with
    changes (the session id itself is only in the HttpOnly cookie)."""

    user: str
    roles: list[str]
    csrf_token: str


class Me(BaseModel):
    user: str
    roles: list[str]
    permissions: list[str]
    via: str


router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/login", response_model=SessionOut, responses={
    429: {"description": "Too many failed logins for this name or from this address: try "
          "again after the `Retry-After` seconds."}})
def login(request: Request, response: Response,
          name: Annotated[str, Form(min_length=1, max_length=64)],
          password: Annotated[str, Form(min_length=1, max_length=1024)]) -> SessionOut:
    """Log in with a password (form fields ``name`` and ``password``): sets the session
    cookie and returns the CSRF token. Repeated failures for a name or from an address are
    throttled: 429 with ``Retry-After`` (see docs/security.md)."""
    issued, principal = throttled_login(request, name, password)
    request.state.user = principal.name
    response.set_cookie(SESSION_COOKIE, issued.token, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", path="/",
                        max_age=int(users.SESSION_TTL.total_seconds()))
    return SessionOut(user=principal.name, roles=[r.value for r in principal.roles],
                      csrf_token=users.csrf_for(issued.token))


@router.post("/logout", status_code=204)
def logout(request: Request, response: Response) -> None:
    """End the dashboard session and clear its cookie."""
    session = request.cookies.get(SESSION_COOKIE)
    if session:
        users.logout(store_of(request), session)
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.get("/me", response_model=Me)
def me(principal: CurrentUser) -> Me:
    """Who the credentials belong to, their roles and permissions."""
    return Me(user=principal.name, roles=[r.value for r in principal.roles],
              permissions=sorted(p.value for p in principal.permissions), via=principal.via)
