"""Login throttling: failed password attempts per user name and per client address are
counted in the store (every worker sees them); past the limit the next attempt is refused with
429 and Retry-After, lockouts double, a login forgets its name's failures, and every lockout is
journaled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from ballast.api import create_app
from ballast.audit import verify
from ballast.engine import login_throttle as throttle
from ballast.engine.login_throttle import TooManyAttempts
from ballast.store import Store

from .conftest import PASSWORD, Api

T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def _login(client: TestClient, name: str, password: str) -> int:
    return client.post("/auth/login", data={"name": name, "password": password}).status_code


def _lockouts(store: Store) -> list[tuple[tuple[str, ...], dict[str, object]]]:
    with store.transaction() as tx:
        return [(e.subject, dict(e.payload)) for e in tx.audit_entries()
                if e.kind == "login.locked"]


def test_a_sixth_attempt_after_five_failures_is_locked_out_and_journaled(api: Api) -> None:
    assert [_login(api.client, "vic", "wrong password") for _ in range(5)] == [401] * 5
    locked = api.client.post("/auth/login", data={"name": "vic", "password": PASSWORD})
    assert locked.status_code == 429
    assert 55 <= int(locked.headers["Retry-After"]) <= 60
    assert locked.json()["error"] == "TooManyAttempts"
    assert "too many failed logins for this user name" in locked.json()["message"]
    assert _login(api.client, "vic", PASSWORD) == 429  # the password is not even checked
    assert _login(api.client, "tina", PASSWORD) == 200  # another name from the same address
    ((subject, payload),) = _lockouts(api.store)
    assert subject == ("user:vic",)
    assert payload["attempted_user"] == "vic" and payload["lockouts_in_a_row"] == 1
    with api.store.transaction() as tx:
        assert verify(tx.audit_entries()) == []


def test_a_login_forgets_the_failures_of_its_name(api: Api) -> None:
    assert [_login(api.client, "vic", "wrong password") for _ in range(4)] == [401] * 4
    assert _login(api.client, "vic", PASSWORD) == 200
    assert [_login(api.client, "vic", "wrong password") for _ in range(5)] == [401] * 5
    assert _login(api.client, "vic", PASSWORD) == 429
    assert len(_lockouts(api.store)) == 1


def test_an_address_is_locked_out_after_twenty_failures_across_names(api: Api) -> None:
    names = [f"guess{k}" for k in range(throttle.ADDRESS_LIMIT)]
    assert {_login(api.client, n, "password1") for n in names} == {401}
    refused = api.client.post("/auth/login", data={"name": "tina", "password": PASSWORD})
    assert refused.status_code == 429 and "this address" in refused.json()["message"]
    assert [s for s, _ in _lockouts(api.store)] == [("address:testclient",)]


def test_the_count_is_shared_by_the_workers_of_one_store(api: Api) -> None:
    other = TestClient(create_app(api.store), raise_server_exceptions=False)
    for client in (api.client, other, api.client, other, api.client):
        assert _login(client, "pam", "wrong password") == 401
    assert _login(other, "pam", PASSWORD) == 429


def test_the_dashboard_form_is_throttled_alike(api: Api) -> None:
    form = {"name": "cora", "password": "wrong password", "next": "/"}
    assert {api.client.post("/login", data=form).status_code for _ in range(5)} == {401}
    page = api.client.post("/login", data={**form, "password": PASSWORD},
                           follow_redirects=False)
    assert page.status_code == 429 and int(page.headers["Retry-After"]) > 0
    assert "too many failed logins" in page.text


def _fail(store: Store, name: str, times: int, at: datetime) -> None:
    for _ in range(times):
        throttle.attempt(store, name, "10.0.0.1", at)


def test_lockouts_in_a_row_double_and_failures_age_out(api: Api) -> None:
    store = api.store
    _fail(store, "ada", 4, T0)
    _fail(store, "ada", 4, T0 + timedelta(minutes=16))  # the first four are out of the window
    _fail(store, "ada", 1, T0 + timedelta(minutes=17))
    lengths = []
    at = T0 + timedelta(minutes=18)
    for _ in range(4):
        with pytest.raises(TooManyAttempts) as refused:
            throttle.attempt(store, "ada", "10.0.0.1", at)
        lengths.append(refused.value.retry_after)
        at += timedelta(seconds=refused.value.retry_after + 1)  # the lockout is over
        _fail(store, "ada", throttle.USER_LIMIT, at)
    assert lengths == [60, 120, 240, 480]
    throttle.succeeded(store, "ada")
    _fail(store, "ada", throttle.USER_LIMIT, at)
    with pytest.raises(TooManyAttempts) as again:
        throttle.attempt(store, "ada", "10.0.0.1", at)
    assert again.value.retry_after == 60  # a login ends the backoff


def test_the_longest_lockout_is_an_hour() -> None:
    assert [throttle.lock_length(k).total_seconds() for k in (1, 2, 7, 8, 50)] == [
        60, 120, 3600, 3600, 3600]
