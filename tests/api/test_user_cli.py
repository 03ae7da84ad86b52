"""`ballast user`, `ballast token` and `ballast secret` on the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from ballast.cli import app
from ballast.engine import secrets, users
from ballast.engine.users import PermissionDenied
from ballast.engine.workspace import open_store


def test_bootstrap_an_admin_then_users_and_tokens(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'book.db'}"
    env = {"BALLAST_DATABASE_URL": url, "BALLAST_PASSWORD": "correct horse battery",
           "COLUMNS": "200"}
    cli = CliRunner()
    first = cli.invoke(app, ["user", "add", "ada", "--role", "admin"], env=env)
    assert first.exit_code == 0, first.output
    refused = cli.invoke(app, ["user", "add", "eve", "--role", "admin", "--user", "nobody"],
                         env=env)
    assert "no user 'nobody'" in str(refused.exception)
    added = cli.invoke(app, ["user", "add", "tina", "--role", "approver", "--user", "ada"],
                       env=env)
    assert added.exit_code == 0 and "roles trader" in added.output
    not_admin = cli.invoke(app, ["user", "add", "x", "--role", "viewer", "--user", "tina"],
                           env=env)
    assert isinstance(not_admin.exception, PermissionDenied)
    made = cli.invoke(app, ["token", "create", "tina", "--label", "ci", "--days", "30"], env=env)
    assert made.exit_code == 0
    token = made.stdout.strip().splitlines()[0]
    store = open_store(url)
    try:
        assert users.authenticate(store, token).name == "tina"
        assert users.login(store, "tina", "correct horse battery")[1].name == "tina"
        key = cli.invoke(app, ["secret", "keygen"]).stdout.strip()
        stored = cli.invoke(app, ["secret", "set", "broker.pw", "--reason", "setup", "--user",
                                  "ada"], env={**env, "BALLAST_SECRET_KEY": key},
                            input="hunter2\n")
        assert stored.exit_code == 0, stored.output
        listed = cli.invoke(app, ["secret", "list"], env=env)
        assert "broker.pw" in listed.output and "hunter2" not in listed.output
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("BALLAST_SECRET_KEY", key)
            assert secrets.reveal_secret(store, "broker.pw") == "hunter2"
    finally:
        store.close()
