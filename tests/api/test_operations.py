"""Operations and errors: health, readiness, metrics, JSON request logs, the OpenAPI schema,
4xx messages, and a 500 that never shows a stack trace."""

from __future__ import annotations

import json
import logging

import pytest
from alembic import command
from alembic.config import Config

from ballast.api.observability import JsonFormatter
from ballast.engine import overview
from ballast.store.db import MIGRATIONS

from .conftest import Api


def test_health_readiness_and_metrics(api: Api) -> None:
    assert api.client.get("/healthz").json() == {"status": "ok", "checks": {}}
    assert api.client.get("/readyz").json() == {
        "status": "ok", "checks": {"store": "ok", "migrations": "ok"}}
    api.client.get("/api/runs", headers=api.auth("vic"))
    text = api.client.get("/metrics").text
    assert 'ballast_http_requests_total{method="GET",route="/api/runs",status="200"} 1.0' in text
    assert "ballast_http_request_duration_seconds_bucket" in text
    assert "ballast_kill_switches_engaged 0.0" in text
    assert "ballast_pending_approvals 0.0" in text  # automatic until a policy is set


def test_every_request_is_logged_as_json(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="ballast.api"):
        reply = api.client.get(f"/api/runs/{api.run}/proposals", headers={
            **api.auth("vic"), "X-Request-ID": "req-42"})
    assert reply.headers["X-Request-ID"] == "req-42"
    [record] = [r for r in caplog.records if getattr(r, "request_id", "") == "req-42"]
    line = json.loads(JsonFormatter().format(record))
    assert {k: line[k] for k in ("message", "request_id", "user", "method", "route", "status")
            } == {"message": "request", "request_id": "req-42", "user": "vic", "method": "GET",
                  "route": "/api/runs/{run_id}/proposals", "status": 200}
    assert line["duration_ms"] >= 0


def test_a_500_shows_only_a_correlation_id(api: Api, caplog: pytest.LogCaptureFixture,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("database password is hunter2")

    monkeypatch.setattr(overview, "cached_account_view", broken)
    with caplog.at_level(logging.ERROR, logger="ballast.api"):
        reply = api.client.get("/api/accounts/H1-TAX", headers=api.auth("vic"))
    assert reply.status_code == 500
    body = reply.json()
    assert body["error"] == "InternalError" and body["request_id"]
    assert "hunter2" not in reply.text and "Traceback" not in reply.text
    assert "RuntimeError" not in reply.text
    [logged] = [r for r in caplog.records if r.levelname == "ERROR"]
    assert logged.request_id == body["request_id"]  # type: ignore[attr-defined]
    assert "hunter2" in JsonFormatter().format(logged)  # the log has the traceback


def test_bad_input_gets_4xx_with_clear_messages(api: Api) -> None:
    vic = api.auth("vic")
    page = api.client.get("/api/accounts?limit=0", headers=vic)
    assert page.status_code == 422
    assert page.json()["problems"] == [
        {"where": "query.limit", "problem": "Input should be greater than or equal to 1"}]
    missing = api.client.get("/api/accounts/NOPE", headers=vic)
    assert missing.status_code == 404
    assert missing.json()["message"] == "no account 'NOPE'"
    assert api.client.get("/api/nothing", headers=vic).status_code == 404
    assert api.client.get("/api/runs/abc/proposals", headers=vic).json()["problems"][0][
        "where"] == "path.run_id"


def test_openapi_documents_every_route(api: Api) -> None:
    schema = api.client.get("/openapi.json").json()
    paths = schema["paths"]
    for path in ("/api/overview", "/api/accounts/{account_id}", "/api/runs/{run_id}/proposals",
                 "/api/runs/{run_id}/approve", "/api/kill-switch/disengage", "/api/risk",
                 "/api/audit/verify", "/api/models/{name}/diff", "/healthz", "/metrics"):
        assert path in paths, path
    ok = paths["/api/runs/{run_id}/proposals"]["get"]["responses"]["200"]
    assert ok["content"]["application/json"]["schema"]["$ref"].endswith("Page_ProposalOut_")


def test_accounts_holdings_lots_and_drift(api: Api) -> None:
    vic = api.auth("vic")
    accounts = api.client.get("/api/accounts?limit=2", headers=vic).json()
    assert accounts["total"] == 3 and [a["account_id"] for a in accounts["items"]] == [
        "H1-IRA", "H1-TAX"]
    page = api.client.get("/api/accounts/H1-TAX", headers=vic).json()
    # 100 AAPL at 131.01 + 100 XOM at 43.50; cash 100000 - 7501 - 12001 + 4499
    assert {p["symbol"]: p["market_value"] for p in page["positions"]} == {
        "AAPL": pytest.approx(13101.0), "XOM": pytest.approx(4350.0)}
    assert page["account"]["cash"] == pytest.approx(84997.0)
    assert page["account"]["value"] == pytest.approx(13101.0 + 4350.0 + 84997.0)
    assert [x["symbol"] for x in page["lots"]] == ["AAPL", "XOM"]
    assert page["proposal"]["trades"] == 2 and len(page["trades"]) == 2
    assert api.client.get("/api/accounts/H1-TAX/lots", headers=vic).json()[1]["quantity"] == (
        "100")
    drift = api.client.get("/api/drift", headers=vic).json()
    assert drift["items"][0]["drift_before"] == "0.08"
    households = api.client.get("/api/households", headers=vic).json()
    assert {h["id"]: h["accounts"] for h in households} == {"H1": 2, "H2": 1}
    book = api.client.get("/api/overview", headers=vic).json()
    assert book["aum"] == pytest.approx(sum(
        a["value"] for a in api.client.get("/api/accounts", headers=vic).json()["items"]))


def test_not_ready_while_migrations_are_behind(api: Api) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with api.store.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0011")
    reply = api.client.get("/readyz")
    assert reply.status_code == 503
    assert reply.json()["checks"]["migrations"].startswith("at 0011, newest is ")
