"""Build the demo's real sample data in src/ballast/sample/ from ../shared/data.

Run once by a developer; the output is committed and described in src/ballast/sample/SOURCE.md.

    .venv/bin/python scripts/make_sample_data.py [--data ../shared/data] [--out src/ballast/sample]

Stocks come from the Pooksoft S&P 500 set (raw closes, dividends and split coefficients as
recorded by AlphaVantage); ETFs from QuantConnect Lean (raw closes in deci-cents, dividends
reconstructed from the price-factor steps of the factor files). The output is byte-reproducible.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import gzip
import io
import itertools
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START = date(2017, 1, 3)
END = date(2021, 3, 31)  # Lean's daily files end here; the whole sample ends at the common date.

# 30 stocks across the 11 GICS sectors; several (energy, banks, GE, T, WBA, SPG) fell 2018-2020.
STOCKS = (
    "AAPL", "MSFT", "NVDA", "IBM", "INTC",  # Information Technology
    "GOOGL", "T",  # Communication Services
    "AMZN", "TSLA", "HD", "NKE",  # Consumer Discretionary
    "KO", "PG", "MO", "WBA",  # Consumer Staples
    "JNJ", "UNH", "MRK",  # Health Care
    "JPM", "WFC", "C",  # Financials
    "XOM", "SLB", "OXY",  # Energy
    "BA", "GE", "MMM",  # Industrials
    "NEE",  # Utilities
    "SPG",  # Real Estate
    "APD",  # Materials
)
ETFS = {
    "SPY": "SPDR S&P 500 ETF Trust",
    "QQQ": "Invesco QQQ Trust",
    "IWM": "iShares Russell 2000 ETF",
}
CENT = Decimal("0.01")
SPLIT_PRECISION = Decimal("0.001")  # AlphaVantage stores 7:1 as 7.000007
DIVIDEND_PRECISION = Decimal("0.0001")  # Lean price factors carry 7 significant digits
PRICE_HEADER = ("date", "symbol", "close", "dividend", "split_factor")
INSTRUMENT_HEADER = (
    "symbol", "kind", "currency", "name", "asset_class", "sector", "country", "exchange",
    "issuer", "lot_size", "fractional", "multiplier", "expiry", "strike", "right", "underlying",
)


@dataclass(frozen=True, slots=True)
class PriceRow:
    day: date
    symbol: str
    close: Decimal
    dividend: Decimal
    split_factor: Decimal

    def cells(self) -> tuple[str, ...]:
        return (self.day.isoformat(), self.symbol, f"{self.close:.2f}",
                _plain(self.dividend), _plain(self.split_factor))


def _plain(value: Decimal) -> str:
    """Shortest exact decimal string without an exponent (``0``, ``0.57``, ``4``)."""
    return format(value.normalize(), "f")


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_EVEN)


def _in_window(day: date) -> bool:
    return START <= day <= END


def read_pooksoft(folder: Path, symbol: str) -> list[PriceRow]:
    """Rows of one Pooksoft ticker inside the window, in ballast's price format."""
    rows = []
    with (folder / f"{symbol}.csv").open(newline="") as f:
        for rec in csv.DictReader(f):
            day = date.fromisoformat(rec["timestamp"])
            if not _in_window(day):
                continue
            rows.append(PriceRow(
                day=day,
                symbol=symbol,
                close=_cents(Decimal(rec["close"])),
                dividend=Decimal(rec["dividend_amount"]),
                split_factor=Decimal(rec["split_coefficient"]).quantize(SPLIT_PRECISION),
            ))
    return rows


def _lean_day(text: str) -> date:
    return datetime.strptime(text[:8], "%Y%m%d").date()


def read_lean(folder: Path, symbol: str) -> list[PriceRow]:
    """Rows of one Lean ETF inside the window, with dividends and splits from its factor file.

    A factor-file row's factors apply up to and including its date; the ex-date is the next
    session. Dividend: ``ref_price · (1 − pf_row / pf_next)``; split: ``sf_next / sf_row``.
    """
    lower = symbol.lower()
    with (folder / "equity_usa_daily" / f"{lower}.csv").open(newline="") as f:
        bars = [(_lean_day(r[0]), Decimal(r[4]) / 10000) for r in csv.reader(f) if r]
    with (folder / "factor_files" / f"{lower}.csv").open(newline="") as f:
        factors = [(_lean_day(r[0]), Decimal(r[1]), Decimal(r[2]), Decimal(r[3]))
                   for r in csv.reader(f) if r]
    sessions = [day for day, _ in bars]
    dividends: dict[date, Decimal] = {}
    splits: dict[date, Decimal] = {}
    for (day, pf, sf, ref), (_, pf_next, sf_next, _) in itertools.pairwise(factors):
        after = bisect.bisect_right(sessions, day)
        if after == len(sessions):
            continue
        ex = sessions[after]
        if pf != pf_next:
            dividends[ex] = (ref * (1 - pf / pf_next)).quantize(DIVIDEND_PRECISION)
        if sf != sf_next:
            splits[ex] = (sf_next / sf).quantize(SPLIT_PRECISION)
    return [
        PriceRow(day, symbol, _cents(close), dividends.get(day, Decimal(0)),
                 splits.get(day, Decimal(1)))
        for day, close in bars if _in_window(day)
    ]


def write_prices(rows: list[PriceRow], path: Path) -> None:
    """Gzipped CSV sorted by (date, symbol); mtime 0 and no file name, so bytes are stable."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(PRICE_HEADER)
    writer.writerows(r.cells() for r in sorted(rows, key=lambda r: (r.day, r.symbol)))
    with path.open("wb") as raw, gzip.GzipFile(
        filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0
    ) as gz:
        gz.write(text.getvalue().encode())


def write_instruments(folder: Path, path: Path) -> None:
    """One row per stock (name and sector from the constituent list) and per ETF."""
    with (folder / "_constituents_sectors.csv").open(newline="") as f:
        known = {r["Symbol"]: (r["Name"], r["Sector"]) for r in csv.DictReader(f)}
    kinds = {s: ("equity", *known[s]) for s in STOCKS}
    kinds |= {s: ("etf", name, "") for s, name in ETFS.items()}
    tail = ("US", "XNYS", "", "1", "false", "1", "", "", "", "")
    with path.open("w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(INSTRUMENT_HEADER)
        for symbol, (kind, name, sector) in sorted(kinds.items()):
            writer.writerow((symbol, kind, "USD", name, "us_equity", sector, *tail))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=ROOT / "src" / "ballast" / "sample")
    args = parser.parse_args()
    pooksoft = args.data / "pooksoft_sp500_daily_adjusted"
    lean = args.data / "lean_equity_fx"
    rows = [row for s in STOCKS for row in read_pooksoft(pooksoft, s)]
    rows += [row for s in ETFS for row in read_lean(lean, s)]
    sessions = {s: {r.day for r in rows if r.symbol == s} for s in (*STOCKS, *ETFS)}
    if len({frozenset(days) for days in sessions.values()}) != 1:
        raise SystemExit("the instruments do not share the same sessions in the window")
    args.out.mkdir(parents=True, exist_ok=True)
    write_prices(rows, args.out / "prices.csv.gz")
    write_instruments(pooksoft, args.out / "instruments.csv")
    events = [r for r in rows if r.dividend or r.split_factor != 1]
    splits = [(r.symbol, str(r.day), _plain(r.split_factor)) for r in events if r.split_factor != 1]
    print(f"{len(rows)} price rows, {len(sessions)} instruments, "
          f"{sum(1 for r in events if r.dividend)} dividends, splits: {splits}")


if __name__ == "__main__":
    main()
