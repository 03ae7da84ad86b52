"""The login form and logout: a password opens a dashboard session (an HttpOnly, SameSite=Strict
cookie); logging out ends it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from ballast.api.auth import SESSION_COOKIE, store_of, throttled_login
from ballast.api.web.session import PageRoute, Poster
from ballast.api.web.views import render
from ballast.engine import users
from ballast.engine.login_throttle import TooManyAttempts
from ballast.engine.users import AuthenticationFailed

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _local(target: str) -> str:
    """``target`` when it is a path of this site, else the overview (no open redirect)."""
    ok = target.startswith("/") and not target.startswith("//") and "\\" not in target
    return target if ok else "/"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> Response:
    """The login form."""
    return render(request, "login.html", None, next=_local(next), error="")


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, name: Annotated[str, Form(min_length=1, max_length=64)],
          password: Annotated[str, Form(min_length=1, max_length=1024)],
          next: Annotated[str, Form(max_length=500)] = "/") -> Response:
    """Check the password (throttled like the API's login), set the session cookie and go on
    to ``next``."""
    try:
        issued, principal = throttled_login(request, name, password)
    except AuthenticationFailed as exc:
        return render(request, "login.html", None, status_code=401, next=_local(next),
                      error=str(exc), name=name)
    except TooManyAttempts as exc:
        page = render(request, "login.html", None, status_code=429, next=_local(next),
                      error=str(exc), name=name)
        page.headers["Retry-After"] = str(exc.retry_after)
        return page
    request.state.user = principal.name
    response = RedirectResponse(_local(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, issued.token, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", path="/",
                        max_age=int(users.SESSION_TTL.total_seconds()))
    return response


@router.post("/logout")
def logout(request: Request, principal: Poster) -> Response:
    """End the session and clear its cookie."""
    session = request.cookies.get(SESSION_COOKIE)
    if session:
        users.logout(store_of(request), session)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
