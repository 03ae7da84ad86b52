"""The real data sets other libraries assert on, from ../shared/data (skipped when absent)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd
import pytest

SHARED_DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
PYPFOPT_PRICES = SHARED_DATA / "pypfopt_tests" / "tests_resources_stock_prices.csv"
PYPFOPT_HRP = SHARED_DATA / "pypfopt_tests" / "tests_resources_weights_hrp.csv"
SKFOLIO_SP500 = SHARED_DATA / "pkg_bundled" / "skfolio" / "sp500_dataset.csv.gz"


def _require(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"real data not found at {path} (see ../shared/data/MANIFEST.md)")
    return path


@cache
def pypfopt_prices() -> pd.DataFrame:
    """PyPortfolioOpt's test prices: 20 tickers, NaN before each IPO."""
    return pd.read_csv(_require(PYPFOPT_PRICES), parse_dates=True, index_col="date")


@cache
def pypfopt_hrp_answer() -> pd.Series:
    """PyPortfolioOpt's HRP answer key (single linkage on the pairwise returns)."""
    return pd.read_csv(_require(PYPFOPT_HRP), index_col=0).squeeze("columns")


@cache
def skfolio_returns() -> pd.DataFrame:
    """skfolio's S&P 500 sample (20 stocks, 1990–2022) as linear daily returns."""
    prices = pd.read_csv(_require(SKFOLIO_SP500), index_col=0, parse_dates=True)
    return prices.pct_change().dropna()
