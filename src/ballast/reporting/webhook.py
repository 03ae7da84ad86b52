"""Alerts as webhooks: a JSON POST signed with HMAC-SHA256 over the exact body
(``X-Ballast-Signature: sha256=<hex>``), with a timeout and retries on temporary failures."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from ballast.reporting.retry import DEFAULT_BACKOFF, Backoff, TemporaryError, with_retries

SIGNATURE_HEADER = "X-Ballast-Signature"
EVENT_HEADER = "X-Ballast-Event"
DELIVERY_HEADER = "X-Ballast-Delivery"


class AlertKind(StrEnum):
    BREACH = "breach"
    KILL_SWITCH = "kill_switch"
    FAILED_TRADE = "failed_trade"
    RECONCILIATION_BREAK = "reconciliation_break"


@dataclass(frozen=True, slots=True)
class Alert:
    """Something an operator must look at: ``id`` is unique and stable (a receiver can drop
    a repeat), ``subject`` what it is about (``account:A1``), ``message`` one sentence."""

    id: str
    kind: AlertKind
    at: datetime
    subject: str
    message: str
    details: Mapping[str, Any] = field(default_factory=dict)

    def body(self) -> bytes:
        """The JSON body: sorted keys, UTF-8."""
        return json.dumps({"id": self.id, "kind": self.kind.value, "at": self.at.isoformat(),
                           "subject": self.subject, "message": self.message,
                           "details": dict(self.details)}, sort_keys=True, default=str,
                          ensure_ascii=False).encode("utf-8")


def signature(body: bytes, secret: str) -> str:
    """``sha256=`` and the hex HMAC-SHA256 of ``body`` under ``secret``."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify_signature(body: bytes, secret: str, header: str) -> bool:
    """True when ``header`` is the signature of ``body`` (constant-time comparison)."""
    return hmac.compare_digest(signature(body, secret), header)


def _post_once(url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> int:
    request = urllib.request.Request(url, data=body, method="POST", headers=dict(headers))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        if exc.code >= 500 or exc.code in (408, 429):
            raise TemporaryError(f"HTTP {exc.code} {exc.reason}") from exc
        raise
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        raise TemporaryError(str(getattr(exc, "reason", exc))) from exc


def post_alert(url: str, alert: Alert, secret: str, *, timeout: float = 10.0,
               backoff: Backoff = DEFAULT_BACKOFF,
               sleep: Callable[[float], None] = time.sleep) -> int:
    """POST ``alert`` to ``url``; returns the tries it took; DeliveryFailed when it could
    not (an HTTP 4xx other than 408/429 is permanent)."""
    if not secret:
        raise ValueError("a webhook secret is required to sign alerts")
    body = alert.body()
    headers = {"Content-Type": "application/json", SIGNATURE_HEADER: signature(body, secret),
               EVENT_HEADER: alert.kind.value, DELIVERY_HEADER: alert.id,
               "User-Agent": "ballast-alerts"}
    _, attempts = with_retries(lambda: _post_once(url, body, headers, timeout), backoff,
                               f"webhook {alert.kind.value} to {url}", sleep)
    return attempts
