"""The authorization matrix: every operation of the API's OpenAPI schema, called by anonymous and
by a user of each role with a valid request. Anonymous gets 401 from every protected operation;
a role without the permission the operation needs gets 403 and nothing is journaled; a role with
it gets the operation's success status. ``NEEDS`` says what each operation needs; an operation
the schema has and ``NEEDS`` lacks (a new route) fails the test until it gets its entry."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute

from ballast.engine import users
from ballast.engine.check import import_rules
from ballast.engine.imports import ImportKind, import_file
from ballast.engine.rebalance import import_models
from ballast.sample import sample_models_path
from ballast.security import KEY_ENV, new_key
from ballast.security.roles import Permission, Role, permissions_of

from .conftest import AS_OF, PASSWORD, Api, import_sample_instruments, journal_kinds, served
from .test_onboarding_api import application

P = Permission
PUBLIC = "public"  # anyone, signed in or not
SIGNED_IN = "signed in"  # any user
USER_OF = {Role.VIEWER: "vic", Role.PORTFOLIO_MANAGER: "pam", Role.TRADER: "tina",
           Role.COMPLIANCE: "cora", Role.ADMIN: "ada"}
GROWTH = sample_models_path() / "growth.yaml"
QUESTIONNAIRE = sample_models_path().parent / "onboarding" / "questionnaire.yaml"


@dataclass(frozen=True)
class Call:
    """What an operation needs (a permission, any of several, PUBLIC or SIGNED_IN) and a valid
    request for it: the path with ``{run}``, ``{token}``, ``{v1}``, ``{v2}`` filled from the
    book, a JSON body or form, and the status it answers when allowed."""

    need: str | frozenset[Permission]
    path: str
    ok: int = 200
    body: dict[str, Any] | None = None
    form: dict[str, str] | None = None
    query: dict[str, str] = field(default_factory=dict)


def needs(*permissions: Permission) -> frozenset[Permission]:
    """Any one of ``permissions``."""
    return frozenset(permissions)


READ, WHY = needs(P.READ), {"reason": "authorization matrix"}
# In the order they are called: reads first, then changes arranged so each finds the state it
# needs (approvals before the execution, the onboarding before the client profile it creates).
NEEDS: dict[tuple[str, str], Call] = {
    ("GET", "/healthz"): Call(PUBLIC, "/healthz"),
    ("GET", "/readyz"): Call(PUBLIC, "/readyz"),
    ("GET", "/metrics"): Call(PUBLIC, "/metrics"),
    ("POST", "/auth/login"): Call(PUBLIC, "/auth/login", form={"name": "vic",
                                                               "password": PASSWORD}),
    ("POST", "/auth/logout"): Call(PUBLIC, "/auth/logout", ok=204),
    ("GET", "/auth/me"): Call(SIGNED_IN, "/auth/me"),
    ("GET", "/api/overview"): Call(READ, "/api/overview"),
    ("GET", "/api/households"): Call(READ, "/api/households"),
    ("GET", "/api/accounts"): Call(READ, "/api/accounts"),
    ("GET", "/api/accounts/{account_id}"): Call(READ, "/api/accounts/H1-TAX"),
    ("GET", "/api/accounts/{account_id}/holdings"): Call(READ, "/api/accounts/H1-TAX/holdings"),
    ("GET", "/api/accounts/{account_id}/lots"): Call(READ, "/api/accounts/H1-TAX/lots"),
    ("GET", "/api/drift"): Call(READ, "/api/drift"),
    ("GET", "/api/runs"): Call(READ, "/api/runs"),
    ("GET", "/api/runs/{run_id}/proposals"): Call(READ, "/api/runs/{run}/proposals"),
    ("GET", "/api/runs/{run_id}/proposals/{account_id}"): Call(
        READ, "/api/runs/{run}/proposals/H1-TAX"),
    ("GET", "/api/runs/{run_id}/orders"): Call(READ, "/api/runs/{run}/orders"),
    ("GET", "/api/runs/{run_id}/fills"): Call(READ, "/api/runs/{run}/fills"),
    ("GET", "/api/runs/{run_id}/breaches"): Call(READ, "/api/runs/{run}/breaches"),
    ("GET", "/api/kill-switch"): Call(READ, "/api/kill-switch"),
    ("GET", "/api/approval-policy"): Call(READ, "/api/approval-policy"),
    ("GET", "/api/risk"): Call(READ, "/api/risk", query={"account": "H1-TAX",
                                                         "lookback_days": "20"}),
    ("GET", "/api/performance"): Call(READ, "/api/performance",
                                      query={"scope": "account", "ident": "H1-TAX",
                                             "period": "2021-01"}),
    ("GET", "/api/audit/verify"): Call(READ, "/api/audit/verify"),
    ("GET", "/api/audit/explain"): Call(READ, "/api/audit/explain",
                                        query={"target": "account:H1-IRA"}),
    ("GET", "/api/audit/log"): Call(READ, "/api/audit/log"),
    ("GET", "/api/models"): Call(READ, "/api/models"),
    ("GET", "/api/models/{name}/versions"): Call(READ, "/api/models/growth/versions"),
    ("GET", "/api/models/{name}/diff"): Call(READ, "/api/models/growth/diff",
                                             query={"old": "{v1}", "new": "{v2}"}),
    ("GET", "/api/users"): Call(needs(P.USERS), "/api/users"),
    ("GET", "/api/users/{name}/tokens"): Call(needs(P.USERS), "/api/users/tom/tokens"),
    ("GET", "/api/secrets"): Call(needs(P.USERS), "/api/secrets"),
    ("GET", "/api/onboarding/questionnaire"): Call(READ, "/api/onboarding/questionnaire"),
    ("GET", "/api/onboarding/suitability"): Call(READ, "/api/onboarding/suitability"),
    ("POST", "/api/onboarding/score"): Call(READ, "/api/onboarding/score",
                                            body={"answers": application()["answers"]}),
    ("POST", "/api/runs/{run_id}/check"): Call(needs(P.PROPOSE, P.RULES),
                                               "/api/runs/{run}/check", body=WHY),
    ("POST", "/api/runs/{run_id}/proposals/{account_id}/approve"): Call(
        needs(P.APPROVE), "/api/runs/{run}/proposals/H1-IRA/approve", body=WHY),
    ("POST", "/api/runs/{run_id}/proposals/{account_id}/reject"): Call(
        needs(P.APPROVE), "/api/runs/{run}/proposals/H1-TAX/reject", body=WHY),
    ("POST", "/api/runs/{run_id}/reject"): Call(
        needs(P.APPROVE), "/api/runs/{run}/reject", body={**WHY, "accounts": ["H1-IRA"]}),
    ("POST", "/api/runs/{run_id}/approve"): Call(
        needs(P.APPROVE), "/api/runs/{run}/approve", body={**WHY, "accounts": ["H1-IRA"]}),
    ("POST", "/api/runs/{run_id}/execute"): Call(needs(P.EXECUTE), "/api/runs/{run}/execute",
                                                 body=WHY),
    ("POST", "/api/runs"): Call(needs(P.PROPOSE), "/api/runs", ok=201, body=WHY),
    ("POST", "/api/kill-switch/engage"): Call(needs(P.ENGAGE_KILL_SWITCH),
                                              "/api/kill-switch/engage", body=WHY),
    ("POST", "/api/kill-switch/disengage"): Call(needs(P.DISENGAGE_KILL_SWITCH),
                                                 "/api/kill-switch/disengage", body=WHY),
    ("PUT", "/api/approval-policy"): Call(needs(P.RULES), "/api/approval-policy",
                                          body={**WHY, "yaml": "mode: maker_checker\n"}),
    ("POST", "/api/models"): Call(needs(P.EDIT_MODELS), "/api/models", ok=201, body={
        **WHY, "yaml": GROWTH.read_text(encoding="utf-8").replace("growth", "growth2")}),
    ("POST", "/api/models/{name}/rollback"): Call(needs(P.EDIT_MODELS),
                                                  "/api/models/growth/rollback",
                                                  body={**WHY, "version": "{v1}"}),
    ("POST", "/api/users"): Call(needs(P.USERS), "/api/users", ok=201, body={
        **WHY, "name": "newbie", "password": PASSWORD, "roles": ["viewer"]}),
    ("PATCH", "/api/users/{name}"): Call(needs(P.USERS), "/api/users/tom",
                                         body={**WHY, "roles": ["trader"]}),
    ("POST", "/api/users/{name}/tokens"): Call(needs(P.USERS), "/api/users/tom/tokens", ok=201,
                                               body={"label": "matrix"}),
    ("POST", "/api/tokens/{token_id}/revoke"): Call(needs(P.USERS), "/api/tokens/{token}/revoke",
                                                    ok=204, body=WHY),
    ("PUT", "/api/secrets/{name}"): Call(needs(P.USERS), "/api/secrets/broker.password",
                                         body={**WHY, "value": "s3cr3t"}),
    ("PUT", "/api/onboarding/questionnaire"): Call(needs(P.RULES), "/api/onboarding/questionnaire",
                                                   body={**WHY, "yaml": QUESTIONNAIRE.read_text(
                                                       encoding="utf-8")}),
    ("POST", "/api/onboarding"): Call(needs(P.PROPOSE, P.RULES), "/api/onboarding", ok=201,
                                      body=application()),
    ("GET", "/api/onboarding/clients/{household_id}"): Call(
        needs(P.PROPOSE, P.RULES), "/api/onboarding/clients/" + application()["household"]["id"]),
}
CALLERS: list[Role | None] = [None, *Role]


def operations(api: Api) -> set[tuple[str, str]]:
    """(method, path) of every operation in the served OpenAPI schema."""
    paths: dict[str, dict[str, Any]] = api.client.get("/openapi.json").json()["paths"]
    return {(method.upper(), path) for path, ops in paths.items() for method in ops}


@pytest.fixture
def book(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Api, dict[str, str]]]:
    """The small API book (SQLite) with the sample instruments and models, two versions of the
    growth model, the sample compliance rules and a secret key; and the values the paths of
    ``NEEDS`` take."""
    monkeypatch.setenv(KEY_ENV, new_key())
    with served(f"sqlite:///{tmp_path / 'ballast.db'}", tmp_path) as api:
        import_sample_instruments(api.store, tmp_path)
        [v1] = [v for name, v, _ in import_models(api.store, [sample_models_path()])
                if name == "growth"]
        changed = tmp_path / "growth.yaml"
        changed.write_text(GROWTH.read_text(encoding="utf-8") + "\n# revised\n",
                           encoding="utf-8")
        [(_, v2, _)] = import_models(api.store, [changed])
        import_rules(api.store, [sample_models_path().parent / "rules" / "firm.yaml"])
        history = tmp_path / "history.csv"
        days = [d for d in (date(2020, 11, 30) + timedelta(n) for n in range(37))
                if d.weekday() < 5 and d not in (date(2020, 12, 25), date(2021, 1, 1))]
        history.write_text("date,symbol,close\n" + "".join(  # a month of made-up closes
            f"{d},{symbol},{base + (n % 7) - 3}.25\n" for n, d in enumerate(days)
            for symbol, base in (("AAPL", 125), ("XOM", 42), ("VTI", 190), ("SPY", 370))
            if symbol == "SPY" or d < AS_OF - timedelta(1)), encoding="utf-8")
        import_file(api.store, ImportKind.PRICES, history)
        [tom] = users.list_tokens(api.store, "tom")
        yield api, {"run": str(api.run), "token": str(tom.id), "v1": v1, "v2": v2}


def fill(text: str, values: dict[str, str]) -> str:
    """``text`` with the book's values for ``{run}``, ``{token}``, ``{v1}`` and ``{v2}``."""
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


def allowed(need: str | frozenset[Permission], role: Role | None) -> bool:
    """Whether ``role`` (None: anonymous) may do what needs ``need``, by the role table."""
    if need == PUBLIC:
        return True
    if role is None:
        return False
    return need == SIGNED_IN or bool(set(need) & permissions_of([role]))


def test_every_operation_of_the_schema_has_its_entry(book: tuple[Api, dict[str, str]]) -> None:
    api, _ = book
    assert set(NEEDS) == operations(api)
    # the permission a route declares with require(...) is the one its entry names
    for route in api.client.app.routes:  # type: ignore[attr-defined]
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        declared = {d.call.__name__.removeprefix("require_")
                    for d in route.dependant.dependencies if d.call is not None
                    and d.call.__name__.startswith("require_")}
        for method in route.methods:
            need = NEEDS[(method, route.path)].need
            named = {p.value for p in need} if isinstance(need, frozenset) else set()
            assert declared - {P.READ.value} <= named, (method, route.path, declared)
            assert (need == READ) <= (declared == {P.READ.value}), (method, route.path)


@pytest.mark.parametrize("role", CALLERS, ids=lambda r: r.value if r else "anonymous")
def test_authorization_matrix(role: Role | None, book: tuple[Api, dict[str, str]]) -> None:
    api, values = book
    client = api.client
    headers = api.auth(USER_OF[role]) if role else {}
    wrong = []
    for (method, template), call in NEEDS.items():
        before = len(journal_kinds(api.store))
        client.cookies.clear()
        answer = client.request(
            method, fill(call.path, values), headers=headers,
            params={k: fill(v, values) for k, v in call.query.items()},
            json=call.body and {k: fill(v, values) if isinstance(v, str) else v
                                for k, v in call.body.items()}, data=call.form)
        may = allowed(call.need, role)
        expected = call.ok if may else 401 if role is None else 403
        written = len(journal_kinds(api.store)) - before
        if answer.status_code != expected or (not may and written):
            wrong.append(f"{method} {template}: {answer.status_code} (expected {expected}), "
                         f"{written} journal entries: {answer.text[:300]}")
    assert not wrong, "\n".join(wrong)
