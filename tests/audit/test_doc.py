"""The hash example of docs/audit.md runs: an entry's hash is SHA-256 of its canonical JSON."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

DOC = Path(__file__).resolve().parents[2] / "docs" / "audit.md"


def test_hash_example_runs() -> None:
    [block] = re.findall(r"<!-- hash -->\s*```python\n(.*?)```", DOC.read_text(), re.S)
    names: dict[str, Any] = {}
    exec(compile(block, str(DOC), "exec"), names)  # the example asserts the hash itself
    entry = names["entry"]
    assert entry.hash == hashlib.sha256(names["text"].encode("utf-8")).hexdigest()
    assert entry.prev_hash == "0" * 64 and entry.seq == 1
