"""Real servers on loopback for the delivery tests: an SMTP server (aiosmtpd) that records what
it receives and can refuse on purpose, a webhook receiver (http.server) that checks signatures,
and a self-signed certificate for TLS."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ballast.reporting.webhook import SIGNATURE_HEADER, verify_signature


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Received:
    """One message the SMTP server accepted: the envelope and the parsed message."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class MailHandler:
    """Accepts mail; ``fail_data`` replies to the next DATA commands (e.g. a 451), and
    ``refuse`` maps recipients to a RCPT reply (e.g. a 550)."""

    received: list[Received] = field(default_factory=list)
    fail_data: list[str] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)
    data_commands: int = 0

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          options: list[str]) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.data_commands += 1
        if self.fail_data:
            return self.fail_data.pop(0)
        msg = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), msg))
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server(handler: MailHandler, *, tls: ssl.SSLContext | None = None,
                starttls: ssl.SSLContext | None = None) -> Iterator[int]:
    """An SMTP server on 127.0.0.1 (implicit TLS with ``tls``, STARTTLS offered with
    ``starttls``); yields its port."""
    port = free_port()
    kwargs: dict[str, Any] = {}
    if starttls is not None:
        kwargs.update(tls_context=starttls, require_starttls=True)
    controller = Controller(handler, hostname="127.0.0.1", port=port, ssl_context=tls,
                            server_hostname="localhost", **kwargs)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


def self_signed(folder: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A server context with a fresh self-signed certificate for localhost/127.0.0.1, and a
    client context that trusts exactly that certificate."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert_path, key_path)
    client = ssl.create_default_context(cafile=str(cert_path))
    return server, client


@dataclass
class Hook:
    """What the webhook receiver saw: each request's body, headers and whether its signature
    was valid; ``statuses`` are the replies to give, in order (then 200)."""

    secret: str
    statuses: list[int] = field(default_factory=list)
    requests: list[tuple[bytes, dict[str, str], bool]] = field(default_factory=list)


@contextmanager
def webhook_server(hook: Hook) -> Iterator[str]:
    """An HTTP server on 127.0.0.1 that records POSTs; yields its URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            valid = verify_signature(body, hook.secret, self.headers.get(SIGNATURE_HEADER, ""))
            hook.requests.append((body, dict(self.headers), valid))
            status = hook.statuses.pop(0) if hook.statuses else 200
            self.send_response(status if valid else 401)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hooks/ballast"
    finally:
        server.shutdown()
        server.server_close()
