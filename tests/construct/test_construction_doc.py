"""The example of docs/construction.md runs and prints the report it describes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "construction.md"


def test_the_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert len(blocks) == 1
    exec(compile(blocks[0], str(DOC), "exec"), {})
    report = capsys.readouterr().out
    assert report.startswith("method: max sharpe (optimal)\n")
    assert "  group bond in [0.2, 1]" in report and "  AGG: " in report
