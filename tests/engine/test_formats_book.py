"""The examples of docs/formats.md, imported in order, make a book that balances."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

from ballast.engine import queries
from ballast.engine.imports import ImportKind, import_file
from ballast.store import Store

DOC = Path(__file__).resolve().parents[2] / "docs" / "formats.md"
BLOCK = re.compile(r"<!-- example: (\w+) -->\s*```csv\n(.*?)```", re.S)


def examples() -> dict[str, str]:
    return dict(BLOCK.findall(DOC.read_text(encoding="utf-8")))


def test_doc_examples_book_end_to_end(store: Store, tmp_path: Path) -> None:
    blocks = examples()
    for kind in ("instruments", "households", "accounts", "lots", "prices", "fx",
                 "corporate_actions", "transactions"):
        path = tmp_path / f"{kind}.csv"
        path.write_text(blocks[kind], encoding="utf-8")
        report = import_file(store, ImportKind(kind), path, today=date(2021, 1, 4))
        assert report.quarantined == []
    lots = {(r.account_id, r.lot_id): r for r in queries.lot_rows(store)}
    # 40 + 20 AAPL (as of 2020-06-01) split 4-for-1 by the corporate action, then the 80
    # units of the second lot sold by specific id.
    assert lots[("SMITH-TAX", "SMITH-AAPL-1")].quantity == Decimal(160)
    assert ("SMITH-TAX", "SMITH-AAPL-2") not in lots
    # 10 SPY moved from the IRA to the taxable account with their basis and holding period.
    moved = [r for r in lots.values() if r.account_id == "SMITH-TAX" and r.symbol == "SPY"]
    assert [(r.quantity, r.cost_basis, r.holding_start) for r in moved] == [
        (Decimal(10), Decimal("2985.00"), date(2018, 6, 1))]
    [gain] = queries.gain_rows(store)
    assert gain.proceeds == Decimal(80) * Decimal("134.18") - Decimal("0.50")
    assert gain.cost_basis == Decimal("5781.40")
    with store.transaction() as tx:
        cash = tx.cash()
    assert cash[("MUELLER-1", "EUR")] == Decimal(19000)
    assert cash[("MUELLER-1", "USD")] == Decimal("1190.50")
    assert cash[("SMITH-IRA", "USD")] == Decimal(5975)  # the SPY dividend was reinvested
    # 50,000 deposited − 18,284 MSFT + 49.20 AAPL and 51.00 MSFT dividends + 10,733.90 sold
    assert cash[("SMITH-TAX", "USD")] == Decimal("42550.10")
