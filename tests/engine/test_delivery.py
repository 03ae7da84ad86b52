"""Statements mailed to a real SMTP server on loopback: each household's statement reaches only
that household's addresses, each send is journaled; alerts from the journal are posted once as
signed webhooks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from typer.testing import CliRunner

from ballast.audit import Draft, chain
from ballast.cli import app
from ballast.domain import DataError
from ballast.engine import kill_switch
from ballast.engine.audit import journal
from ballast.engine.deliver import alert_of, read_recipients, send_alerts, send_statements
from ballast.engine.demo import load_demo
from ballast.engine.period import parse_period
from ballast.engine.workspace import open_store
from ballast.reporting.mail import SmtpSettings
from ballast.reporting.retry import Backoff
from ballast.store import Store
from reporting.servers import Hook, MailHandler, smtp_server, webhook_server

Q1_2020 = parse_period("2020Q1", today=date(2021, 3, 31))
RECIPIENTS = """household_id,email
HH001,ann.abbott@example.test
HH001,bob.abbott@example.test
HH002,cruz@example.org
"""


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('mail') / 'book.db'}")
    load_demo(store, households=3)
    try:
        yield store
    finally:
        store.close()


def _accounts(store: Store, household: str) -> set[str]:
    with store.transaction() as tx:
        return set(tx.accounts([household]))


def test_each_household_receives_only_its_own_statement(book: Store, tmp_path: Path) -> None:
    path = tmp_path / "recipients.csv"
    path.write_text(RECIPIENTS, encoding="utf-8")
    recipients = read_recipients(path)
    handler = MailHandler()
    with smtp_server(handler) as port:
        report = send_statements(book, Q1_2020, SmtpSettings("127.0.0.1", port,
                                                              "reports@firm.test"), recipients)
    assert report.failed == () and report.skipped == (
        ("HH003", "no e-mail address in the recipients list"),)
    assert sorted(r.rcpt_tos[0] for r in handler.received) == sorted(
        a for addresses in recipients.values() for a in addresses)
    owner = {a: h for h, addresses in recipients.items() for a in addresses}
    for got in handler.received:
        assert len(got.rcpt_tos) == 1 and got.message["To"] == got.rcpt_tos[0]
        household = owner[got.rcpt_tos[0]]
        [part] = list(got.message.iter_attachments())
        text = " ".join(" ".join(p.get_textpage().get_text_range()
                                 for p in pdfium.PdfDocument(part.get_content())).split())
        assert f"Household {household}" in text
        mine = _accounts(book, household)
        others = set().union(*(_accounts(book, h) for h in ("HH001", "HH002", "HH003")
                               if h != household))
        assert all(a in text for a in mine) and not any(a in text for a in others)
    sent = [e for e in journal(book) if e.kind == "report.sent"]
    assert sorted(e.payload["recipient"] for e in sent) == sorted(owner)
    assert all(f"household:{owner[e.payload['recipient']]}" in e.subject for e in sent)


def test_a_failed_address_is_journaled_and_the_others_still_go(book: Store) -> None:
    handler = MailHandler(refuse={"gone@example.test": "550 5.1.1 No such mailbox"})
    with smtp_server(handler) as port:
        report = send_statements(
            book, Q1_2020, SmtpSettings("127.0.0.1", port, "reports@firm.test"),
            {"HH002": ("gone@example.test", "cruz@example.org")}, households=["HH002"],
            backoff=Backoff(attempts=2, first_delay=0.0))
    assert [(d.recipient, d.ok, d.attempts) for d in report.deliveries] == [
        ("gone@example.test", False, 1), ("cruz@example.org", True, 1)]
    assert [r.rcpt_tos for r in handler.received] == [["cruz@example.org"]]
    failed = [e for e in journal(book) if e.kind == "report.failed"]
    assert failed[-1].payload["recipient"] == "gone@example.test" and "550" in \
        failed[-1].rationale


def test_recipients_csv_errors_name_the_line(tmp_path: Path, book: Store) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("household_id,email\nHH001,a@example.test\nHH002,not-an-address\n",
                    encoding="utf-8")
    with pytest.raises(DataError, match="line 3: 'not-an-address'"):
        read_recipients(path)
    with pytest.raises(DataError, match="not in the book: ZZZ"):
        send_statements(book, Q1_2020, SmtpSettings("127.0.0.1", 1, "r@firm.test"),
                        {"ZZZ": ("z@example.test",)})


def test_alerts_are_posted_once_signed(book: Store) -> None:
    with book.transaction() as tx:
        tx.append_audit([Draft("compliance.denied", ("run:9", "check:2", "account:HH001-TAX"),
                               "single-stock-15 (block): MSFT is 24% of HH001-TAX"),
                         Draft("compliance.approved", ("run:9", "account:HH002-TAX"), "ok")])
    kill_switch.engage(book, reason="broker outage", user="ops",
                       now=datetime(2026, 11, 22, 4, 0, tzinfo=UTC))
    hook = Hook("s3cret", statuses=[503])
    with webhook_server(hook) as url:
        first = send_alerts(book, url, "s3cret", backoff=Backoff(first_delay=0.0))
        again = send_alerts(book, url, "s3cret", backoff=Backoff(first_delay=0.0))
    assert [(d.target, d.attempts) for d in first.deliveries][-2:] == [
        (first.deliveries[-2].target, 2), (first.deliveries[-1].target, 1)]
    kinds = [h[1]["X-Ballast-Event"] for h in hook.requests[1:]]
    assert kinds[-2:] == ["breach", "kill_switch"] and all(v for _, _, v in hook.requests)
    assert again.deliveries == () and len(again.skipped) == len(first.deliveries)


def test_report_send_command(book: Store, tmp_path: Path) -> None:
    path = tmp_path / "recipients.csv"
    path.write_text("household_id,email\nHH003,dana@example.net\n", encoding="utf-8")
    handler = MailHandler()
    with smtp_server(handler) as port:
        out = CliRunner().invoke(app, [
            "report", "send", "--period", "2020Q1", "--recipients", str(path),
            "--smtp-host", "127.0.0.1", "--smtp-port", str(port), "--from",
            "reports@firm.test", "--household", "HH003", "--db", book.url],
            env={"COLUMNS": "200"})
    assert out.exit_code == 0, (out.output, out.exception)
    assert "sent HH003 → dana@example.net (1 try)" in out.output
    [got] = handler.received
    assert got.rcpt_tos == ["dana@example.net"] and got.mail_from == "reports@firm.test"


def test_which_journal_entries_raise_alerts() -> None:
    at = datetime(2026, 11, 22, 4, 0, tzinfo=UTC)
    entries = chain([
        Draft("cycle.execute", ("cycle:3",), "execute failed: broker timeout"),
        Draft("cycle.execute", ("cycle:4",), "execute done: 2 orders",
              {"states": {"filled": 1, "rejected": 1}}),
        Draft("cycle.execute", ("cycle:5",), "execute done: 2 orders",
              {"states": {"filled": 2}}),
        Draft("cycle.reconcile", ("cycle:4",), "reconcile done: 1 breaks", {"breaks": 1}),
        Draft("cycle.reconcile", ("cycle:5",), "reconcile done: 0 breaks", {"breaks": 0}),
        Draft("alert.limit_breach", ("account:A1",), "drawdown 21% over 20%"),
        Draft("kill_switch.disengaged", ("kill_switch:global",), "over"),
    ], at)
    alerts = [alert_of(e) for e in entries]
    assert [(a.kind.value, a.subject) if a else None for a in alerts] == [
        ("failed_trade", "cycle:3"), ("failed_trade", "cycle:4"), None,
        ("reconciliation_break", "cycle:4"), None, ("breach", "account:A1"), None]
