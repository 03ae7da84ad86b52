"""Who is signed in to the dashboard, and how its pages answer errors.

A page reads the session cookie set by the login form (the same session as the API's
``/auth/login``). Every form that changes something sends the session's CSRF token in the field
``csrf_token`` (or HTMX's ``X-CSRF-Token`` header); a post without the right one gets 403. Pages
are served by :class:`PageRoute`, which turns a ballast error into an HTML page with the API's
status (401 → the login page for a GET, 403 when a role does not allow it, 404, 409, 422)."""

from __future__ import annotations

import hmac
from collections.abc import Callable, Coroutine
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Form, Request, Response
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute

from ballast.api.auth import CSRF_HEADER, SESSION_COOKIE, csrf_of, store_of
from ballast.api.errors import status_of
from ballast.api.web.views import is_htmx, render
from ballast.domain import BallastError
from ballast.engine import users
from ballast.engine.users import AuthenticationFailed, PermissionDenied, Principal


def signed_in(request: Request) -> Principal:
    """The user of the request's dashboard session; AuthenticationFailed without one."""
    session = request.cookies.get(SESSION_COOKIE)
    if not session:
        raise AuthenticationFailed("not logged in")
    principal = users.authenticate(store_of(request), session, kind=users.SESSION)
    request.state.principal = principal
    request.state.user = principal.name
    return principal


def signed_form(request: Request, csrf_token: Annotated[str, Form(max_length=200)] = ""
                ) -> Principal:
    """The user of a form post, which must carry the session's CSRF token (else 403)."""
    principal = signed_in(request)
    sent = request.headers.get(CSRF_HEADER) or csrf_token
    if not hmac.compare_digest(sent, csrf_of(request) or ""):
        raise PermissionDenied("this form was not sent by a dashboard page of your session "
                               "(missing or wrong CSRF token): reload the page and try again")
    return principal


Viewer = Annotated[Principal, Depends(signed_in)]
Poster = Annotated[Principal, Depends(signed_form)]


def error_page(request: Request, exc: BallastError) -> Response:
    """A ballast error as a page (or, for HTMX, a message swapped into the page's flash)."""
    status = status_of(exc)
    if status == 401 and request.method == "GET" and not is_htmx(request):
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
    principal: Principal | None = getattr(request.state, "principal", None)
    template = "partials/error.html" if is_htmx(request) else "error.html"
    response = render(request, template, principal, status_code=status, status=status,
                      error=str(exc), hint=exc.hint)
    if is_htmx(request):
        response.headers["HX-Retarget"] = "#flash"
        response.headers["HX-Reswap"] = "innerHTML"
    return response


class PageRoute(APIRoute):
    """A dashboard route: ballast errors become HTML answers, not JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except BallastError as exc:
                return error_page(request, exc)

        return route
