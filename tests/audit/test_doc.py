"""The hash example of docs/audit.md runs: an entry's hash is SHA-256 of its canonical JSON."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "audit.md"


def test_hash_example_runs() -> None:
    [block] = re.findall(r"<!-- hash -->\s*```python\n(.*?)```", DOC.read_text(), re.S)
    exec(compile(block, str(DOC), "exec"), {})
