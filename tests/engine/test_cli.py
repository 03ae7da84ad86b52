"""The command line as a user meets it: real process, real files, readable errors."""

from __future__ import annotations

import json
import os
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
    for kind in ("instruments", "households", "accounts"):
        assert ballast("import", kind, str(book_files[kind]), db=db).returncode == 0
    bad = write(tmp_path, "bad.csv",
                "id,account_id,date,kind,symbol,quantity,price\n"
                "X1,H1-TAX,2020-01-02,buy,AAPL,ten,75.00\n")
    out = ballast("import", "transactions", str(bad), db=db)
    assert out.returncode == 1
    assert "row" in out.stderr and "quantity" in out.stderr
    assert "Traceback" not in out.stderr + out.stdout
    listed = ballast("lots", "--json", db=db)
    assert json.loads(listed.stdout) == []


def test_unknown_account_is_an_error_with_a_hint(tmp_path: Path) -> None:
    out = ballast("positions", "--account", "NOPE", db=tmp_path / "b.db")
    assert out.returncode == 1
    assert "NOPE" in out.stderr and "hint" in out.stderr
    assert "Traceback" not in out.stderr
