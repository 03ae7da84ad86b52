"""Every example CSV block of docs/formats.md parses without errors, in the order of the page."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from pathlib import Path

from ballast.data import (
    ImportContext,
    ParseResult,
    parse_accounts,
    parse_corporate_actions,
    parse_fx,
    parse_households,
    parse_instruments,
    parse_lots,
    parse_prices,
    parse_transactions,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "formats.md"
EXAMPLE = re.compile(r"<!-- example: (\w+) -->\s*```csv\n(.*?)```", re.S)
PARSERS: dict[str, Callable[[Path, ImportContext], ParseResult]] = {  # type: ignore[type-arg]
    "instruments": parse_instruments, "households": parse_households,
    "accounts": parse_accounts, "lots": parse_lots, "transactions": parse_transactions,
    "prices": parse_prices, "fx": parse_fx, "corporate_actions": parse_corporate_actions,
}


def test_every_format_has_an_example_that_parses(tmp_path: Path) -> None:
    examples = EXAMPLE.findall(DOC.read_text(encoding="utf-8"))
    assert [kind for kind, _ in examples] == list(PARSERS)
    from datetime import date
    ctx = ImportContext(today=date(2021, 6, 30))
    for kind, text in examples:
        path = tmp_path / f"{kind}.csv"
        path.write_text(text, encoding="utf-8")
        result = PARSERS[kind](path, ctx)
        assert [str(e) for e in result.errors] == [], kind
        assert len(result.records) == result.rows == text.count("\n") - 1, kind
        ctx = _extend(ctx, kind, result.records)


def _extend(ctx: ImportContext, kind: str, records: list) -> ImportContext:  # type: ignore[type-arg]
    """The context after booking ``records``, so later examples may refer to them."""
    if kind == "instruments":
        return dataclasses.replace(ctx, instruments={r.id: r for r in records})
    if kind == "households":
        return dataclasses.replace(ctx, households=frozenset(r.id for r in records))
    if kind == "accounts":
        return dataclasses.replace(ctx, accounts={r.id: r for r in records})
    if kind == "transactions":
        return dataclasses.replace(ctx, transaction_ids=frozenset(r.id for r in records))
    return ctx
