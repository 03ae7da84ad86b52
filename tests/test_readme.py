"""The README's tour runs as written: each `ballast` line exits 0 on the demo book."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def tour_commands() -> list[list[str]]:
    text = README.read_text(encoding="utf-8")
    block = re.search(r"## A tour.*?```sh\n(.*?)```", text, re.S)
    assert block, "README has no tour block"
    commands = []
    for line in block.group(1).splitlines():
        words = shlex.split(line, comments=True)
        if words and words[0] == "ballast":
            commands.append(words[1:])
    return commands


def test_tour_runs_on_the_demo_book(tmp_path: Path) -> None:
    commands = tour_commands()
    for folder in ("specs", "rules", "factors"):  # the tour's paths are from the repo's root
        shutil.copytree(README.parent / "src" / "ballast" / "sample" / folder,
                        tmp_path / "src" / "ballast" / "sample" / folder)
    assert commands[0][0] == "demo" and len(commands) >= 7
    env = {**os.environ, "BALLAST_DATABASE_URL": "sqlite:///ballast-demo.db", "COLUMNS": "160"}
    for args in commands:
        out = subprocess.run([sys.executable, "-m", "ballast", *args], cwd=tmp_path, env=env,
                             capture_output=True, text=True, timeout=300, check=False)
        assert out.returncode == 0, f"ballast {' '.join(args)} failed:\n{out.stderr}"
        assert out.stdout.strip(), f"ballast {' '.join(args)} printed nothing"
    assert (tmp_path / "ballast-demo.db").exists()


def test_starting_your_own_book_matches_the_tested_order() -> None:
    text = README.read_text(encoding="utf-8")
    kinds = re.findall(r"^ballast import (\w+) ", text, re.M)
    assert kinds == ["instruments", "households", "accounts", "lots", "prices", "fx",
                     "corporate_actions", "transactions"]
