"""The delivery channels against real servers on loopback: SMTP (plain, STARTTLS, implicit
TLS; temporary failures retried with backoff, permanent ones not) and signed webhooks."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from ballast.reporting import render_statement_pdf
from ballast.reporting.mail import Security, SmtpSettings, send_mail, statement_message
from ballast.reporting.retry import Backoff, DeliveryFailed
from ballast.reporting.webhook import Alert, AlertKind, post_alert, signature

from .sample import sample_statement
from .servers import Hook, MailHandler, free_port, self_signed, smtp_server, webhook_server

FAST = Backoff(attempts=4, first_delay=0.5, factor=2.0)


def _message(recipient: str = "client@example.test"):  # type: ignore[no-untyped-def]
    s = sample_statement()
    return statement_message(s, render_statement_pdf(s), "reports@firm.test", recipient)


def test_plain_smtp_delivers_one_message_with_the_pdf() -> None:
    handler = MailHandler()
    with smtp_server(handler) as port:
        tries = send_mail(SmtpSettings("127.0.0.1", port, "reports@firm.test"), _message(),
                          "client@example.test")
    assert tries == 1
    [got] = handler.received
    assert got.mail_from == "reports@firm.test" and got.rcpt_tos == ["client@example.test"]
    assert got.message["Subject"] == ("Harbor & Pine Advisors: your 2020Q1 statement for "
                                      "Abbott joint")
    [pdf] = [p for p in got.message.iter_attachments()
             if p.get_content_type() == "application/pdf"]
    assert pdf.get_filename() == "statement-H001-TAX-2020Q1.pdf"
    text = pdfium.PdfDocument(pdf.get_content())[0].get_textpage().get_text_range()
    assert "Account H001-TAX" in text


@pytest.mark.parametrize("security", [Security.STARTTLS, Security.TLS])
def test_tls_and_starttls(tmp_path: Path, security: Security) -> None:
    server_ctx, client_ctx = self_signed(tmp_path)
    handler = MailHandler()
    tls = server_ctx if security is Security.TLS else None
    starttls = server_ctx if security is Security.STARTTLS else None
    with smtp_server(handler, tls=tls, starttls=starttls) as port:
        settings = SmtpSettings("localhost", port, "reports@firm.test", security,
                                ssl_context=client_ctx)
        assert send_mail(settings, _message(), "client@example.test") == 1
        plain = SmtpSettings("localhost", port, "reports@firm.test", Security.NONE,
                             timeout=5)
        if security is Security.STARTTLS:  # the server requires it: plain text is refused
            with pytest.raises(DeliveryFailed) as refused:
                send_mail(plain, _message(), "client@example.test", Backoff(attempts=1))
            assert refused.value.permanent
    assert [r.rcpt_tos for r in handler.received] == [["client@example.test"]]


def test_temporary_failures_are_retried_with_exponential_backoff() -> None:
    handler = MailHandler(fail_data=["451 4.3.0 Try again later", "421 4.7.0 Busy"])
    pauses: list[float] = []
    with smtp_server(handler) as port:
        tries = send_mail(SmtpSettings("127.0.0.1", port, "reports@firm.test"), _message(),
                          "client@example.test", FAST, pauses.append)
    assert tries == 3 and pauses == [0.5, 1.0] and handler.data_commands == 3
    assert len(handler.received) == 1


def test_a_permanent_refusal_is_not_retried() -> None:
    handler = MailHandler(refuse={"gone@example.test": "550 5.1.1 No such mailbox"})
    pauses: list[float] = []
    with smtp_server(handler) as port, pytest.raises(DeliveryFailed, match="550") as exc:
        send_mail(SmtpSettings("127.0.0.1", port, "reports@firm.test"),
                  _message("gone@example.test"), "gone@example.test", FAST, pauses.append)
    assert exc.value.permanent and exc.value.attempts == 1 and pauses == []


def test_a_refused_connection_is_retried_then_reported() -> None:
    pauses: list[float] = []
    port = free_port()  # nothing listens there
    with pytest.raises(DeliveryFailed, match="gave up after 4 tries") as exc:
        send_mail(SmtpSettings("127.0.0.1", port, "reports@firm.test", timeout=2), _message(),
                  "client@example.test", FAST, pauses.append)
    assert not exc.value.permanent and pauses == [0.5, 1.0, 2.0]


ALERT = Alert("journal-7", AlertKind.KILL_SWITCH, datetime(2026, 11, 22, 4, 0, tzinfo=UTC),
              "kill_switch:global", "custodian outage", {"scope": "global"})


def test_webhook_is_signed_and_retried_until_it_is_accepted() -> None:
    hook = Hook("s3cret", statuses=[503, 502])
    pauses: list[float] = []
    with webhook_server(hook) as url:
        tries = post_alert(url, ALERT, "s3cret", backoff=FAST, sleep=pauses.append)
    assert tries == 3 and pauses == [0.5, 1.0]
    assert all(valid for _, _, valid in hook.requests) and len(hook.requests) == 3
    body, headers, _ = hook.requests[-1]
    assert json.loads(body) == {"id": "journal-7", "kind": "kill_switch",
                                "at": "2026-11-22T04:00:00+00:00",
                                "subject": "kill_switch:global",
                                "message": "custodian outage", "details": {"scope": "global"}}
    expected = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert headers["X-Ballast-Signature"] == expected == signature(body, "s3cret")
    assert headers["X-Ballast-Event"] == "kill_switch"


def test_webhook_client_errors_are_permanent() -> None:
    hook = Hook("other-secret")  # the receiver rejects our signature with 401
    with webhook_server(hook) as url, pytest.raises(DeliveryFailed, match="401") as exc:
        post_alert(url, ALERT, "s3cret", backoff=FAST, sleep=lambda _: None)
    assert exc.value.permanent and exc.value.attempts == 1
    assert [valid for _, _, valid in hook.requests] == [False]
