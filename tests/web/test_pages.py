"""The dashboard's pages through the app (no browser): sign-in, each page, CSRF, roles,
maker-checker and the audit trail of each change made through a form."""

from __future__ import annotations

import re
from datetime import date

import numpy as np

from ballast.engine import approvals, kill_switch, service
from ballast.engine.audit import journal
from ballast.engine.nav import Scope, ScopeKind, nav_series

from .conftest import PASSWORD, Dashboard

PAGES = ["/", "/accounts", "/runs", "/orders", "/compliance", "/audit"]


def _pending(d: Dashboard) -> list[str]:
    return [s.account_id for s in approvals.proposal_states(d.store, d.run)
            if s.decision == approvals.PENDING]


def test_pages_need_a_login(dashboard: Dashboard) -> None:
    for page in PAGES:
        answer = dashboard.client.get(page, follow_redirects=False)
        assert answer.status_code == 303, page
        assert answer.headers["location"].startswith("/login?next=")


def test_wrong_password_is_refused(dashboard: Dashboard) -> None:
    answer = dashboard.client.post("/login", data={"name": "pam", "password": "nope"})
    assert answer.status_code == 401
    assert "wrong user name or password" in answer.text
    assert "ballast_session" not in dashboard.client.cookies


def test_every_page_renders_for_a_viewer(dashboard: Dashboard) -> None:
    dashboard.login("vic")
    account = _pending(dashboard)[0]
    for page in [*PAGES, f"/runs/{dashboard.run}", f"/accounts/{account}",
                 f"/runs/{dashboard.run}/proposals/{account}", "/accounts?q=HH002"]:
        answer = dashboard.client.get(page)
        assert answer.status_code == 200, (page, answer.text[:500])
        assert "Approve" not in answer.text, page


def test_overview_shows_the_latest_run(dashboard: Dashboard) -> None:
    dashboard.login("pam")
    page = dashboard.client.get("/").text
    pending = len(_pending(dashboard))
    assert re.search(rf'id="pending">{pending}<', page)
    assert 'id="kill-switch-state">off<' in page


def _decide(d: Dashboard, csrf: str, account: str, decision: str = "approved",
            **headers: str) -> tuple[int, str]:
    answer = d.client.post(f"/runs/{d.run}/decide", headers=headers, follow_redirects=False,
                           data={"csrf_token": csrf, "account": account, "decision": decision,
                                 "reason": "looks right"})
    return answer.status_code, answer.text


def test_a_post_without_the_csrf_token_is_refused(dashboard: Dashboard) -> None:
    dashboard.login("tina")
    account = _pending(dashboard)[0]
    status, text = _decide(dashboard, "", account)
    assert status == 403
    assert "CSRF" in text
    status, _ = _decide(dashboard, "forged" * 8, account)
    assert status == 403
    assert account in _pending(dashboard)


def test_a_viewer_cannot_approve_even_with_a_forged_post(dashboard: Dashboard) -> None:
    csrf = dashboard.login("vic")
    page = dashboard.client.get(f"/runs/{dashboard.run}").text
    assert _pending(dashboard) and 'value="approved"' not in page
    account = _pending(dashboard)[0]
    status, text = _decide(dashboard, csrf, account)
    assert status == 403
    assert "vic (viewer) may not approve" in text
    assert account in _pending(dashboard)


def test_an_approver_decides_one_by_one_then_all_and_executes(dashboard: Dashboard) -> None:
    csrf = dashboard.login("tina")
    first, second, *rest = _pending(dashboard)
    status, row = _decide(dashboard, csrf, first, **{"HX-Request": "true"})
    assert status == 200
    assert row.startswith(f'<tr id="proposal-{first}" data-decision="approved">')
    status, _ = _decide(dashboard, csrf, second, "rejected")
    assert status == 303
    states = {s.account_id: s for s in approvals.proposal_states(dashboard.store, dashboard.run)}
    assert (states[first].decision, states[first].user) == ("approved", "tina")
    assert (states[second].decision, states[second].reason) == ("rejected", "looks right")
    answer = dashboard.client.post(f"/runs/{dashboard.run}/decide", data={
        "csrf_token": csrf, "decision": "approved", "reason": "morning batch"})
    assert answer.status_code == 200
    assert f"{len(rest)} proposal(s): approved by tina." in answer.text
    assert not _pending(dashboard)
    kinds = [(e.kind, e.actor, e.rationale)
             for e in journal(dashboard.store, f"run:{dashboard.run}")]
    assert ("approval.approved", "tina", "looks right") in kinds
    assert ("approval.rejected", "tina", "looks right") in kinds
    assert kinds.count(("approval.approved", "tina", "morning batch")) == len(rest)
    # the rejected proposal is left out of the execution; the approved ones trade
    answer = dashboard.client.post(f"/runs/{dashboard.run}/execute",
                                   data={"csrf_token": csrf, "reason": "go"})
    assert answer.status_code == 200
    with dashboard.store.transaction() as tx:
        traded = {a for b in tx.blocks(dashboard.run) for a, _ in b.plan}
    assert second not in traded and traded


def test_the_maker_cannot_approve_a_run_they_proposed(dashboard: Dashboard) -> None:
    csrf = dashboard.login("tom")
    answer = dashboard.client.post("/runs", data={"csrf_token": csrf, "reason": "intraday"},
                                   follow_redirects=False)
    assert answer.status_code == 303
    run = int(answer.headers["location"].split("/runs/")[1].split("?")[0])
    answer = dashboard.client.post(f"/runs/{run}/check",
                                   data={"csrf_token": csrf, "reason": "intraday check"})
    assert answer.status_code == 200
    dashboard.run = run
    account = _pending(dashboard)[0]
    status, text = _decide(dashboard, csrf, account)
    assert status == 403
    assert f"run {run}:" in text and "Ask another user" in text
    assert account in _pending(dashboard)


def test_execution_shows_the_orders(dashboard: Dashboard) -> None:
    csrf = dashboard.login("tina")
    answer = dashboard.client.post(f"/runs/{dashboard.run}/decide", data={
        "csrf_token": csrf, "decision": "approved", "reason": "morning batch"})
    assert answer.status_code == 200
    answer = dashboard.client.post(f"/runs/{dashboard.run}/execute",
                                   data={"csrf_token": csrf, "reason": "market open"})
    assert answer.status_code == 200
    orders = re.findall(r'<td class="mono small">([^<]+)</td><td class="mono small">',
                        answer.text.split('id="fills"')[0])
    assert sorted(orders) == sorted(o.client_order_id for o in
                                    service.orders(dashboard.store, dashboard.run))
    assert orders
    assert ("execution.requested", "tina", "market open") in [
        (e.kind, e.actor, e.rationale) for e in journal(dashboard.store, f"run:{dashboard.run}")]


def test_the_kill_switch_for_compliance(dashboard: Dashboard) -> None:
    csrf = dashboard.login("cora")
    answer = dashboard.client.post("/kill-switch/engage", data={
        "csrf_token": csrf, "scope": "global", "reason": "exchange outage"})
    assert answer.status_code == 200
    assert [(k.scope, k.engaged_by, k.reason) for k in kill_switch.status(dashboard.store)] == [
        ("global", "cora", "exchange outage")]
    assert 'id="kill-switch-state">ENGAGED<' in dashboard.client.get("/").text
    tina = dashboard.login("tina")
    answer = dashboard.client.post("/kill-switch/disengage", data={
        "csrf_token": tina, "scope": "global", "reason": "I want to trade"})
    assert answer.status_code == 403
    assert "needs the role compliance" in answer.text
    csrf = dashboard.login("cora")
    answer = dashboard.client.post("/kill-switch/disengage", data={
        "csrf_token": csrf, "scope": "global", "reason": "exchange back"})
    assert answer.status_code == 200
    assert not kill_switch.status(dashboard.store)
    assert 'id="no-switch"' in answer.text


def test_the_performance_card_links_daily_returns(dashboard: Dashboard) -> None:
    """The card's time-weighted return equals the daily values chain-linked with each day's
    flow taken at its close, recomputed here from the NAV series."""
    dashboard.login("vic")
    page = dashboard.client.get("/accounts/HH001-TAX")
    assert 'hx-get="/accounts/HH001-TAX/performance"' in page.text
    card = dashboard.client.get("/accounts/HH001-TAX/performance",
                                headers={"HX-Request": "true"}).text
    period = re.search(r"<td>(\d{4}-\d\d-\d\d) – (\d{4}-\d\d-\d\d)</td>", card)
    assert period
    start, end = (date.fromisoformat(d) for d in period.groups())
    series = nav_series(dashboard.store, Scope(ScopeKind.ACCOUNT, "HH001-TAX"), start, end)
    v, flows = series.value, series.flows
    assert len(v) > 200 and abs(flows).sum() > 0  # a year of closes, with money moved
    twr = float(np.prod((v[1:] - flows) / v[:-1]) - 1)
    assert f'id="twr-net">{twr * 100:.2f}%<' in card
    assert card.count("<polyline") == 1
    assert re.search(r'id="volatility">\d+\.\d\d%<', card)
    risk_table = card.split("Share of risk")[1].split("</table>")[0]
    shares = [float(x) for x in re.findall(r'<td class="num">([\d.]+)%</td></tr>', risk_table)]
    assert len(shares) > 3 and abs(sum(shares) - 100) < 0.05 * len(shares)  # Euler: adds up


def test_an_htmx_refusal_is_shown_in_the_flash(dashboard: Dashboard) -> None:
    csrf = dashboard.login("vic")
    account = _pending(dashboard)[0]
    answer = dashboard.client.post(f"/runs/{dashboard.run}/decide", headers={
        "HX-Request": "true"}, data={"csrf_token": csrf, "account": account,
                                     "decision": "approved", "reason": "x"})
    assert answer.status_code == 403
    assert (answer.headers["HX-Retarget"], answer.headers["HX-Reswap"]) == ("#flash",
                                                                              "innerHTML")
    assert answer.text.startswith('<p class="flash error" role="alert">vic (viewer)')


def test_login_goes_only_to_pages_of_this_site(dashboard: Dashboard) -> None:
    for target, expected in [("/runs", "/runs"), ("//evil.example/x", "/"),
                             ("https://evil.example/", "/"), ("/\\evil.example", "/")]:
        answer = dashboard.client.post("/login", follow_redirects=False, data={
            "name": "vic", "password": PASSWORD, "next": target})
        assert (answer.status_code, answer.headers["location"]) == (303, expected), target


def test_logout_ends_the_session(dashboard: Dashboard) -> None:
    csrf = dashboard.login("vic")
    session = dashboard.client.cookies["ballast_session"]
    assert dashboard.client.post("/logout", data={"csrf_token": ""},
                                 follow_redirects=False).status_code == 403
    answer = dashboard.client.post("/logout", data={"csrf_token": csrf},
                                   follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, "/login")
    assert "ballast_session" not in dashboard.client.cookies
    dashboard.client.cookies.set("ballast_session", session)
    answer = dashboard.client.get("/", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
