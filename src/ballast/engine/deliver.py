"""Delivery: household statements by e-mail to the household's own addresses, and alerts from
the audit journal as signed webhooks; every attempt is written to the audit journal."""

from __future__ import annotations

import csv
import hashlib
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ballast.audit import Draft, Entry
from ballast.domain import DataError
from ballast.engine.period import Period
from ballast.engine.statements import DEFAULT_FIRM, build_statement
from ballast.reporting import render_statement_pdf
from ballast.reporting.mail import Security, SmtpSettings, send_mail, statement_message
from ballast.reporting.retry import DEFAULT_BACKOFF, Backoff, DeliveryFailed
from ballast.reporting.webhook import Alert, AlertKind, post_alert
from ballast.store import Store

__all__ = ["Delivery", "DeliveryReport", "Security", "SmtpSettings", "alert_of",
           "read_recipients", "send_alerts", "send_statements"]

_ADDRESS = re.compile(r"[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+")


@dataclass(frozen=True, slots=True)
class Delivery:
    """One attempt to deliver to one address (or one webhook URL)."""

    target: str
    recipient: str
    attempts: int
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    """What a run delivered; ``skipped`` names households without an address (or alerts
    already delivered), with why."""

    deliveries: tuple[Delivery, ...]
    skipped: tuple[tuple[str, str], ...]

    @property
    def failed(self) -> tuple[Delivery, ...]:
        return tuple(d for d in self.deliveries if not d.ok)


def read_recipients(path: Path) -> dict[str, tuple[str, ...]]:
    """The recipients CSV: columns ``household_id,email``, one address per row (a household
    may have several rows). DataError naming the line for a bad row."""
    out: dict[str, list[str]] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or {"household_id", "email"} - set(reader.fieldnames):
            raise DataError(f"{path}: the header must name household_id and email",
                            field="household_id",
                            hint="See docs/reporting.md, 'Recipients'.")
        for line, row in enumerate(reader, start=2):
            household, email = (row["household_id"] or "").strip(), (row["email"] or "").strip()
            if not household or not _ADDRESS.fullmatch(email):
                raise DataError(f"{path}, line {line}: {email!r} for household {household!r} "
                                "is not one e-mail address", field="email")
            if email not in out.setdefault(household, []):
                out[household].append(email)
    return {h: tuple(addresses) for h, addresses in out.items()}


def send_statements(store: Store, period: Period, settings: SmtpSettings,
                    recipients: dict[str, tuple[str, ...]], *, firm: str = DEFAULT_FIRM,
                    households: Sequence[str] | None = None, generated: date | None = None,
                    backoff: Backoff = DEFAULT_BACKOFF,
                    sleep: Callable[[float], None] = time.sleep) -> DeliveryReport:
    """Mail each household's statement for ``period`` to that household's addresses only,
    one message per address; a failed address does not stop the others."""
    with store.transaction() as tx:
        known = sorted(h.id for h in tx.households())
    wanted = list(households) if households is not None else known
    unknown = sorted(set(recipients) - set(known))
    if unknown:
        raise DataError(f"the recipients list names households not in the book: "
                        f"{', '.join(unknown)}", field="household_id",
                        hint="`ballast accounts` lists the households.")
    deliveries: list[Delivery] = []
    skipped: list[tuple[str, str]] = []
    for household in wanted:
        addresses = recipients.get(household, ())
        if not addresses:
            skipped.append((household, "no e-mail address in the recipients list"))
            continue
        statement = build_statement(store, period, household=household, firm=firm,
                                    generated=generated)
        pdf = render_statement_pdf(statement)
        accounts = tuple(f"account:{a.account_id}" for a in statement.accounts)
        for address in addresses:
            msg = statement_message(statement, pdf, settings.sender, address)
            try:
                attempts, error = send_mail(settings, msg, address, backoff, sleep), ""
            except DeliveryFailed as exc:
                attempts, error = exc.attempts, str(exc)
            deliveries.append(Delivery(household, address, attempts, error))
            _journal(store, Draft(
                "report.sent" if not error else "report.failed",
                (f"household:{household}", *accounts),
                f"{period.label} statement of household {household} "
                + (f"mailed to {address}" if not error else f"not delivered to {address}: "
                   f"{error}"),
                {"period": period.label, "recipient": address, "attempts": attempts,
                 "server": f"{settings.host}:{settings.port}", "message_id": msg["Message-ID"],
                 "pdf_sha256": hashlib.sha256(pdf).hexdigest()}))
    return DeliveryReport(tuple(deliveries), tuple(skipped))


ALERT_KINDS: dict[str, AlertKind] = {
    "compliance.denied": AlertKind.BREACH,
    "alert.limit_breach": AlertKind.BREACH,
    "kill_switch.engaged": AlertKind.KILL_SWITCH,
    "cycle.execute": AlertKind.FAILED_TRADE,
    "cycle.reconcile": AlertKind.RECONCILIATION_BREAK,
}


def alert_of(e: Entry) -> Alert | None:
    """The alert an entry raises, if any: a compliance denial or limit breach, a kill switch
    engaged, an execution with rejected orders or that failed, a reconciliation with breaks."""
    kind = ALERT_KINDS.get(e.kind)
    if kind is None:
        return None
    if kind is AlertKind.FAILED_TRADE:
        states = e.payload.get("states") or {}
        failed = e.rationale.startswith("execute failed")
        if not failed and not int(states.get("rejected", 0)):
            return None
    if kind is AlertKind.RECONCILIATION_BREAK and not int(e.payload.get("breaks", 0) or 0):
        return None
    subject = next((t for t in e.subject if t.startswith(("account:", "kill_switch:",
                                                          "cycle:"))), e.subject[0])
    return Alert(f"journal-{e.seq}", kind, e.at, subject, e.rationale,
                 {"journal_seq": e.seq, "journal_kind": e.kind, **dict(e.payload)})


def send_alerts(store: Store, url: str, secret: str, *, timeout: float = 10.0,
                backoff: Backoff = DEFAULT_BACKOFF,
                sleep: Callable[[float], None] = time.sleep) -> DeliveryReport:
    """POST every journal alert not yet delivered to ``url``; a failed one is tried again by
    the next call."""
    with store.transaction() as tx:
        entries = tx.audit_entries()
    done = {int(e.payload["journal_seq"]) for e in entries if e.kind == "alert.sent"}
    deliveries: list[Delivery] = []
    skipped: list[tuple[str, str]] = []
    for e in entries:
        alert = alert_of(e)
        if alert is None:
            continue
        if e.seq in done:
            skipped.append((alert.id, "delivered before"))
            continue
        try:
            attempts, error = post_alert(url, alert, secret, timeout=timeout, backoff=backoff,
                                         sleep=sleep), ""
        except DeliveryFailed as exc:
            attempts, error = exc.attempts, str(exc)
        deliveries.append(Delivery(alert.id, url, attempts, error))
        _journal(store, Draft(
            "alert.sent" if not error else "alert.failed", (f"alert:{alert.id}", alert.subject),
            f"{alert.kind.value} alert {alert.id} " + ("posted" if not error else
                                                       f"not delivered: {error}"),
            {"journal_seq": e.seq, "url": url, "attempts": attempts, "kind": alert.kind.value}))
    return DeliveryReport(tuple(deliveries), tuple(skipped))


def _journal(store: Store, draft: Draft) -> None:
    with store.transaction() as tx:
        tx.append_audit([draft])
