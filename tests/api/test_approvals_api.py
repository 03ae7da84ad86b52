"""Maker-checker on the server: the proposer cannot approve, another approver can; thresholds;
reasons required; every decision journaled with user and reason; execution waits for
approval."""

from __future__ import annotations

from .conftest import Api, journal_kinds, maker_checker


def test_the_proposer_cannot_approve_another_approver_can(api: Api) -> None:
    c, run = api.client, api.run
    url = f"/api/runs/{run}/proposals/H1-IRA/approve"
    own = c.post(url, headers=api.auth("tom"), json={"reason": "my own trades look good"})
    assert own.status_code == 403 and own.json()["error"] == "MakerCheckerViolation"
    assert "tom proposed this run and may not approve it" in own.json()["message"]
    other = c.post(url, headers=api.auth("tina"), json={"reason": "drift back in band"})
    assert other.status_code == 200
    assert other.json()[0] | {"at": None} == {
        "run_id": run, "account_id": "H1-IRA", "decision": "approved", "basis": "person",
        "user": "tina", "reason": "drift back in band", "at": None}
    assert ("approval.approved", "tina", "drift back in band") in journal_kinds(api.store)
    assert not [k for k in journal_kinds(api.store) if k[1] == "tom"]
    # the maker may still reject
    rejected = c.post(f"/api/runs/{run}/proposals/H1-TAX/reject", headers=api.auth("tom"),
                      json={"reason": "client called"})
    assert rejected.status_code == 200 and rejected.json()[0]["decision"] == "rejected"


def test_review_shows_trades_rationale_and_violations(api: Api) -> None:
    reply = api.client.get(f"/api/runs/{api.run}/proposals/H2-TAX", headers=api.auth("vic"))
    assert reply.status_code == 200
    body = reply.json()
    assert body["approval"]["compliance"] == "denied"
    assert [t["rationale"] for t in body["trades"]] == ["buy 20 AAPL: back to the model"]
    assert body["violations"][0]["explanation"] == (
        "AAPL would be 31% of H2-TAX, over the 25% limit")
    denied = api.client.post(f"/api/runs/{api.run}/proposals/H2-TAX/approve",
                             headers=api.auth("tina"), json={"reason": "override"})
    assert denied.status_code == 422
    assert "compliance has denied the proposal of H2-TAX" in denied.json()["message"]


def test_thresholds_route_small_proposals_past_a_person(api: Api) -> None:
    maker_checker(api.store, threshold="3000")  # H1-IRA trades 2,287.10; H1-TAX 5,670.30
    page = api.client.get(f"/api/runs/{api.run}/proposals", headers=api.auth("vic")).json()
    routes = {p["account_id"]: (p["trade_value"], p["route"], p["decision"])
              for p in page["items"]}
    assert routes == {"H1-IRA": ("2287.10", "threshold", "pending"),
                      "H1-TAX": ("5670.30", "person", "pending"),
                      "H2-TAX": ("2620.20", "", "")}
    blocked = api.client.post(f"/api/runs/{api.run}/execute", headers=api.auth("tina"),
                              json={"reason": "morning trades"})
    assert blocked.status_code == 409
    assert blocked.json()["message"] == (
        f"run {api.run}: 1 proposal(s) wait for approval (H1-TAX)")
    auto = [k for k in journal_kinds(api.store) if k[0] == "approval.approved"]
    version = api.client.get("/api/approval-policy", headers=api.auth("vic")).json()["version"]
    assert auto == [("approval.approved", "system", "trade value 2,287.10 below the "
                     f"auto-approval threshold 3,000.00 (policy {version})")]
    batch = api.client.post(f"/api/runs/{api.run}/approve", headers=api.auth("tina"),
                            json={"reason": "reviewed the large ones"})
    assert [d["account_id"] for d in batch.json()] == ["H1-TAX"]
    done = api.client.post(f"/api/runs/{api.run}/execute", headers=api.auth("tina"),
                           json={"reason": "morning trades"})
    assert done.status_code == 200, done.json()
    assert done.json()["orders"] > 0
    orders = api.client.get(f"/api/runs/{api.run}/orders", headers=api.auth("vic")).json()
    assert {o["instrument_id"] for o in orders} == {"AAPL", "VTI", "XOM"}
    assert ("execution.requested", "tina", "morning trades") in journal_kinds(api.store)


def test_batch_reject_and_reasons_are_required(api: Api) -> None:
    maker_checker(api.store)
    empty = api.client.post(f"/api/runs/{api.run}/approve", headers=api.auth("tina"),
                            json={"reason": "  "})
    assert empty.status_code == 422
    assert empty.json()["problems"][0]["where"] == "body.reason"
    extra = api.client.post(f"/api/runs/{api.run}/approve", headers=api.auth("tina"),
                            json={"reason": "ok", "acounts": ["H1-IRA"]})
    assert extra.status_code == 422 and "body.acounts" in extra.json()["message"]
    batch = api.client.post(f"/api/runs/{api.run}/reject", headers=api.auth("tina"),
                            json={"reason": "market closed early",
                                  "accounts": ["H1-IRA", "H1-TAX"]})
    assert [d["decision"] for d in batch.json()] == ["rejected", "rejected"]
    nothing = api.client.post(f"/api/runs/{api.run}/execute", headers=api.auth("tina"),
                              json={"reason": "go"})  # both rejected, H2-TAX denied
    assert nothing.status_code == 200 and nothing.json()["orders"] == 0
    unknown = api.client.post(f"/api/runs/{api.run}/approve", headers=api.auth("tina"),
                              json={"reason": "ok", "accounts": ["NOPE"]})
    assert unknown.status_code == 422 and "no proposal for NOPE" in unknown.json()["message"]
    assert api.client.get("/api/runs/99/proposals", headers=api.auth("vic")).status_code == 422


def test_the_overview_counts_pending_approvals(api: Api) -> None:
    api.client.get("/api/overview", headers=api.auth("vic"))  # kept before the policy
    maker_checker(api.store)  # a change made outside the API (the CLI, another worker)
    body = api.client.get("/api/overview", headers=api.auth("vic")).json()
    assert body["accounts"] == 3 and body["households"] == 2
    assert body["latest_run"]["pending_approval"] == 2
    assert body["latest_run"]["breaches"] == 1


def test_a_run_proposed_through_the_api_has_its_maker(api: Api) -> None:
    models = """- name: growth
  cash: {target: 0.02, minimum: 0.01}
  sleeves:
    - {name: equity, target: 0.98, instruments: [VTI, AAPL]}
- name: balanced
  cash: {target: 0.05, minimum: 0.01}
  sleeves:
    - {name: equity, target: 0.95, instruments: [VTI]}
"""
    up = api.client.post("/api/models", headers=api.auth("pam"),
                         json={"yaml": models, "reason": "house models"})
    assert up.status_code == 201, up.json()
    assert api.client.post("/api/runs", headers=api.auth("vic"),
                           json={"reason": "x"}).status_code == 403
    made = api.client.post("/api/runs", headers=api.auth("tom"),
                           json={"reason": "month-end rebalance"})
    assert made.status_code == 201, made.json()
    run = made.json()
    assert run["proposer"] == "tom" and run["id"] == api.run + 1 and run["accounts"] == 3
    unchecked = api.client.post(f"/api/runs/{run['id']}/check", headers=api.auth("tom"),
                                json={"reason": "pre-trade"})
    assert unchecked.status_code == 422
    assert unchecked.json()["message"] == "no compliance rules in the book"
    assert ("rebalance.requested", "tom", "month-end rebalance") in journal_kinds(api.store)
