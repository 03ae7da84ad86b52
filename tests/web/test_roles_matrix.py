"""Every form that changes something, posted by every role that may not: 403, and nothing
is written to the journal (the dashboard's authorization matrix; what each role may do is
tested with its effects in test_pages.py and test_onboarding_page.py)."""

from __future__ import annotations

from ballast.engine.audit import verify_journal

from .conftest import ROLES, Dashboard
from .test_onboarding_page import FORM

# form → the roles allowed to post it (ballast.security.roles)
ALLOWED = {
    "/runs": {"pam", "tom"},
    "/runs/{run}/check": {"pam", "tom", "cora"},
    "/runs/{run}/decide": {"tina", "tom"},
    "/runs/{run}/execute": {"tina", "tom"},
    "/kill-switch/engage": {"tina", "tom", "cora"},
    "/kill-switch/disengage": {"cora"},
    "/onboarding": {"pam", "tom", "cora"},
}
FIELDS = {"reason": "matrix", "decision": "approved", "scope": "global", **FORM}


def test_each_role_is_refused_what_it_may_not_do(dashboard: Dashboard) -> None:
    refused = 0
    for user in ROLES:
        csrf = dashboard.login(user)
        before = verify_journal(dashboard.store).entries
        for form, allowed in ALLOWED.items():
            if user in allowed:
                continue
            answer = dashboard.client.post(form.format(run=dashboard.run),
                                           data={"csrf_token": csrf, **FIELDS})
            assert answer.status_code == 403, (user, form, answer.text[:300])
            refused += 1
        assert verify_journal(dashboard.store).entries == before, user
    assert refused == sum(len(ROLES) - len(a) for a in ALLOWED.values())
