"""Risk and performance through the API on the demo book (real sample prices, SQLite)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from ballast.api import create_app
from ballast.engine import queries, users
from ballast.engine.demo import load_demo
from ballast.engine.risk import risk_report
from ballast.engine.workspace import open_store
from ballast.store import Store

from .conftest import HASH

Demo = tuple[Store, TestClient, dict[str, str]]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}")
    load_demo(store, households=2)
    with store.transaction() as tx:
        tx.add_user("vic", HASH, ("viewer",), datetime.now(UTC))
    token = users.create_token(store, "vic", actor="tests").token
    with TestClient(create_app(store), raise_server_exceptions=False) as client:
        yield store, client, {"Authorization": f"Bearer {token}"}
    store.close()


def test_risk_of_an_account_matches_the_engine(demo: Demo) -> None:
    store, client, auth = demo
    account = queries.account_rows(store)[0].account_id
    reply = client.get(f"/api/risk?account={account}", headers=auth)
    assert reply.status_code == 200, reply.json()
    body = reply.json()
    expected = risk_report(store, account=account)
    assert body["volatility"] == pytest.approx(expected.volatility)
    assert body["subject"] == expected.subject and body["volatility"] > 0
    both = client.get(f"/api/risk?account={account}&model=growth", headers=auth)
    assert both.status_code == 422 and "exactly one" in both.json()["message"]


def test_performance_of_the_firm(demo: Demo) -> None:
    _, client, auth = demo
    reply = client.get("/api/performance?scope=firm&period=2020", headers=auth)
    assert reply.status_code == 200, reply.json()
    body = reply.json()
    assert body["start"] == "2020-01-01" and body["end"] == "2020-12-31"
    assert body["returns"]["net"] is not None and body["end_value"] > 0
    bad = client.get("/api/performance?scope=firm&period=someday", headers=auth)
    assert bad.status_code == 422 and "period" in bad.json()["message"]
