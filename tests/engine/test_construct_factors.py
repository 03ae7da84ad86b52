"""Specs with a factor file: betas by regression on the file's factors (checked independently
with analytics.factor_exposures), exposure limits and tilts that hold, the French and plain CSV
formats, no look-ahead, and files that lack dates of the window."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ballast.analytics import factor_exposures
from ballast.config.construct import load_spec, parse_spec
from ballast.data.factors import FactorTable, parse_french_factors
from ballast.domain import ConfigError, DataError
from ballast.engine.construct import BuildReport, build_model
from ballast.sample import sample_models_path
from ballast.store import Store

from .test_construct_build import STOCKS, adjusted_returns, check_weights

SPECS = sample_models_path().parent / "specs"
SAMPLE_FACTORS = sample_models_path().parent / "factors" / "ff3_daily_2017_2021.csv"
AS_OF = date(2020, 6, 30)
FRENCH = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "famafrench_daily"


def french_file(name: str) -> Path:
    """A Kenneth French file of ../shared/data, or skip the test saying which is missing."""
    path = FRENCH / name
    if not path.exists():
        pytest.skip(f"../shared/data absent: {path} not found (see ../shared/data/MANIFEST.md)")
    return path


def exposures(store: Store, r: BuildReport, table: FactorTable, names: list[str],
              ) -> dict[str, float]:
    """Bᵀw of the built weights, B regressed afresh on the factor rows of the return dates."""
    ids = [a.instruments[0] for a in r.weights]
    returns = adjusted_returns(store, ids, r.window_start, r.window_end)
    with store.transaction() as tx:
        days = np.array(sorted({b.date for b in tx.price_bars(["SPY"], start=r.window_start,
                                                              end=r.window_end)}),
                        dtype="datetime64[D]")[1:]
    rows = np.searchsorted(table.dates, days)
    assert (table.dates[rows] == days).all()
    factors = np.column_stack([table.column(n)[rows] for n in names])
    betas = factor_exposures(returns, factors).betas
    w = np.array([a.weight for a in r.weights])
    return dict(zip(names, betas.T @ w, strict=True))


def stock_spec(file: Path | str, folder: Path | None = None, **factors: Any) -> Any:
    return parse_spec({"name": "tilted", "as_of": AS_OF, "lookback_days": 500,
                       "universe": [{"instrument": s} for s in STOCKS],
                       "method": "min_variance", "constraints": {"max_weight": 0.4},
                       "factors": {"file": str(file), **factors}}, "t.yaml", folder)


def test_the_shipped_factor_spec_respects_its_limits(demo_store: Store) -> None:
    spec = load_spec(SPECS / "factor_tilt.yaml")
    assert spec.factors is not None and spec.factors.path == SPECS / spec.factors.file
    r = build_model(demo_store, spec, dry_run=True)
    check_weights(r)
    direct = exposures(demo_store, r, parse_french_factors(SAMPLE_FACTORS),
                       ["Mkt-RF", "SMB", "HML"])
    shown = {e.factor: e.exposure for e in r.factor_exposures}
    assert shown == pytest.approx(direct, rel=1e-9)
    assert 0.9 - 1e-3 <= direct["Mkt-RF"] <= 1.05 + 1e-3
    assert 0.05 - 1e-3 <= direct["HML"] <= 0.15 + 1e-3
    assert [(e.lower, e.upper) for e in r.factor_exposures][:2] == [(0.9, 1.05), (None, None)]
    assert "factor Mkt-RF in [0.9, 1.05]" in r.constraints
    assert any("factor model on the file's Mkt-RF, SMB, HML" in e for e in r.estimators)


def test_five_french_factors_from_the_shared_data(demo_store: Store) -> None:
    path = french_file("F-F_Research_Data_5_Factors_2x3_daily.CSV")
    names = ["Mkt-RF", "SMB", "HML", "RMW", "CMA"]
    limits = {"Mkt-RF": [0.95, 1.0], "RMW": [-0.05, 0.05]}
    free = build_model(demo_store, stock_spec(path, columns=names), dry_run=True)
    r = build_model(demo_store, stock_spec(path, columns=names, limits=limits), dry_run=True)
    check_weights(r)
    table = parse_french_factors(path)
    before, after = (exposures(demo_store, x, table, names) for x in (free, r))
    assert before["Mkt-RF"] < 0.95 - 0.05  # the limit binds
    assert 0.95 - 1e-3 <= after["Mkt-RF"] <= 1.0 + 1e-3
    assert -0.05 - 1e-3 <= after["RMW"] <= 0.05 + 1e-3
    assert {e.factor: e.exposure for e in r.factor_exposures} == pytest.approx(after, rel=1e-9)


def test_a_plain_csv_of_the_same_factors_gives_the_same_model(demo_store: Store,
                                                               tmp_path: Path) -> None:
    table = parse_french_factors(SAMPLE_FACTORS)
    plain = tmp_path / "ff3.csv"
    plain.write_text("date," + ",".join(table.names) + "\n" + "".join(
        f"{d},{','.join(repr(float(v)) for v in row)}\n"
        for d, row in zip(table.dates, table.values, strict=True)))
    limits = {"Mkt-RF": [0.9, 1.0], "HML": [0.1, 0.3]}
    french, same = (build_model(demo_store, stock_spec(path, limits=limits), dry_run=True)
                    for path in (SAMPLE_FACTORS, plain))
    assert same.weights == french.weights and same.factor_exposures == french.factor_exposures
    assert [e.factor for e in same.factor_exposures] == ["Mkt-RF", "SMB", "HML"]  # no RF


def wild_copy(folder: Path, after: date) -> Path:
    """The sample factor file with absurd returns on every row after ``after``."""
    folder.mkdir()
    lines = SAMPLE_FACTORS.read_text().splitlines()
    stamp = after.strftime("%Y%m%d")
    out = [f"{ln[:8]},  90.00, -80.00,  70.00, 0.002" if ln[:8].isdigit() and ln[:8] > stamp
           else ln for ln in lines]
    (folder / "ff.csv").write_text("\n".join(out) + "\n")
    return folder / "ff.csv"


def test_factor_rows_after_the_as_of_date_are_never_read(demo_store: Store,
                                                          tmp_path: Path) -> None:
    wild_copy(tmp_path / "wild", AS_OF)
    (tmp_path / "clean").mkdir()
    (tmp_path / "clean" / "ff.csv").write_text(SAMPLE_FACTORS.read_text())
    limits = {"Mkt-RF": [0.9, 1.0]}
    clean, wild = (build_model(demo_store, stock_spec("ff.csv", tmp_path / d, limits=limits),
                               dry_run=True) for d in ("clean", "wild"))
    assert clean == wild and clean.window_end == AS_OF
    wild_copy(tmp_path / "early", date(2020, 3, 31))  # wild rows inside the window do matter
    early = build_model(demo_store, stock_spec("ff.csv", tmp_path / "early", limits=limits),
                        dry_run=True)
    assert early.factor_exposures != clean.factor_exposures


def test_a_file_lacking_dates_names_the_file_and_the_dates(demo_store: Store,
                                                           tmp_path: Path) -> None:
    lines = SAMPLE_FACTORS.read_text().splitlines()
    short = tmp_path / "short.csv"
    short.write_text("\n".join(ln for ln in lines if not ln[:8].isdigit()
                               or ln[:8] <= "20200331") + "\n")
    with pytest.raises(DataError) as info:
        build_model(demo_store, stock_spec(short), dry_run=True)
    assert str(info.value) == (
        f"{short}: no factor returns on 63 of the 500 return dates: 2020-04-01..2020-06-30 "
        "(the window's return dates run 2018-07-06..2020-06-30); its rows up to 2020-06-30 run "
        "2017-01-03..2020-03-31")
    holes = tmp_path / "holes.csv"
    holes.write_text("\n".join(ln for ln in lines if ln[:8] not in (
        "20200115", "20200116", "20200302")) + "\n")
    r = build_model(demo_store, stock_spec(holes), dry_run=True)
    assert r.estimators[-1] == (
        "factors: Mkt-RF, SMB, HML from holes.csv, 497 dates (the file lacks 3 of the 500 "
        "return dates: 2020-01-15..2020-01-16, 2020-03-02)")
    with pytest.raises(DataError, match=r"no factor Mom; the file has Mkt-RF, SMB, HML, RF"):
        build_model(demo_store, stock_spec(SAMPLE_FACTORS, columns=["Mom"]), dry_run=True)
    with pytest.raises(ConfigError, match=r"factors: Mom not in .*ff3_daily_2017_2021.csv \(its "
                       r"factors: Mkt-RF, SMB, HML\)"):
        build_model(demo_store, stock_spec(SAMPLE_FACTORS, limits={"Mom": [0, 1]}),
                    dry_run=True)
