"""Rendering dashboard pages: the Jinja2 environment, number formats, and the context every
page gets (who is signed in, what they may do, the CSRF token for forms, a message)."""

from __future__ import annotations

import math
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from ballast.api.auth import csrf_of
from ballast.engine.users import Permission, Principal

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
STATIC = Path(__file__).resolve().parent.parent / "static"
DASH = "—"

Number = float | int | Decimal | None


def _finite(value: Number) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def money(value: Number, places: int = 2) -> str:
    """``1234.5`` → ``1,234.50``; a dash for None or NaN."""
    number = _finite(value)
    return DASH if number is None else f"{number:,.{places}f}"


def pct(value: Number, places: int = 1) -> str:
    """A fraction as a percentage: ``0.1234`` → ``12.3%``."""
    number = _finite(value)
    return DASH if number is None else f"{number * 100:.{places}f}%"


def qty(value: Number) -> str:
    """A quantity without trailing zeros: ``10.000`` → ``10``."""
    if value is None:
        return DASH
    if isinstance(value, Decimal):
        text = f"{value.normalize():f}"
        return f"{Decimal(text):,}" if "." not in text else text
    return money(value, 0)


templates = Jinja2Templates(directory=TEMPLATES)
templates.env.filters.update(money=money, pct=pct, qty=qty)


def is_htmx(request: Request) -> bool:
    """True for a request HTMX made (it wants a fragment, not a whole page)."""
    return request.headers.get("HX-Request") == "true"


def render(request: Request, template: str, principal: Principal | None, *,
           status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render ``template`` with the page context of ``principal``."""
    can = {p.value: principal is not None and principal.can(p) for p in Permission}
    base = {"user": principal, "can": can, "csrf": csrf_of(request),
            "message": request.query_params.get("msg", "")[:300],
            "path": request.url.path}
    return templates.TemplateResponse(request, template, {**base, **context},
                                      status_code=status_code)


def done(request: Request, to: str, message: str) -> RedirectResponse:
    """After a form post: back to ``to`` (a path of this site) showing ``message``."""
    separator = "&" if "?" in to else "?"
    return RedirectResponse(f"{to}{separator}{urlencode({'msg': message})}", status_code=303)
