"""Every ```python block of docs/ledger.md runs and its assertions hold.

Each block is executed on its own, in a fresh namespace, so a doc example that drifts from what
the ledger does fails here, with the failing line of the block in the traceback.
"""

from __future__ import annotations

import linecache
import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "ledger.md"
_BLOCK = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.DOTALL | re.MULTILINE)


def python_blocks(text: str) -> list[str]:
    """The contents of the fenced ```python blocks of a Markdown text, in order."""
    return _BLOCK.findall(text)


TEXT = DOC.read_text(encoding="utf-8")
BLOCKS = python_blocks(TEXT)


def test_the_doc_has_examples() -> None:
    assert len(BLOCKS) >= 4


def test_extraction_sees_every_python_fence() -> None:
    assert len(BLOCKS) == len(re.findall(r"^```python", TEXT, re.MULTILINE))


@pytest.mark.parametrize("index", range(len(BLOCKS)), ids=lambda i: f"block{i}")
def test_doc_example_runs(index: int) -> None:
    source = BLOCKS[index]
    filename = f"<docs/ledger.md python block {index}>"
    # Let tracebacks show the block's own lines.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), {"__name__": f"docs_ledger_block_{index}"})
