"""The demo models shipped with the package: they load, resolve, sum to 1, use only sample
instruments, and cover the models the demo accounts are assigned."""

from __future__ import annotations

import csv
from importlib import resources
from pathlib import Path

import pytest

from ballast.config.models import check_instruments, load_models, resolve_all
from ballast.sample.generate import MODELS, sample_instruments_path

MODELS_DIR = Path(str(resources.files("ballast.sample").joinpath("models")))


def test_the_demo_models_resolve_on_sample_instruments() -> None:
    library = load_models(MODELS_DIR)
    assert sorted(library) == ["balanced", "conservative", "growth"] == sorted(MODELS)
    with sample_instruments_path().open(newline="") as f:
        known = {row["symbol"] for row in csv.DictReader(f)}
    cash = {"growth": 0.02, "balanced": 0.03, "conservative": 0.10}
    for name, model in resolve_all(library).items():
        check_instruments(model, known)
        assert model.cash_target == cash[name]
        assert model.cash_target + sum(s.target for s in model.sleeves) == pytest.approx(1.0)
        for sleeve in model.sleeves:
            assert 2 <= len(sleeve.instruments) <= 4, (name, sleeve.name)
            assert (sleeve.band_absolute, sleeve.band_relative) == (0.05, 0.25)
