"""docs/performance.md: its python block runs, and it names every public function it covers."""

from __future__ import annotations

import re
from pathlib import Path

from ballast.analytics import attribution, performance, statistics, tax_report

DOC = Path(__file__).resolve().parents[2] / "docs" / "performance.md"
TEXT = DOC.read_text(encoding="utf-8")


def test_the_python_blocks_run() -> None:
    blocks = re.findall(r"^```python\n(.*?)^```", TEXT, re.DOTALL | re.MULTILINE)
    assert len(blocks) == len(re.findall(r"^```", TEXT, re.MULTILINE)) // 2 == 1
    for index, source in enumerate(blocks):
        exec(compile(source, f"<docs/performance.md python block {index}>", "exec"), {})


def test_every_public_function_is_documented() -> None:
    modules = (attribution, performance, statistics, tax_report)
    functions = [name for module in modules for name, value in vars(module).items()
                 if callable(value) and name[0].islower() and name[0] != "_"
                 and getattr(value, "__module__", "") == module.__name__]
    assert len(functions) >= 20
    assert not [name for name in functions if f"`{name}(" not in TEXT]
