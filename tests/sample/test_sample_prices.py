"""The shipped sample prices and instruments: format, sort order, known splits, provenance."""

from __future__ import annotations

import csv
import gzip
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from ballast.sample import sample_instruments_path, sample_prices_path

PRICE_HEADER = ["date", "symbol", "close", "dividend", "split_factor"]


def _price_rows() -> list[dict[str, str]]:
    with gzip.open(sample_prices_path(), "rt", newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == PRICE_HEADER
        return list(reader)


def test_known_splits_are_whole_factors() -> None:
    splits = {(r["symbol"], r["date"]): r["split_factor"] for r in _price_rows()
              if r["split_factor"] != "1"}
    assert splits[("AAPL", "2020-08-31")] == "4"
    assert splits[("TSLA", "2020-08-31")] == "5"
    assert all(Decimal(v) == Decimal(v).quantize(Decimal("0.001")) for v in splits.values())


def test_rows_sorted_exact_and_positive() -> None:
    rows = _price_rows()
    keys = [(r["date"], r["symbol"]) for r in rows]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    for r in rows:
        close = Decimal(r["close"])
        assert close > 0 and close == close.quantize(Decimal("0.01")), r
        assert Decimal(r["dividend"]) >= 0 and Decimal(r["split_factor"]) > 0, r
    assert keys[0][0] == "2017-01-03" and keys[-1][0] == "2021-03-31"


def test_known_closes_and_dividends() -> None:
    rows = {(r["symbol"], r["date"]): r for r in _price_rows()}
    assert rows[("AAPL", "2017-01-03")]["close"] == "116.15"
    assert rows[("AAPL", "2020-08-28")]["close"] == "499.23"  # raw, before the 4:1 split
    assert rows[("AAPL", "2020-08-07")]["dividend"] == "0.82"
    assert rows[("SPY", "2021-03-19")]["dividend"] == "1.2778"  # from Lean's price factors


def test_every_symbol_is_an_instrument_with_a_full_history() -> None:
    with sample_instruments_path().open(newline="") as f:
        instruments = list(csv.DictReader(f))
    symbols = {i["symbol"] for i in instruments}
    rows = _price_rows()
    dates = {r["date"] for r in rows}
    assert {r["symbol"] for r in rows} == symbols
    assert 20 <= len(symbols) <= 40
    assert len(rows) == len(symbols) * len(dates)
    assert {i["kind"] for i in instruments} <= {"equity", "etf"}
    assert all(i["currency"] == "USD" and i["lot_size"] == "1" for i in instruments)


def test_shipped_file_is_small_and_reproducible() -> None:
    raw = sample_prices_path().read_bytes()
    assert len(raw) < 400_000
    assert raw[3] == 0 and raw[4:8] == b"\0\0\0\0"  # no file name, mtime 0
    assert (sample_prices_path().parent / "SOURCE.md").is_file()


def test_script_rebuilds_the_shipped_files(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    data = root.parent / "shared" / "data"
    if not (data / "pooksoft_sp500_daily_adjusted").is_dir():
        pytest.skip(f"shared market data not found at {data}")
    script = root / "scripts" / "make_sample_data.py"
    subprocess.run([sys.executable, str(script), "--data", str(data), "--out", str(tmp_path)],
                   check=True, capture_output=True)
    for name in ("prices.csv.gz", "instruments.csv"):
        assert (tmp_path / name).read_bytes() == (sample_prices_path().parent / name).read_bytes()
