"""Every example CSV block of docs/formats.md parses without errors, in the order of the page."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from datetime import date
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
    "accounts": parse_accounts, "lots": parse_lots, "prices": parse_prices, "fx": parse_fx,
    "corporate_actions": parse_corporate_actions, "transactions": parse_transactions,
}


def test_every_format_has_an_example_that_parses(tmp_path: Path) -> None:
    examples = EXAMPLE.findall(DOC.read_text(encoding="utf-8"))
    assert [kind for kind, _ in examples] == list(PARSERS)
    ctx = ImportContext(today=date(2021, 6, 30))
    for kind, text in examples:
        result = _parse(tmp_path, kind, text, ctx)
        assert [str(e) for e in result.errors] == [], kind
        assert len(result.records) == result.rows == text.count("\n") - 1, kind
        ctx = _extend(ctx, kind, result.records)


def test_the_examples_book_the_split_and_dividends_once(tmp_path: Path) -> None:
    """The AAPL split and the MSFT dividend are corporate actions of the examples: transaction
    rows for them are refused; the lots are stated before the split."""
    examples = dict(EXAMPLE.findall(DOC.read_text(encoding="utf-8")))
    ctx = ImportContext(today=date(2021, 6, 30))
    for kind in list(PARSERS)[:-1]:
        ctx = _extend(ctx, kind, _parse(tmp_path, kind, examples[kind], ctx).records)
    assert {t.trade_date for t in _parse(tmp_path, "lots", examples["lots"], ctx).records} == {
        date(2020, 6, 1)}
    doubled = examples["transactions"] + (
        "X1,SMITH-TAX,2020-08-31,split,AAPL,,,,,,4,,,,,,,,,\n"
        "X2,SMITH-TAX,2020-08-19,dividend,MSFT,,,51.00,,,,,,,,,,,,\n")
    result = _parse(tmp_path, "transactions", doubled, ctx)
    assert [(e.row, e.reason) for e in result.errors] == [
        (11, "already booked by corporate action CA-AAPL-2020-08-31; remove the row or the "
             "corporate action"),
        (12, "already booked by corporate action CA-MSFT-2020-08-19; remove the row or the "
             "corporate action"),
    ]


def _parse(tmp_path: Path, kind: str, text: str,
           ctx: ImportContext) -> ParseResult:  # type: ignore[type-arg]
    path = tmp_path / f"{kind}.csv"
    path.write_text(text, encoding="utf-8")
    return PARSERS[kind](path, ctx)


def _extend(ctx: ImportContext, kind: str, records: list) -> ImportContext:  # type: ignore[type-arg]
    """The context after booking ``records``, so later examples may refer to them."""
    if kind == "instruments":
        return dataclasses.replace(ctx, instruments={r.id: r for r in records})
    if kind == "households":
        return dataclasses.replace(ctx, households=frozenset(r.id for r in records))
    if kind == "accounts":
        return dataclasses.replace(ctx, accounts={r.id: r for r in records})
    if kind == "lots":
        return dataclasses.replace(ctx, transaction_ids=frozenset(r.id for r in records),
                                   lot_ids=frozenset(r.lots[0].lot_id for r in records))
    if kind == "corporate_actions":
        return dataclasses.replace(ctx, corporate_actions=tuple(records),
                                   corporate_action_ids=frozenset(r.id for r in records))
    return ctx

