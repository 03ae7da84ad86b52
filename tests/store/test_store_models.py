"""Model versions round-trip on both backends: newest first, one row per version."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import inspect

from ballast.store import Store
from ballast.store.db import MIGRATIONS

V1 = "name: growth\ntargets: [{instrument: SPY, target: 1}]\n"
V2 = "name: growth\ntargets: [{instrument: QQQ, target: 1}]\n"
INCOME = "name: income\ntargets: [{instrument: KO, target: 1}]\n"


def test_versions_round_trip_newest_first(store: Store) -> None:
    with store.transaction() as tx:
        assert tx.latest_models() == {}
        assert tx.add_model_version("growth", "aaaaaaaaaaaa", V1)
        assert not tx.add_model_version("growth", "aaaaaaaaaaaa", V1)
        assert tx.add_model_version("income", "cccccccccccc", INCOME)
    with store.transaction() as tx:
        assert tx.add_model_version("growth", "bbbbbbbbbbbb", V2)
    with store.transaction() as tx:
        versions = tx.model_versions("growth")
        assert [(v.name, v.version, v.text) for v in versions] == [
            ("growth", "bbbbbbbbbbbb", V2), ("growth", "aaaaaaaaaaaa", V1)]
        assert versions[0].loaded_at > versions[1].loaded_at
        assert versions[0].loaded_at.tzinfo is not None
        assert [v.version for v in tx.model_versions()] == [
            "bbbbbbbbbbbb", "cccccccccccc", "aaaaaaaaaaaa"]
        assert tx.latest_models() == {"growth": V2, "income": INCOME}


def test_reloading_an_older_version_makes_it_the_latest_again(store: Store) -> None:
    with store.transaction() as tx:
        tx.add_model_version("growth", "aaaaaaaaaaaa", V1)
        tx.add_model_version("growth", "bbbbbbbbbbbb", V2)
        assert not tx.add_model_version("growth", "aaaaaaaaaaaa", V1)
        assert tx.latest_models() == {"growth": V1}
        assert [v.version for v in tx.model_versions("growth")] == [
            "aaaaaaaaaaaa", "bbbbbbbbbbbb"]


def test_a_failed_unit_of_work_stores_no_version(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.add_model_version("growth", "aaaaaaaaaaaa", V1)
        raise RuntimeError("boom")
    with store.transaction() as tx:
        assert tx.model_versions() == []


def test_0003_downgrades_to_no_model_versions(store: Store) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with store.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0002")
    assert "model_versions" not in inspect(store.engine).get_table_names()
    store.migrate()
    assert "model_versions" in inspect(store.engine).get_table_names()
