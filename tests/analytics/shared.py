"""Where the analytics tests find ../shared/data, and how they skip without it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

SHARED_DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"


def shared_file(*parts: str) -> Path:
    """A file of ../shared/data, or skip the test with the path that is missing."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"../shared/data absent: {path} not found (see ../shared/data/MANIFEST.md)")
    return path


def pypfopt_prices() -> pd.DataFrame:
    """PyPortfolioOpt's test prices (20 stocks), the rows where every stock has a price."""
    path = shared_file("pypfopt_tests", "tests_resources_stock_prices.csv")
    return pd.read_csv(path, parse_dates=["date"], index_col="date").dropna()


def lean_closes(ticker: str) -> tuple[np.ndarray, np.ndarray]:
    """Dates (datetime64[D]) and raw closes in USD of a Lean daily equity file."""
    path = shared_file("lean_equity_fx", "equity_usa_daily", f"{ticker}.csv")
    raw = pd.read_csv(path, header=None, names=["stamp", "o", "h", "l", "c", "v"])
    days = pd.to_datetime(raw["stamp"].str[:8], format="%Y%m%d").to_numpy("datetime64[D]")
    return days, raw["c"].to_numpy(np.float64) / 10_000.0
