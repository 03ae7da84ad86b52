"""What the API keeps in memory is keyed by the store's write generation: a change committed
anywhere — the command line, another server worker — is in the next answer of every process,
with nothing to refresh by hand."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from ballast.api import create_app
from ballast.api.generation import Generation
from ballast.domain import Household, HouseholdId
from ballast.engine import approvals, kill_switch, users
from ballast.engine.workspace import open_store
from ballast.store import Store

from .conftest import Api


def test_the_generation_moves_with_a_commit_and_only_then(store_url: str) -> None:
    store = open_store(store_url)
    generation = Generation(store)
    before = generation.current()
    with store.transaction() as tx:
        tx.users()
    assert generation.current() == before  # a read commits nothing
    with store.transaction() as tx:
        tx.add_user("gen", "-", ("viewer",), datetime.now(UTC))
    moved = generation.current()
    assert moved != before
    assert generation.current() == moved
    generation.close()
    store.close()


def test_the_generation_of_a_book_in_memory_never_repeats() -> None:
    generation = Generation(Store("sqlite://"))
    assert generation.current() != generation.current()


def test_a_decision_made_outside_the_api_is_in_the_next_list(api: Api) -> None:
    url = f"/api/runs/{api.run}/proposals"
    first = {p["account_id"]: p["decision"] for p in
             api.client.get(url, headers=api.auth("vic")).json()["items"]}
    assert first["H1-IRA"] == "pending"
    approvals.decide(api.store, api.run, approvals.APPROVED, user="tina", reason="fine",
                     accounts=["H1-IRA"])
    after = {p["account_id"]: p for p in
             api.client.get(url, headers=api.auth("vic")).json()["items"]}
    assert after["H1-IRA"]["decision"] == "approved" and after["H1-IRA"]["user"] == "tina"
    page = api.client.get("/api/accounts/H1-IRA", headers=api.auth("vic")).json()
    assert page["proposal"]["decision"] == "approved"


def test_a_kill_switch_engaged_elsewhere_is_in_the_next_overview(api: Api) -> None:
    assert api.client.get("/api/overview", headers=api.auth("vic")).json()["kill_switches"] == []
    kill_switch.engage(api.store, reason="broker outage", user="cora")
    switches = api.client.get("/api/overview", headers=api.auth("vic")).json()["kill_switches"]
    assert [s["reason"] for s in switches] == ["broker outage"]


def test_a_token_revoked_elsewhere_is_refused_at_once(api: Api) -> None:
    issued = users.create_token(api.store, "vic", actor="ada", label="short")
    bearer = {"Authorization": f"Bearer {issued.token}"}
    assert api.client.get("/api/overview", headers=bearer).status_code == 200
    users.revoke_token(api.store, issued.id, actor="ada", reason="leaked")
    refused = api.client.get("/api/overview", headers=bearer)
    assert refused.status_code == 401 and "revoked" in refused.json()["message"]


def test_a_kept_token_is_refused_once_it_expires(api: Api) -> None:
    issued = users.create_token(api.store, "vic", actor="ada", label="brief",
                                expires_in=timedelta(seconds=1))
    bearer = {"Authorization": f"Bearer {issued.token}"}
    assert api.client.get("/auth/me", headers=bearer).status_code == 200
    time.sleep(1.1)  # nothing is committed meanwhile: only the clock can refuse it
    assert api.client.get("/auth/me", headers=bearer).status_code == 401


def test_a_second_worker_sees_the_first_ones_change(api: Api, tmp_path: Path) -> None:
    """Two apps on one store, as two `ballast serve --workers 2` processes are: an approval
    made through one is in the other's next answer."""
    other = TestClient(create_app(api.store), raise_server_exceptions=False)
    url = f"/api/runs/{api.run}/proposals"
    before = {p["account_id"]: p["decision"]
              for p in other.get(url, headers=api.auth("vic")).json()["items"]}
    assert before["H1-IRA"] == "pending"
    done = api.client.post(f"/api/runs/{api.run}/proposals/H1-IRA/approve",
                           headers=api.auth("tina"), json={"reason": "checked"})
    assert done.status_code == 200
    states = {p["account_id"]: p["decision"]
              for p in other.get(url, headers=api.auth("vic")).json()["items"]}
    assert states["H1-IRA"] == "approved"


def test_the_book_valuation_follows_a_change_within_seconds(api: Api) -> None:
    """The whole-book valuation is served while a new one is made in the background; the
    overview says when it was valued."""
    first = api.client.get("/api/overview", headers=api.auth("vic")).json()
    with api.store.transaction() as tx:
        tx.add_households([Household(HouseholdId("H3"), "Brown family")])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        body = api.client.get("/api/overview", headers=api.auth("vic")).json()
        if body["households"] == first["households"] + 1:
            assert body["computed_at"] > first["computed_at"]
            return
        time.sleep(0.05)
    raise AssertionError("the overview never counted the new household")
