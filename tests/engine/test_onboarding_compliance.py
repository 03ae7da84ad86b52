"""The suitability record flows into compliance: `ballast check` catches a model chosen above
the client's stored risk score (with a compliance override at onboarding), while a rule set
that names the account still wins over the stored score."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ballast.cli import app
from ballast.engine import onboarding
from ballast.engine.imports import ImportKind, import_file
from ballast.engine.rebalance import import_models, rebalance
from ballast.engine.workspace import open_store
from ballast.sample import sample_instruments_path, sample_models_path
from ballast.security import SecretBox, new_key
from ballast.store import Store

from .test_onboarding import CORA, application

FIRM = sample_models_path().parent / "rules" / "firm.yaml"
WAIVER = "client insists on growth, waiver signed"
DAYS = ("2021-01-04", "2021-01-05")


@pytest.fixture
def book(store_url: str, tmp_path: Path) -> Iterator[Store]:
    """Sample instruments at 100.00 on two days, the demo models, and H9 onboarded by
    compliance with growth (level 5) on H9-IRA against a risk score of 4; cash in both accounts,
    and a rebalance run."""
    store = open_store(store_url)
    try:
        import_file(store, ImportKind.INSTRUMENTS, sample_instruments_path())
        import_models(store, [sample_models_path()])
        symbols = [line.split(",")[0] for line in sample_instruments_path().read_text(
            encoding="utf-8").splitlines()[1:] if line]
        prices = tmp_path / "prices.csv"
        prices.write_text("date,symbol,close\n" + "".join(
            f"{d},{s},100.00\n" for d in DAYS for s in symbols), encoding="utf-8")
        import_file(store, ImportKind.PRICES, prices)
        onboarding.onboard(store, application(f"override_reason: {WAIVER}\n", **{
            "model: conservative": "model: growth"}), CORA, box=SecretBox(new_key()))
        deposits = tmp_path / "transactions.csv"
        deposits.write_text("id,account_id,date,kind,symbol,quantity,price,amount,fees\n"
                            "D1,H9-TAX,2021-01-04,deposit,,,,100000.00,\n"
                            "D2,H9-IRA,2021-01-04,deposit,,,,100000.00,\n", encoding="utf-8")
        import_file(store, ImportKind.TRANSACTIONS, deposits)
        assert rebalance(store).run_id is not None
        yield store
    finally:
        store.close()


def suitability_violations(store: Store, rules: Path) -> dict[str, list[str]]:
    env = {"BALLAST_DATABASE_URL": store.url, "COLUMNS": "200"}
    out = CliRunner().invoke(app, ["check", "--json", "--rules", str(rules)], env=env)
    assert out.exit_code == 0, out.output
    return {d["account"]: [v["explanation"] for v in d["violations"]
                           if v["kind"] == "suitability"]
            for d in json.loads(out.output)["decisions"]}


def test_check_uses_the_stored_risk_score(book: Store) -> None:
    found = suitability_violations(book, FIRM)
    assert found["H9-IRA"] == ["model growth has risk level 5, above the risk score 4 of "
                               "H9-IRA: the model is not suitable for the account"]
    assert found["H9-TAX"] == []  # balanced, level 4: suitable for 4


def test_rule_set_naming_the_account_wins(book: Store, tmp_path: Path) -> None:
    rules = tmp_path / "firm.yaml"
    rules.write_text(FIRM.read_text(encoding="utf-8").replace(
        "    HH003-TAX: 2\n", "    HH003-TAX: 2\n    H9-IRA: 5\n    H9-TAX: 3\n"),
        encoding="utf-8")
    found = suitability_violations(book, rules)
    assert found["H9-IRA"] == []
    assert found["H9-TAX"] == ["model balanced has risk level 4, above the risk score 3 of "
                               "H9-TAX: the model is not suitable for the account"]
