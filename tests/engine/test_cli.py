"""The command line as a user meets it: real process, real files, readable errors."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from .conftest import write


def ballast(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BALLAST_DATABASE_URL": f"sqlite:///{db}", "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "ballast", *args], capture_output=True,
                          text=True, env=env, timeout=120, check=False)


def test_help_lists_the_commands(tmp_path: Path) -> None:
    out = ballast("--help", db=tmp_path / "b.db")
    assert out.returncode == 0
    for command in ("init", "import", "accounts", "positions", "lots", "gains", "demo"):
        assert command in out.stdout


def test_import_then_query_as_json(tmp_path: Path, book_files: dict[str, Path]) -> None:
    db = tmp_path / "b.db"
    for kind in ("instruments", "households", "accounts", "prices", "transactions"):
        out = ballast("import", kind, str(book_files[kind]), db=db)
        assert out.returncode == 0, out.stderr
    out = ballast("positions", "--account", "H1-TAX", "--json", db=db)
    assert out.returncode == 0, out.stderr
    rows = {r["symbol"]: r for r in json.loads(out.stdout)}
    assert rows["AAPL"]["quantity"] == "100"
    assert rows["XOM"]["quantity"] == "100"
    out = ballast("gains", "--year", "2020", "--json", db=db)
    [gain] = json.loads(out.stdout)
    assert gain["gain"] == "-1501.50"


def test_malformed_file_is_one_clear_error_and_changes_nothing(
        tmp_path: Path, book_files: dict[str, Path]) -> None:
    db = tmp_path / "b.db"
    for kind in ("instruments", "households", "accounts", "prices"):
        assert ballast("import", kind, str(book_files[kind]), db=db).returncode == 0
    good = book_files["transactions"].read_text()
    bad = write(tmp_path, "bad.csv", good + "X1,H1-TAX,2020-07-01,buy,AAPL,ten,75.00,,\n")
    before = ballast("positions", "--json", db=db).stdout
    out = ballast("import", "transactions", str(bad), db=db)
    assert out.returncode == 1
    assert re.search(r"\b7\b\W+quantity\W+ten\W+not a decimal number", out.stderr), out.stderr
    assert "Traceback" not in out.stderr + out.stdout
    # the six good rows before the bad one were not written either
    assert ballast("positions", "--json", db=db).stdout == before
    assert json.loads(ballast("lots", "--json", db=db).stdout) == []


def test_unknown_account_is_an_error_with_a_hint(tmp_path: Path) -> None:
    db = tmp_path / "b.db"
    assert ballast("init", db=db).returncode == 0
    out = ballast("positions", "--account", "NOPE", db=db)
    assert out.returncode == 1
    assert "NOPE" in out.stderr and "hint" in out.stderr
    assert "Traceback" not in out.stderr


def test_reading_a_book_that_does_not_exist_creates_nothing(tmp_path: Path) -> None:
    db = tmp_path / "missing.db"
    out = ballast("accounts", db=db)
    assert out.returncode == 1
    assert "no book at" in out.stderr and "ballast init" in out.stderr
    assert not db.exists()


def test_unreachable_database_is_a_clear_error(tmp_path: Path) -> None:
    env_db = "postgresql://nobody@127.0.0.1:1/none"
    out = subprocess.run([sys.executable, "-m", "ballast", "init", "--db", env_db],
                         capture_output=True, text=True, timeout=60, check=False)
    assert out.returncode == 1
    assert "cannot open the book" in out.stderr and "hint" in out.stderr
    assert "Traceback" not in out.stderr


def test_file_level_error_hint_does_not_suggest_quarantine(tmp_path: Path,
                                                           book_files: dict[str, Path]) -> None:
    db = tmp_path / "b.db"
    bad = write(tmp_path, "bad.csv", "sym,kind\nAAPL,equity\n")
    out = ballast("import", "instruments", str(bad), db=db)
    assert out.returncode == 1
    assert "header" in out.stderr and "--quarantine" not in out.stderr
