"""schemathesis against the API's OpenAPI schema, in-process through its ASGI app: the cases it
derives from the schema (valid ones, and ones that break it) sent with an admin's and a
portfolio manager's bearer token never get a server error (5xx). Derandomized: the same cases
every run."""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, assume, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from ballast.engine import users

from .conftest import PASSWORD, Api, served

EXAMPLES = 8  # per operation and generation mode


def fuzz(api: Api, user: str) -> tuple[int, list[str]]:
    """Run schemathesis over every operation as ``user``: (operations, failures)."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", api.client.app)
    operations, failures = 0, []
    [own] = [t.id for t in users.list_tokens(api.store, user)]
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @given(operation.as_strategy(mode))
            @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck))
            def check(case: schemathesis.Case) -> None:
                # the fuzzing user keeps their credentials: the rest of the run stays signed in
                assume(case.path_parameters.get("token_id") != own)
                assume(case.path_parameters.get("name") != user or case.method != "PATCH")
                case.call_and_validate(headers=api.auth(user), checks=[not_a_server_error])
            try:
                check()
            except Unsatisfiable:
                continue  # nothing in this operation's schema can be broken
            except (Exception, BaseExceptionGroup) as exc:
                failures.append(f"{operation.label} ({mode.value}): {exc}")
    return operations, failures


@pytest.mark.parametrize("user", ["ada", "pam"])
def test_schemathesis_finds_no_server_error(user: str, tmp_path: Path) -> None:
    with served(f"sqlite:///{tmp_path / 'ballast.db'}", tmp_path) as api:
        operations, failures = fuzz(api, user)
        assert operations == sum(len(p) for p in api.client.app.openapi()["paths"].values())
        assert not failures, "\n\n".join(failures)
        assert api.client.get("/auth/me", headers=api.auth(user)).status_code == 200


def test_integers_too_large_for_the_store_are_refused_not_crashed(tmp_path: Path) -> None:
    """schemathesis found these: an offset or an id beyond a 64-bit integer (either way)
    overflowed the database driver (500), in the API and the dashboard alike; they are 422
    naming the parameter."""
    big = 2**63
    with served(f"sqlite:///{tmp_path / 'ballast.db'}", tmp_path) as api:
        assert api.client.post("/auth/login", data={"name": "ada", "password": PASSWORD}
                               ).status_code == 200  # the dashboard's session cookie
        for method, url in [("GET", f"/api/drift?offset={big}"),
                            ("GET", f"/api/accounts?offset={big}"),
                            ("GET", f"/api/runs/{big}/proposals/H1-TAX"),
                            ("GET", f"/api/runs/{-big}/proposals/H1-TAX"),
                            ("GET", "/api/runs/0/orders"),
                            ("GET", f"/api/runs/{api.run}/proposals?offset={big}"),
                            ("POST", f"/api/tokens/{big}/revoke"),
                            # the dashboard's pages take the same ids
                            ("GET", f"/runs/{big}/proposals/H1-TAX"),
                            ("GET", f"/runs/{api.run}?offset={big}")]:
            answer = api.client.request(method, url, headers=api.auth("ada"),
                                        json={"reason": "x"})
            assert answer.status_code == 422, (url, answer.text)
        review = api.client.get(f"/api/runs/{big}/proposals/H1-TAX", headers=api.auth("vic"))
        assert review.json()["problems"] == [{"where": "path.run_id", "problem": (
            f"Input should be less than or equal to {big - 1}")}]
        largest = api.client.get(f"/api/runs/{big - 1}/proposals/H1-TAX",
                                 headers=api.auth("vic"))
        assert largest.status_code == 404
        assert largest.json()["message"] == f"run {big - 1} has no proposal for 'H1-TAX'"


def test_periods_off_the_calendar_are_refused_not_crashed(tmp_path: Path) -> None:
    """schemathesis found these: year 0 (``0000``, ``0000Q1``, ``0000-01``) and a period from
    0001-01-01 (no day before it to open from) crashed performance (500); they are 422 naming
    the period."""
    with served(f"sqlite:///{tmp_path / 'ballast.db'}", tmp_path) as api:
        for period in ("0000", "0000Q1", "0000-01", "0001-01-01..2021-01-05"):
            answer = api.client.get("/api/performance", headers=api.auth("vic"), params={
                "scope": "account", "ident": "H1-TAX", "period": period})
            assert answer.status_code == 422, (period, answer.text)
            assert (answer.json()["error"], answer.json()["field"]) == ("PeriodError", "period")
        sane = api.client.get("/api/performance", headers=api.auth("vic"), params={
            "scope": "account", "ident": "H1-TAX", "period": "2021-01-05..2021-01-05"})
        assert sane.status_code == 200, sane.text
