"""The kill switch through the API (disengaging needs compliance and a reason), secrets
encrypted at rest and never returned or logged, models versioned, audit verify and explain."""

from __future__ import annotations

import logging

import pytest

from ballast.engine import secrets
from ballast.security import new_key

from .conftest import Api, journal_kinds

GROWTH_V2 = """name: growth
cash: {target: 0.03, minimum: 0.01}
sleeves:
  - name: equity
    target: 0.97
    instruments: [AAPL, VTI]
"""


def test_kill_switch_engage_and_disengage_by_role(api: Api) -> None:
    c = api.client
    engaged = c.post("/api/kill-switch/engage", headers=api.auth("tina"),
                     json={"reason": "bad prices from the vendor"})
    assert engaged.status_code == 200 and engaged.json()["changed"] is True
    assert [s["scope"] for s in engaged.json()["engaged"]] == ["global"]
    assert c.post("/api/kill-switch/disengage", headers=api.auth("tina"),
                  json={"reason": "fixed"}).status_code == 403
    assert c.post("/api/kill-switch/disengage", headers=api.auth("cora"),
                  json={"reason": ""}).status_code == 422
    done = c.post("/api/kill-switch/disengage", headers=api.auth("cora"),
                  json={"reason": "vendor fixed the feed"})
    assert done.json() == {"scope": "global", "changed": True, "engaged": []}
    kinds = journal_kinds(api.store)
    assert ("kill_switch.engaged", "tina", "bad prices from the vendor") in kinds
    assert ("kill_switch.disengaged", "cora", "vendor fixed the feed") in kinds
    both = c.post("/api/kill-switch/engage", headers=api.auth("cora"),
                  json={"reason": "x", "account": "H1-TAX", "broker": "fix"})
    assert both.status_code == 422 and "not both" in both.json()["message"]


def test_secrets_are_encrypted_and_never_returned_or_logged(
        api: Api, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    value = "s3cr3t-broker-password"
    url = "/api/secrets/broker.ib.password"
    monkeypatch.delenv("BALLAST_SECRET_KEY", raising=False)
    nokey = api.client.put(url, headers=api.auth("ada"), json={"value": value, "reason": "x"})
    assert nokey.status_code == 422 and "BALLAST_SECRET_KEY is not set" in nokey.json()["message"]
    monkeypatch.setenv("BALLAST_SECRET_KEY", new_key())
    with caplog.at_level(logging.DEBUG):
        stored = api.client.put(url, headers=api.auth("ada"),
                                json={"value": value, "reason": "new broker account"})
        listed = api.client.get("/api/secrets", headers=api.auth("ada"))
    assert stored.status_code == 200 and value not in stored.text
    assert listed.json()[0]["name"] == "broker.ib.password" and value not in listed.text
    assert value not in caplog.text
    with api.store.transaction() as tx:
        record = tx.secret("broker.ib.password")
        assert record is not None and value not in record.ciphertext
        assert all(value not in str(e) for e in tx.audit_entries())
    assert secrets.reveal_secret(api.store, "broker.ib.password") == value
    assert api.client.put(url, headers=api.auth("cora"),
                          json={"value": value, "reason": "x"}).status_code == 403
    monkeypatch.setenv("BALLAST_SECRET_KEY", new_key())
    with pytest.raises(Exception, match="cannot be decrypted"):
        secrets.reveal_secret(api.store, "broker.ib.password")


def test_models_upload_diff_and_roll_back(api: Api) -> None:
    c, pam = api.client, api.auth("pam")
    first = c.post("/api/models", headers=pam, json={
        "yaml": GROWTH_V2.replace("0.97", "0.98").replace("0.03", "0.02"), "reason": "initial"})
    assert first.status_code == 201, first.json()
    v1 = first.json()[0]["version"]
    v2 = c.post("/api/models", headers=pam, json={"yaml": GROWTH_V2, "reason": "more cash"}
                ).json()[0]["version"]
    assert [m["version"] for m in c.get("/api/models", headers=pam).json()] == [v2]
    diff = c.get(f"/api/models/growth/diff?old={v1}&new={v2}", headers=pam).json()["diff"]
    assert "-  target: 0.98" in diff and "+  target: 0.97" in diff
    assert c.post("/api/models", headers=api.auth("tina"),
                  json={"yaml": GROWTH_V2, "reason": "x"}).status_code == 403
    back = c.post("/api/models/growth/rollback", headers=pam,
                  json={"version": v1, "reason": "client preferred it"})
    assert [(m["version"], m["current"]) for m in back.json()] == [(v1, True), (v2, False)]
    bad = c.post("/api/models", headers=pam, json={"yaml": "name: x\nsleeves: 3\n",
                                                   "reason": "typo"})
    assert bad.status_code == 422 and "uploaded model" in bad.json()["message"]
    assert ("model.rolled_back", "pam", "client preferred it") in journal_kinds(api.store)


def test_audit_verify_and_explain(api: Api) -> None:
    api.client.post(f"/api/runs/{api.run}/proposals/H1-IRA/approve", headers=api.auth("tina"),
                    json={"reason": "in band after"})
    verified = api.client.get("/api/audit/verify", headers=api.auth("vic")).json()
    assert verified["intact"] and verified["entries"] == len(journal_kinds(api.store))
    why = api.client.get("/api/audit/explain?target=account:H1-IRA",
                         headers=api.auth("vic")).json()
    assert ("approval.approved", "tina", "in band after") in [
        (e["kind"], e["actor"], e["rationale"]) for e in why]
