"""docs/analytics.md: its python block runs, and it names every public function."""

from __future__ import annotations

import re
from pathlib import Path

import ballast.analytics

DOC = Path(__file__).resolve().parents[2] / "docs" / "analytics.md"
TEXT = DOC.read_text(encoding="utf-8")


def test_the_python_blocks_run() -> None:
    blocks = re.findall(r"^```python\n(.*?)^```", TEXT, re.DOTALL | re.MULTILINE)
    assert len(blocks) == len(re.findall(r"^```", TEXT, re.MULTILINE)) // 2 == 1
    for index, source in enumerate(blocks):
        exec(compile(source, f"<docs/analytics.md python block {index}>", "exec"), {})


def test_every_public_function_is_documented() -> None:
    functions = [name for name in ballast.analytics.__all__
                 if callable(getattr(ballast.analytics, name)) and name[0].islower()]
    assert not [name for name in functions if f"`{name}(" not in TEXT]
