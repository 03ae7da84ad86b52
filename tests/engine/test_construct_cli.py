"""``ballast model build`` and ``ballast risk`` as a user meets them: reports, JSON, help, and
errors through the CLI's error path (one line, a hint, exit code 1)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from ballast.cli import app
from ballast.sample import sample_models_path
from ballast.store import Store

SAMPLE = sample_models_path().parent / "specs" / "min_variance.yaml"
FACTORS = sample_models_path().parent / "factors" / "ff3_daily_2017_2021.csv"


def run(store: Store, *args: str) -> str:
    result = CliRunner().invoke(app, list(args), env={"BALLAST_DATABASE_URL": store.url,
                                                      "COLUMNS": "200"})
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def spec_file(tmp_path: Path, **changes: object) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump({**yaml.safe_load(SAMPLE.read_text()), **changes}))
    return path


def test_help_texts(demo_store: Store) -> None:
    build = run(demo_store, "model", "build", "--help")
    for text in ("--as-of", "--dry-run", "YYYY-MM-DD", "0.0001", "infeasible spec"):
        assert text in build
    risk = run(demo_store, "risk", "--help")
    for text in ("--account", "--household", "--model", "--benchmark", "--duration",
                 "--durations", "--factors", "Cornish-Fisher", "largest holding"):
        assert text in risk


def test_build_dry_run_prints_the_report(demo_store: Store) -> None:
    before = run(demo_store, "models", "list", "--json")
    out = run(demo_store, "model", "build", str(SAMPLE), "--dry-run")
    for text in ("model build", "2018-03-29 → 2021-03-31 (756 daily returns)", "Ledoit-Wolf",
                 "min variance", "health_care", "JNJ, UNH, MRK", "risk share", "cash",
                 "expected return", "volatility", "dry run, not stored"):
        assert text in out
    assert run(demo_store, "models", "list", "--json") == before


def test_build_writes_a_version(demo_store: Store, tmp_path: Path) -> None:
    path = spec_file(tmp_path, name="low_vol")
    report = json.loads(run(demo_store, "model", "build", str(path), "--as-of", "2020-12-31",
                            "--json"))
    assert (report["model"], report["new_version"], report["as_of"]) == (
        "low_vol", True, "2020-12-31")
    models = json.loads(run(demo_store, "models", "list", "--json"))
    assert {"model": "low_vol", "version": report["version"]} in models
    again = run(demo_store, "model", "build", str(path), "--as-of", "2020-12-31")
    assert f"low_vol version {report['version']} is already stored" in again


def test_risk_prints_figures_and_the_stress_table(demo_store: Store) -> None:
    out = run(demo_store, "risk", "--account", "HH001-TAX")
    for text in ("risk of account HH001-TAX", "beta", "tracking error", "max drawdown",
                 "VaR 95%", "CVaR 99%", "cornish_fisher", "monte_carlo", "risk share",
                 "COVID", "not covered", "equity -20%", "rates +100bp", "-50%"):
        assert text in out
    data = json.loads(run(demo_store, "risk", "--model", "growth", "--lookback", "250",
                          "--benchmark", "QQQ", "--duration", "SPY=0", "--json"))
    assert (data["subject"], data["benchmark"], data["sessions"]) == ("model growth", "QQQ", 250)
    assert [s["covered"] for s in data["stress"]][:5] == [False, False, False, True, False]


def test_factors_in_the_build_and_the_risk_report(demo_store: Store) -> None:
    out = run(demo_store, "model", "build", str(SAMPLE.with_name("factor_tilt.yaml")),
              "--dry-run")
    for text in ("factor exposures (Bᵀw)", "Mkt-RF", "[0.9, 1.05]", "HML",
                 "[0.05, 0.15]", "factors: Mkt-RF, SMB, HML from ff3_daily_2017_2021.csv"):
        assert text in out
    out = run(demo_store, "risk", "--model", "growth", "--factors", str(FACTORS))
    for text in ("factor betas (ff3_daily_2017_2021.csv, 756 dates)", "Mkt-RF", "SMB",
                 "alpha/year", "r²", "resid. vol"):
        assert text in out
    data = json.loads(run(demo_store, "risk", "--model", "growth", "--factors", str(FACTORS),
                          "--json"))
    assert [name for name, _ in data["factors"]["betas"]] == ["Mkt-RF", "SMB", "HML"]


def test_durations_from_a_file_and_the_flag(demo_store: Store, tmp_path: Path) -> None:
    (tmp_path / "d.yaml").write_text("QQQ: 5\nMSFT: 1\n")
    (tmp_path / "d.csv").write_text("symbol,duration\nQQQ,5\n")

    def rates(*args: str) -> float:
        data = json.loads(run(demo_store, "risk", "--model", "growth", "--json", *args))
        [loss] = [s["loss_fraction"] for s in data["stress"] if s["name"] == "rates +100bp"]
        return float(loss)

    # growth holds QQQ 30% and MSFT 24%
    assert rates("--durations", str(tmp_path / "d.yaml")) == pytest.approx(0.3 * 0.05 + 0.0024)
    assert rates("--durations", str(tmp_path / "d.csv")) == pytest.approx(0.015)
    assert rates("--durations", str(tmp_path / "d.csv"), "--duration", "QQQ=2") == \
        pytest.approx(0.006)


def test_errors_are_one_line_and_a_hint(demo_store: Store, tmp_path: Path) -> None:
    env = {**os.environ, "BALLAST_DATABASE_URL": demo_store.url, "COLUMNS": "200"}

    def ballast(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "ballast", *args], capture_output=True,
                              text=True, env=env, timeout=120, check=False)

    bad = spec_file(tmp_path, method={"name": "efficient_risk"}, lookback_days=5)
    out = ballast("model", "build", str(bad))
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert f"{bad}: balanced: lookback_days: Input should be greater than or equal to 20" \
        in out.stderr
    assert f"{bad}: balanced: method.target: required" in out.stderr
    assert "hint: Check the configuration value" in out.stderr
    infeasible = spec_file(tmp_path, constraints={"min_weight": 0.2})
    out = ballast("model", "build", str(infeasible), "--dry-run")
    assert out.returncode == 1 and "weight bounds conflict with the budget" in out.stderr
    out = ballast("risk", "--model", "growth", "--duration", "IEF")
    assert out.returncode == 1 and "--duration 'IEF' is not SYMBOL=YEARS" in out.stderr
