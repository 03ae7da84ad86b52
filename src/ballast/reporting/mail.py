"""Statements by e-mail over SMTP: one message per recipient with the PDF attached, plain
SMTP, STARTTLS or implicit TLS, optional login, retried on temporary failures."""

from __future__ import annotations

import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from enum import StrEnum

from ballast.reporting.format import day
from ballast.reporting.retry import DEFAULT_BACKOFF, Backoff, TemporaryError, with_retries
from ballast.reporting.statement import Statement


class Security(StrEnum):
    NONE = "none"
    STARTTLS = "starttls"
    TLS = "tls"


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """Where and how to send. ``ssl_context`` None: the system's default verification."""

    host: str
    port: int
    sender: str
    security: Security = Security.NONE
    username: str = ""
    password: str = ""
    timeout: float = 30.0
    ssl_context: ssl.SSLContext | None = None


def statement_message(s: Statement, pdf: bytes, sender: str, recipient: str) -> EmailMessage:
    """The e-mail carrying statement ``s`` to one ``recipient``: a short text and the PDF."""
    msg = EmailMessage()
    msg["Subject"] = f"{s.firm}: your {s.period.label} statement for {s.title}"
    msg["From"] = sender
    msg["To"] = recipient
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    names = ", ".join(a.account_id for a in s.accounts)
    msg.set_content(
        f"Hello,\n\nyour statement for {s.title} ({names}) covering {day(s.period.start)} to "
        f"{day(s.period.end)} is attached as a PDF.\n\nIt shows how the portfolio did against "
        "its benchmark, its allocation against target, holdings, transactions, realized gains, "
        "fees, and what the automation did on your behalf and why.\n\n"
        f"Kind regards,\n{s.firm}\n")
    msg.add_attachment(pdf, maintype="application", subtype="pdf",
                       filename=f"{s.file_stem}.pdf")
    return msg


def _temporary(exc: Exception) -> bool:
    """4xx replies, refused or dropped connections and timeouts are worth another try."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    return isinstance(exc, smtplib.SMTPServerDisconnected | ConnectionError | TimeoutError)


def _send_once(settings: SmtpSettings, msg: EmailMessage, recipient: str) -> None:
    context = settings.ssl_context or ssl.create_default_context()
    try:
        client: smtplib.SMTP
        if settings.security is Security.TLS:
            client = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout,
                                      context=context)
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        with client:
            if settings.security is Security.STARTTLS:
                client.starttls(context=context)
            if settings.username:
                client.login(settings.username, settings.password)
            client.send_message(msg, from_addr=settings.sender, to_addrs=[recipient])
    except Exception as exc:
        if _temporary(exc):
            raise TemporaryError(f"{type(exc).__name__}: {exc}") from exc
        raise


def send_mail(settings: SmtpSettings, msg: EmailMessage, recipient: str,
              backoff: Backoff = DEFAULT_BACKOFF,
              sleep: Callable[[float], None] = time.sleep) -> int:
    """Deliver ``msg`` to ``recipient`` only (the envelope names no one else); returns the
    tries it took; DeliveryFailed when it could not."""
    _, attempts = with_retries(lambda: _send_once(settings, msg, recipient), backoff,
                               f"mail to {recipient} via {settings.host}:{settings.port}",
                               sleep)
    return attempts
