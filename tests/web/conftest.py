"""The demo book the dashboard tests run on, built once per session and copied per test:
the shipped demo (4 households), one user per role, a desk rule set that blocks nothing and
warns on single stocks above 15% (so every trading proposal needs a person and the breaches
page has rows), the maker-checker approval policy, and a morning rebalance run proposed by
``pam`` and checked."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient

from ballast.api import create_app
from ballast.engine import approvals, service, users
from ballast.engine.check import import_rules
from ballast.engine.demo import load_demo
from ballast.engine.service import Store
from ballast.engine.workspace import open_store

PASSWORD = "correct horse battery"
ROLES = {"ada": ["admin"], "pam": ["portfolio_manager"], "tina": ["trader"],
         "cora": ["compliance"], "vic": ["viewer"], "tom": ["portfolio_manager", "trader"]}
DESK_RULES = """name: desk
description: Dashboard tests — nothing blocks.
rules:
  - id: single-stock-15
    kind: max_weight
    by: issuer
    kinds: [equity]
    limit: 0.15
    action: warn
  - id: no-shorts
    kind: no_shorts
"""


@dataclass(frozen=True)
class DemoBook:
    """The built book's file and its run."""

    path: Path
    run: int


@pytest.fixture(scope="session")
def demo_book(tmp_path_factory: pytest.TempPathFactory) -> DemoBook:
    folder = tmp_path_factory.mktemp("dashboard-book")
    path = folder / "demo.db"
    store = open_store(f"sqlite:///{path}")
    try:
        load_demo(store, households=4)
        for name, roles in ROLES.items():
            users.add_user(store, name, PASSWORD, roles, actor="setup")
        rules = folder / "desk.yaml"
        rules.write_text(DESK_RULES, encoding="utf-8")
        import_rules(store, [rules])
        approvals.set_policy(store, "mode: maker_checker\n", actor="cora",
                             reason="every trade needs a second person")
        pam = users.acting_user(store, "pam")
        run = service.request_rebalance(store, pam, "morning rebalance")
        service.request_check(store, pam, run, "morning check")
    finally:
        store.close()
    return DemoBook(path, run)


@dataclass
class Dashboard:
    """A client of the app over a fresh copy of the demo book."""

    client: TestClient
    store: Store
    run: int

    def login(self, name: str) -> str:
        """Log ``name`` in; returns the session's CSRF token."""
        answer = self.client.post("/login", data={"name": name, "password": PASSWORD},
                                  follow_redirects=False)
        assert answer.status_code == 303, answer.text
        return users.csrf_for(self.client.cookies["ballast_session"])


def copy_book(book: DemoBook, folder: Path) -> Store:
    """A store over a copy of the demo book in ``folder``."""
    target = folder / "book.db"
    shutil.copyfile(book.path, target)
    return open_store(f"sqlite:///{target}")


@pytest.fixture
def dashboard(demo_book: DemoBook, tmp_path: Path) -> Iterator[Dashboard]:
    store = copy_book(demo_book, tmp_path)
    try:
        with TestClient(create_app(store), raise_server_exceptions=False) as client:
            yield Dashboard(client, store, demo_book.run)
    finally:
        store.close()


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class LiveServer:
    """The app served by uvicorn on loopback, as `ballast serve` does."""

    url: str
    store: Store
    run: int


@pytest.fixture(scope="module")
def live_server(demo_book: DemoBook, tmp_path_factory: pytest.TempPathFactory
                ) -> Iterator[LiveServer]:
    store = copy_book(demo_book, tmp_path_factory.mktemp("live"))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(store), host="127.0.0.1", port=port,
                                           log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the dashboard server did not start")
        time.sleep(0.05)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", store, demo_book.run)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        store.close()
