"""Error answers: a ballast error becomes a 4xx with its message, hint and field; invalid input
a 422 naming each bad field; anything else a 500 with only a correlation id (the traceback goes
to the log, never to the client)."""

from __future__ import annotations

import logging
import uuid

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ballast.domain import (
    BallastError,
    ConfigError,
    DataError,
    LedgerError,
    UnknownReference,
)
from ballast.domain.errors import KillSwitchEngaged
from ballast.engine.approvals import ApprovalRequired
from ballast.engine.login_throttle import TooManyAttempts
from ballast.engine.users import AuthenticationFailed, PermissionDenied

LOGGER = "ballast.api"

# Most specific first: the first class an error is an instance of decides its status.
STATUS: tuple[tuple[type[BallastError], int], ...] = (
    (AuthenticationFailed, 401),
    (TooManyAttempts, 429),
    (PermissionDenied, 403),
    (UnknownReference, 404),
    (KillSwitchEngaged, 409),
    (ApprovalRequired, 409),
    (LedgerError, 409),
    (ConfigError, 422),
    (DataError, 422),
)


def status_of(exc: BallastError) -> int:
    """The HTTP status of a ballast error (400 for one not listed)."""
    return next((code for kind, code in STATUS if isinstance(exc, kind)), 400)


def _request_id(request: Request) -> str:
    return str(getattr(request.state, "request_id", "") or uuid.uuid4().hex)


def _body(request: Request, error: str, message: str, **more: object) -> dict[str, object]:
    return {"error": error, "message": message, "request_id": _request_id(request), **more}


async def ballast_error(request: Request, exc: Exception) -> JSONResponse:
    """A ballast error: its status, message, hint and field."""
    assert isinstance(exc, BallastError)
    status = status_of(exc)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if isinstance(exc, TooManyAttempts):
        headers = {"Retry-After": str(exc.retry_after)}
    return JSONResponse(_body(request, type(exc).__name__, str(exc), hint=exc.hint,
                              field=exc.field), status_code=status, headers=headers)


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    """Bad input: every problem with where it is (``body.reason``, ``query.limit``)."""
    assert isinstance(exc, RequestValidationError)
    problems = [{"where": ".".join(str(p) for p in e.get("loc", ())), "problem": e.get("msg", "")}
                for e in exc.errors()]
    message = "; ".join(f"{p['where']}: {p['problem']}" for p in problems) or "invalid input"
    return JSONResponse(_body(request, "InvalidInput", message, problems=problems),
                        status_code=422)


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    """Starlette's own errors (404 no such route, 405 method) in the same shape."""
    assert isinstance(exc, StarletteHTTPException)
    return JSONResponse(_body(request, "HTTPError", str(exc.detail)),
                        status_code=exc.status_code, headers=exc.headers)


async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    """A bug: logged with its traceback under a correlation id; the client gets only the id."""
    request_id = _request_id(request)
    logging.getLogger(LOGGER).error(
        "unhandled error", exc_info=exc, extra={"request_id": request_id,
                                                "route": request.url.path})
    return JSONResponse(_body(request, "InternalError", "internal error: it was logged under "
                              f"request id {request_id}; report that id"), status_code=500)


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(BallastError, ballast_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected_error)
