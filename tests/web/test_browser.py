"""The dashboard end to end in Debian's chromium, driven by Playwright over `ballast serve`'s app
on loopback: a portfolio manager reviews the morning's proposals, an approver approves them
(one in its row, the rest together) and executes the run, and the orders appear; a viewer has
no approve button and a forged post is refused; compliance engages and disengages the kill
switch; a portfolio manager onboards a client. Screenshots are kept in build/screenshots
(or $BALLAST_SCREENSHOTS)."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from ballast.engine import approvals, kill_switch, service

from .conftest import PASSWORD, LiveServer

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed "
                               "(pip install -e '.[test]')")
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium"
                                        if Path("/usr/bin/chromium").exists() else None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed "
                                "(.ci/ensure-chromium installs it as root with apt-get)")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
OUTSIDE: list[str] = []  # requests the pages made to anywhere but the server (none: offline)
SHOTS = Path(os.environ.get("BALLAST_SCREENSHOTS",
                            Path(__file__).resolve().parents[2] / "build" / "screenshots"))


@pytest.fixture(scope="module")
def browser() -> Iterator[sync_api.Browser]:
    with sync_api.sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        except sync_api.Error as exc:
            pytest.skip(f"chromium at {CHROMIUM} does not start: {exc.message.splitlines()[0]}")
        yield launched
        launched.close()


def _page(browser: sync_api.Browser, server: LiveServer, user: str) -> sync_api.Page:
    """A new browser session logged in as ``user`` (through the login form)."""
    page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    page.set_default_timeout(15_000)
    page.on("request", lambda r: None if r.url.startswith(f"{server.url}/")
            else OUTSIDE.append(r.url))
    page.goto(f"{server.url}/runs")
    assert "/login" in page.url
    page.fill("input[name=name]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}/runs")
    return page


def _shot(page: sync_api.Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _pending(server: LiveServer) -> list[str]:
    return [s.account_id for s in approvals.proposal_states(server.store, server.run)
            if s.decision == approvals.PENDING]


def test_a_viewer_sees_no_approve_button_and_a_forged_post_is_refused(
        browser: sync_api.Browser, live_server: LiveServer) -> None:
    page = _page(browser, live_server, "vic")
    page.goto(f"{live_server.url}/runs/{live_server.run}")
    pending = _pending(live_server)
    assert pending
    assert page.locator(f"#proposal-{pending[0]}").is_visible()
    assert page.locator("button[value=approved]").count() == 0
    _shot(page, "viewer-run")
    csrf = page.locator("input[name=csrf_token]").first.get_attribute("value")
    forged = page.request.post(f"{live_server.url}/runs/{live_server.run}/decide", form={
        "csrf_token": csrf or "", "account": pending[0], "decision": "approved",
        "reason": "forged"})
    assert forged.status == 403
    assert "may not approve" in forged.text()
    assert _pending(live_server) == pending
    page.context.close()


def test_compliance_engages_and_disengages_the_kill_switch(
        browser: sync_api.Browser, live_server: LiveServer) -> None:
    page = _page(browser, live_server, "cora")
    page.goto(f"{live_server.url}/compliance")
    form = page.locator("#engage-form")
    form.locator("input[name=reason]").fill("broker outage")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#switches")
    assert "Kill switch global engaged." in page.inner_text("#flash")
    assert [k.reason for k in kill_switch.status(live_server.store)] == ["broker outage"]
    page.goto(f"{live_server.url}/")
    assert page.inner_text("#kill-switch-state") == "ENGAGED"
    _shot(page, "compliance-kill-switch-engaged")
    page.goto(f"{live_server.url}/compliance")
    page.locator("#switches input[name=reason]").fill("broker back")
    page.locator("#switches button[type=submit]").click()
    page.wait_for_selector("#no-switch")
    assert not kill_switch.status(live_server.store)
    _shot(page, "compliance-kill-switch-off")
    page.context.close()


def test_review_approve_execute_and_see_the_orders(
        browser: sync_api.Browser, live_server: LiveServer) -> None:
    run, url = live_server.run, live_server.url
    first, *rest = _pending(live_server)
    pm = _page(browser, live_server, "pam")
    pm.goto(f"{url}/")
    assert pm.inner_text("#pending") == str(len(rest) + 1)
    _shot(pm, "pm-overview")
    pm.goto(f"{url}/runs/{run}")
    pm.click(f"#proposal-{first} a")
    pm.wait_for_url(re.compile(rf".*/runs/{run}/proposals/{first}$"))
    rationale = pm.locator("td.rationale").all_inner_texts()
    assert rationale and all(rationale)
    assert pm.locator("button[value=approved]").count() == 0  # a manager cannot approve
    _shot(pm, "pm-proposal-review")
    pm.goto(f"{url}/accounts/{first}")
    assert pm.locator("svg.chart g.slice").count() >= 2
    pm.wait_for_selector("#twr-net")  # the performance card, loaded by HTMX
    _shot(pm, "pm-account")
    pm.context.close()

    approver = _page(browser, live_server, "tina")
    approver.goto(f"{url}/runs/{run}")
    row = approver.locator(f"#proposal-{first}")
    row.locator("input[name=reason]").fill("in line with the model")
    row.locator("button[value=approved]").click()  # HTMX swaps the row in place
    approver.wait_for_selector(f"#proposal-{first}[data-decision=approved]")
    assert approver.url == f"{url}/runs/{run}"
    batch = approver.locator("#batch-decision")
    batch.locator("input[name=reason]").fill("morning batch")
    batch.locator("button[value=approved]").click()
    approver.wait_for_selector("#flash .flash.ok")
    assert not _pending(live_server)
    _shot(approver, "approver-approved")
    approver.locator("form:has(#execute) input[name=reason]").fill("market open")
    approver.click("#execute")
    approver.wait_for_url(re.compile(rf".*/orders\?run={run}.*"))
    orders = approver.locator("#orders tbody tr").count()
    assert orders == len(service.orders(live_server.store, run)) > 0
    assert "executed" in approver.inner_text("#flash")
    assert OUTSIDE == []
    _shot(approver, "approver-orders")
    approver.context.close()


def test_a_manager_onboards_a_client(browser: sync_api.Browser, live_server: LiveServer
                                     ) -> None:
    from .test_onboarding_page import ANSWERS, FORM

    page = _page(browser, live_server, "pam")
    page.goto(f"{live_server.url}/onboarding")
    for question, option in ANSWERS.items():
        page.check(f'input[name="answer_{question}"][value="{option}"]')
    page.wait_for_selector("#recommended-model")  # scored by HTMX as the answers change
    assert page.inner_text("#risk-score-value").startswith("3")
    assert page.inner_text("#recommended-model") == "conservative"
    for name, value in FORM.items():
        if name.startswith("answer_"):
            continue
        field = page.locator(f"[name={name}]")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    _shot(page, "pm-onboarding")
    page.click("button:has-text('Onboard the client')")
    page.wait_for_url(re.compile(r".*/accounts/H100-TAX\?msg=.*"))
    assert "risk score 3, model conservative" in page.inner_text("#flash")
    page.context.close()
