"""The generated sample book: deterministic, big enough, consistent with the real prices and
invested by the shipped models.

The replay here is deliberately independent of the generator and of the ledger: cash and
quantities per account, splits multiplied in and cash dividends paid on their ex-date (before that
day's trades, as the engine books them) from the shipped price file.
"""

from __future__ import annotations

import csv
import gzip
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from ballast.config.models import load_models, resolve_all
from ballast.sample import BookFiles, generate_book, sample_models_path, sample_prices_path

ZERO = Decimal(0)


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> BookFiles:
    return generate_book(tmp_path_factory.mktemp("book"))


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


Events = dict[str, list[tuple[str, Decimal]]]


def _prices() -> tuple[dict[tuple[str, str], Decimal], Events, Events]:
    closes: dict[tuple[str, str], Decimal] = {}
    splits: Events = defaultdict(list)
    dividends: Events = defaultdict(list)
    with gzip.open(sample_prices_path(), "rt", newline="") as f:
        for r in csv.DictReader(f):
            closes[r["symbol"], r["date"]] = Decimal(r["close"])
            if Decimal(r["split_factor"]) != 1:
                splits[r["date"]].append((r["symbol"], Decimal(r["split_factor"])))
            if Decimal(r["dividend"] or 0) > 0:
                dividends[r["date"]].append((r["symbol"], Decimal(r["dividend"])))
    return closes, splits, dividends


def test_same_seed_same_bytes_other_seed_differs(tmp_path: Path, book: BookFiles) -> None:
    again = generate_book(tmp_path / "a")
    other = generate_book(tmp_path / "b", seed=8)
    for name in ("households", "accounts", "transactions"):
        assert getattr(again, name).read_bytes() == getattr(book, name).read_bytes()
    assert other.transactions.read_bytes() != book.transactions.read_bytes()


def test_counts_types_and_references(book: BookFiles) -> None:
    households = _rows(book.households)
    accounts = _rows(book.accounts)
    txns = _rows(book.transactions)
    assert (book.household_count, book.account_count, book.transaction_count) == (
        len(households), len(accounts), len(txns))
    assert len(households) >= 50 and len(accounts) >= 120
    assert {a["type"] for a in accounts} == {"taxable", "tax_deferred", "tax_exempt"}
    assert {a["household_id"] for a in accounts} == {h["household_id"] for h in households}
    per_household = defaultdict(int)
    for a in accounts:
        per_household[a["household_id"]] += 1
        assert a["lot_method"] == ("min_tax" if a["type"] == "taxable" else "fifo")
    assert set(per_household.values()) <= {1, 2, 3, 4}
    assert {t["account_id"] for t in txns} == {a["account_id"] for a in accounts}
    assert {t["kind"] for t in txns} == {"deposit", "buy", "sell", "withdrawal"}
    assert len({t["id"] for t in txns}) == len(txns)


def test_trades_at_real_closes_and_never_negative(book: BookFiles) -> None:
    closes, splits, dividends = _prices()
    cash: dict[str, Decimal] = defaultdict(Decimal)
    units: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    applied: set[str] = set()
    last = ""
    for t in _rows(book.transactions):
        day, kind, acct = t["date"], t["kind"], t["account_id"]
        assert day >= last and "2017-01-03" <= day <= "2020-12-31"
        last = day
        for ex in sorted(d for d in {*splits, *dividends} if d <= day and d not in applied):
            applied.add(ex)
            for held in units.values():
                for symbol, factor in splits.get(ex, ()):
                    held[symbol] *= factor
            for aid, held in units.items():
                for symbol, per_unit in dividends.get(ex, ()):
                    cash[aid] += (held[symbol] * per_unit).quantize(Decimal("0.01"))
        if kind in ("deposit", "withdrawal"):
            amount = Decimal(t["amount"])
            assert amount > 0
            cash[acct] += amount if kind == "deposit" else -amount
        else:
            symbol, qty, price, fees = t["symbol"], Decimal(t["quantity"]), Decimal(t["price"]), \
                Decimal(t["fees"])
            assert price == closes[symbol, day], t  # a real raw close of a real session
            assert qty > 0 and qty == qty.to_integral_value() and fees >= 0
            assert all(s != symbol for s, _ in splits.get(day, ())), "trade on a split ex-date"
            sign = 1 if kind == "buy" else -1
            cash[acct] -= sign * qty * price + fees
            units[acct][symbol] += sign * qty
            assert units[acct][symbol] >= 0, t
        assert cash[acct] >= 0, t
    assert set(splits) <= applied


def test_book_has_gains_of_both_terms_and_unrealized_losses(book: BookFiles) -> None:
    closes, splits, _ = _prices()
    end = max(d for _, d in closes)
    buys: dict[tuple[str, str], list[tuple[date, Decimal]]] = defaultdict(list)
    sold: set[tuple[str, str]] = set()
    terms = set()
    for t in _rows(book.transactions):
        key, day = (t["account_id"], t["symbol"]), date.fromisoformat(t["date"])
        if t["kind"] == "buy":
            buys[key].append((day, Decimal(t["price"])))
        elif t["kind"] == "sell":
            sold.add(key)
            held_since = [d for d, _ in buys[key]]
            if max(held_since) < day - timedelta(days=366):
                terms.add("long")  # every lot is over a year old, whichever is relieved
            if min(held_since) > day - timedelta(days=365):
                terms.add("short")
    assert terms == {"long", "short"}

    def adjusted(symbol: str, day: date, price: Decimal) -> Decimal:
        for ex, events in splits.items():
            for s, factor in events:
                if s == symbol and date.fromisoformat(ex) > day:
                    price /= factor
        return price

    losing = [key for key, lots in buys.items() if key not in sold
              and any(adjusted(key[1], d, p) > closes[key[1], end] for d, p in lots)]
    assert len(losing) >= 20


def test_accounts_are_invested_by_their_model(book: BookFiles) -> None:
    models = resolve_all(load_models(sample_models_path()))
    accounts = {a["account_id"]: a for a in _rows(book.accounts)}
    assert {a["model"] for a in accounts.values()} == set(models)
    members = {name: {i for s in m.sleeves for i in s.instruments} for name, m in models.items()}
    first_day: dict[str, str] = {}
    bought: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    memos = defaultdict(set)
    for t in _rows(book.transactions):
        memos[t["account_id"]].add(t["memo"])
        if t["kind"] != "buy" or first_day.setdefault(t["account_id"], t["date"]) != t["date"]:
            continue
        bought[t["account_id"]][t["symbol"]] += Decimal(t["quantity"]) * Decimal(t["price"])
    assert set(bought) == set(accounts)
    outside = set()
    for aid, values in bought.items():
        model = accounts[aid]["model"]
        inside = sum((v for s, v in values.items() if s in members[model]), ZERO)
        assert inside >= Decimal("0.8") * sum(values.values()), (aid, dict(values))
        # every sleeve of the model is bought through one of its instruments
        sleeves_hit = {s.name for s in models[model].sleeves if set(s.instruments) & set(values)}
        assert len(sleeves_hit) >= len(models[model].sleeves) - 2, aid
        if set(values) - members[model]:
            outside.add(aid)
    taxable = {a for a, row in accounts.items() if row["type"] == "taxable"}
    assert outside <= taxable and 0.05 <= len(outside) / len(taxable) <= 0.3  # legacy holdings
    assert sum("tax-loss harvest" in m for m in memos.values()) >= 5
    assert sum("rebalance to model" in m for m in memos.values()) >= len(accounts) // 3
