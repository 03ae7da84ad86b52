"""``ballast onboard`` and ``ballast questionnaire show | import`` on a SQLite book."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ballast.cli import app
from ballast.engine.imports import ImportKind, import_file
from ballast.engine.rebalance import import_models
from ballast.engine.workspace import open_store
from ballast.sample import sample_instruments_path, sample_models_path
from ballast.security import KEY_ENV, new_key

from .test_onboarding import APPLICATION, DOC

QUESTIONNAIRE = sample_models_path().parent / "onboarding" / "questionnaire.yaml"


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    store = open_store(f"sqlite:///{tmp_path / 'book.db'}")
    import_file(store, ImportKind.INSTRUMENTS, sample_instruments_path())
    import_models(store, [sample_models_path()])
    with store.transaction() as tx:
        for name, role in (("pam", "portfolio_manager"), ("cora", "compliance")):
            tx.add_user(name, "not-a-password-hash", (role,), datetime.now(UTC))
    yield {"BALLAST_DATABASE_URL": store.url, "COLUMNS": "200", KEY_ENV: new_key()}
    store.close()


def test_onboard_the_docs_example(env: dict[str, str], tmp_path: Path) -> None:
    body = DOC.read_text(encoding="utf-8").split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "application.yaml"
    path.write_text(body, encoding="utf-8")
    out = CliRunner().invoke(app, ["onboard", str(path), "--user", "pam"], env=env)
    assert out.exit_code == 0, out.output
    assert ("household H100 onboarded: risk score 3, capped by capacity; recommended model "
            "conservative") in out.output
    assert "H100-ROTH: conservative" in out.output and "QQ123456C" not in out.output
    again = CliRunner().invoke(app, ["onboard", str(path), "--user", "pam"], env=env)
    assert again.exit_code != 0 and isinstance(again.exception, Exception)
    assert "already in the book: H100" in str(again.exception)


def test_onboard_json_with_override(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "application.yaml"
    path.write_text(APPLICATION.replace("model: conservative", "model: growth")
                    + "override_reason: waiver on file\n", encoding="utf-8")
    out = CliRunner().invoke(app, ["onboard", str(path), "--user", "cora", "--json"], env=env)
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["models"] == {"H9-TAX": "balanced", "H9-IRA": "growth"}
    assert data["override_reason"] == "waiver on file"
    assert data["assessment"]["risk_score"] == 4 and "123-45-6789" not in out.output


def test_questionnaire_show_and_import(env: dict[str, str], tmp_path: Path) -> None:
    shown = CliRunner().invoke(app, ["questionnaire", "show", "--json"], env=env)
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.output)
    assert data["name"] == "standard" and data["models"]["5"] == "growth"
    assert [q["id"] for q in data["questions"]][:2] == ["goal", "market_fall"]
    table = CliRunner().invoke(app, ["questionnaire", "show"], env=env)
    assert "market_fall" in table.output and "capped by capacity and horizon" in table.output
    stricter = tmp_path / "strict.yaml"
    stricter.write_text(QUESTIONNAIRE.read_text(encoding="utf-8").replace(
        "name: standard", "name: strict"), encoding="utf-8")
    denied = CliRunner().invoke(app, ["questionnaire", "import", str(stricter), "--user", "pam",
                                      "--reason", "x"], env=env)
    assert denied.exit_code != 0 and "needs the role compliance" in str(denied.exception)
    done = CliRunner().invoke(app, ["questionnaire", "import", str(stricter), "--user", "cora",
                                    "--reason", "annual review"], env=env)
    assert done.exit_code == 0 and "questionnaire strict" in done.output
    assert "stored and in force" in done.output
    now = json.loads(CliRunner().invoke(app, ["questionnaire", "show", "--json"],
                                        env=env).output)
    assert now["name"] == "strict" and now["version"] != data["version"]
