"""Authentication and authorization: bearer tokens, dashboard sessions with CSRF, roles."""

from __future__ import annotations

from datetime import timedelta

from ballast.engine import users

from .conftest import PASSWORD, Api, journal_kinds


def test_no_bad_revoked_or_expired_credentials_get_401(api: Api) -> None:
    c = api.client
    none = c.get("/api/overview")
    assert none.status_code == 401 and none.headers["WWW-Authenticate"] == "Bearer"
    assert "not authenticated" in none.json()["message"]
    assert c.get("/api/runs", headers={"Authorization": "Bearer bal_nope"}).status_code == 401
    assert c.get("/api/runs", headers={"Authorization": "Basic abc"}).json()["message"] == (
        "the Authorization header must be `Bearer <token>`")
    assert c.get("/api/runs", headers=api.auth("vic")).status_code == 200
    [vic] = [t for t in users.list_tokens(api.store, "vic")]
    assert users.revoke_token(api.store, vic.id, actor="ada", reason="left the firm")
    revoked = c.get("/api/runs", headers=api.auth("vic"))
    assert revoked.status_code == 401 and "revoked" in revoked.json()["message"]
    expired = users.create_token(api.store, "pam", actor="ada", expires_in=timedelta(seconds=-1))
    gone = c.get("/api/runs", headers={"Authorization": f"Bearer {expired.token}"})
    assert gone.status_code == 401 and "expired" in gone.json()["message"]


def test_a_deactivated_user_loses_every_token(api: Api) -> None:
    reply = api.client.patch("/api/users/pam", headers=api.auth("ada"),
                             json={"active": False, "reason": "left the firm"})
    assert reply.status_code == 200 and reply.json()["active"] is False
    assert api.client.get("/api/runs", headers=api.auth("pam")).status_code == 401
    assert ("user.changed", "ada", "left the firm") in journal_kinds(api.store)


def test_wrong_role_gets_403_naming_the_role_needed(api: Api) -> None:
    reply = api.client.post(f"/api/runs/{api.run}/approve", headers=api.auth("vic"),
                            json={"reason": "looks fine"})
    assert reply.status_code == 403
    assert reply.json()["message"] == "vic (viewer) may not approve: it needs the role trader"
    assert api.client.get("/api/users", headers=api.auth("tina")).status_code == 403
    assert api.client.get("/api/users", headers=api.auth("ada")).status_code == 200


def test_tokens_are_stored_hashed_and_shown_once(api: Api) -> None:
    made = api.client.post("/api/users/tina/tokens", headers=api.auth("tina"),
                           json={"label": "script"})
    assert made.status_code == 201
    token = made.json()["token"]
    assert token.startswith("bal_") and len(token) > 40
    listed = api.client.get("/api/users/tina/tokens", headers=api.auth("tina")).json()
    assert token not in str(listed) and [t["label"] for t in listed] == ["tests", "script"]
    with api.store.transaction() as tx:
        assert all(token not in str(t) for t in tx.tokens())
    assert api.client.get("/api/users/ada/tokens", headers=api.auth("tina")).status_code == 403


def test_dashboard_session_needs_the_csrf_token_for_changes(api: Api) -> None:
    c = api.client
    wrong = c.post("/auth/login", data={"name": "tina", "password": "nope-nope"})
    assert wrong.status_code == 401
    assert wrong.json()["message"] == "wrong user name or password"
    assert c.post("/auth/login", data={"name": "nobody", "password": "x"}).json()["message"] == (
        "wrong user name or password")
    ok = c.post("/auth/login", data={"name": "tina", "password": PASSWORD})
    assert ok.status_code == 200 and "ballast_session" in c.cookies
    csrf = ok.json()["csrf_token"]
    assert "httponly" in ok.headers["set-cookie"].lower()
    assert "samesite=strict" in ok.headers["set-cookie"].lower()
    assert c.get("/auth/me").json()["user"] == "tina"
    body = {"reason": "checked the trades"}
    forged = c.post(f"/api/runs/{api.run}/proposals/H1-IRA/approve", json=body)
    assert forged.status_code == 401 and "X-CSRF-Token" in forged.json()["message"]
    real = c.post(f"/api/runs/{api.run}/proposals/H1-IRA/approve", json=body,
                  headers={"X-CSRF-Token": csrf})
    assert real.status_code == 200 and real.json()[0]["user"] == "tina"
    session = c.cookies["ballast_session"]
    assert c.post("/auth/logout").status_code == 204
    c.cookies.clear()
    assert c.get("/auth/me", cookies={"ballast_session": session}).status_code == 401
    assert ("user.login", "tina", "dashboard session opened") in journal_kinds(api.store)
