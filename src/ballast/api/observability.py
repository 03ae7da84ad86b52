"""Operations: structured JSON logs (one line per request, with request id, user, route,
status and duration) and Prometheus metrics (request counts and latency by route, pending
proposals, kill-switch state), each app with its own registry."""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOGGER = "ballast.api"
REQUEST_ID_HEADER = "X-Request-ID"
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the record's extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(), "logger": record.name,
            "message": record.getMessage()}
        out.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD})
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str)


def configure_logging(level: int = logging.INFO) -> None:
    """Send the ``ballast`` loggers to standard error as JSON lines (idempotent)."""
    logger = logging.getLogger("ballast")
    if not any(isinstance(h.formatter, JsonFormatter) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
    logger.setLevel(level)


class Metrics:
    """The app's Prometheus registry: requests by route, method and status, their latency, and
    gauges read at scrape time from ``gauges`` (name -> (help, callable))."""

    def __init__(self, gauges: dict[str, tuple[str, Callable[[], float]]]) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("ballast_http_requests", "HTTP requests served",
                                ("method", "route", "status"), registry=self.registry)
        self.latency = Histogram(
            "ballast_http_request_duration_seconds", "Time to serve a request",
            ("method", "route"), registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
        self.registry.register(_Gauges(gauges))


class _Gauges(Collector):
    def __init__(self, gauges: dict[str, tuple[str, Callable[[], float]]]) -> None:
        self._gauges = gauges

    def collect(self) -> Any:
        for name, (text, read) in self._gauges.items():
            family = GaugeMetricFamily(name, text)
            try:
                family.add_metric([], read())
            except Exception:  # a gauge that cannot be read is left out of this scrape
                logging.getLogger(LOGGER).exception("metric %s could not be read", name)
                continue
            yield family


def route_of(scope: Scope) -> str:
    """The route template a request matched (``/api/accounts/{account_id}``), not its path, so
    metrics do not explode with ids; ``unmatched`` for a 404 without a route."""
    return str(getattr(scope.get("route"), "path", "unmatched"))


def _request_id(scope: Scope) -> str:
    given = next((v.decode("latin-1") for k, v in scope.get("headers", ())
                  if k == b"x-request-id"), "")
    return given if 0 < len(given) <= 64 and given.isprintable() else uuid.uuid4().hex


class RequestMiddleware:
    """Pure ASGI middleware: a request id (the caller's X-Request-ID or a new one) on the
    request state and the answer, one JSON log line per request, and the metrics; an
    exception no handler took becomes ``on_error``'s answer (logged and counted like any
    other)."""

    def __init__(self, app: ASGIApp, metrics: Metrics,
                 on_error: Callable[[Request, Exception], Awaitable[Response]]) -> None:
        self.app, self.metrics, self.on_error = app, metrics, on_error
        self.log = logging.getLogger(LOGGER)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        started, status = time.perf_counter(), 500
        sent = False

        async def answer(message: Message) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status, sent = message["status"], True
                MutableHeaders(scope=message).append(REQUEST_ID_HEADER, request_id)
            await send(message)

        try:
            await self.app(scope, receive, answer)
        except Exception as exc:
            if sent:
                raise
            response = await self.on_error(Request(scope, receive), exc)
            await response(scope, receive, answer)
        finally:
            seconds = time.perf_counter() - started
            route, method = route_of(scope), scope["method"]
            self.metrics.requests.labels(method, route, str(status)).inc()
            self.metrics.latency.labels(method, route).observe(seconds)
            self.log.info("request", extra={
                "request_id": request_id, "user": state.get("user"), "method": method,
                "route": route, "status": status, "duration_ms": round(seconds * 1000, 2)})
