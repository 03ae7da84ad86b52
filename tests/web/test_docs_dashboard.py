"""docs/dashboard.md's walk-through works: its `ballast user add` commands create the users
(the first one without an admin), `ballast serve` takes its options, and a user it made logs in
to the dashboard with the password it set."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from ballast.api import create_app
from ballast.cli.app import app
from ballast.engine import users
from ballast.engine.workspace import open_store

DOC = Path(__file__).resolve().parents[2] / "docs" / "dashboard.md"


def _commands() -> list[list[str]]:
    [block] = re.findall(r"<!-- serve -->\s*```sh\n(.*?)```", DOC.read_text(), re.S)
    return [shlex.split(line) for line in block.strip().splitlines()]


def test_the_walk_through_creates_users_who_can_log_in(tmp_path: Path) -> None:
    commands = _commands()
    exports = dict(c[1].split("=", 1) for c in commands if c[0] == "export")
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    assert exports["BALLAST_DATABASE_URL"] == "sqlite:///demo.db"
    env = {"BALLAST_DATABASE_URL": url, "BALLAST_PASSWORD": exports["BALLAST_PASSWORD"]}
    adds = [c[1:] for c in commands if c[:3] == ["ballast", "user", "add"]]
    assert len(adds) == 5
    for args in adds:
        result = CliRunner().invoke(app, args, env=env)
        assert result.exit_code == 0, result.output
    [serve] = [c[1:] for c in commands if c[:2] == ["ballast", "serve"]]
    assert CliRunner().invoke(app, [*serve, "--help"]).exit_code == 0
    store = open_store(url)
    try:
        assert {u.name: u.roles for u in users.list_users(store)} == {
            "ada": ("admin",), "pam": ("portfolio_manager",), "tina": ("trader",),
            "cora": ("compliance",), "vic": ("viewer",)}
        with TestClient(create_app(store)) as client:
            answer = client.post("/login", data={"name": "tina", "password":
                                                 exports["BALLAST_PASSWORD"]})
            assert answer.status_code == 200
            assert "tina · trader" in answer.text
    finally:
        store.close()
