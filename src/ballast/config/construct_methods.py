"""The estimators and optimizer methods a construction spec can name (see
docs/model_building.md). A bare name stands for the method with its defaults: ``hrp`` is
``{name: hrp}``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    ValidationInfo,
    model_validator,
)

from ballast.config.models import Fraction, Instrument

Positive = Annotated[float, Field(gt=0)]


class Strict(BaseModel):
    """Frozen, and unknown fields are errors."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def _tagged(value: Any) -> Any:
    """``"ewma"`` is short for ``{name: ewma}``."""
    return {"name": value} if isinstance(value, str) else value


class Historical(Strict):
    """Mean historical return, compounded (CAGR) or arithmetic."""

    name: Literal["historical"]
    compounding: bool = True


class Capm(Strict):
    """CAPM return from each asset's beta to ``market`` (an instrument with prices)."""

    name: Literal["capm"]
    market: Instrument
    risk_free_rate: float = 0.0


class SampleCov(Strict):
    name: Literal["sample"]


class LedoitWolfCov(Strict):
    name: Literal["ledoit_wolf"]


class EwmaCov(Strict):
    name: Literal["ewma"]
    span: float = Field(180.0, ge=1)


class FactorCov(Strict):
    """Factor-model covariance on the returns of ``factors`` (instruments), or, when none are
    named, on the spec's factor file."""

    name: Literal["factor"]
    factors: tuple[Instrument, ...] = ()


Returns = Annotated[Historical | Capm, Discriminator("name"), BeforeValidator(_tagged)]
Covariance = Annotated[SampleCov | LedoitWolfCov | EwmaCov | FactorCov, Discriminator("name"),
                       BeforeValidator(_tagged)]


class Estimators(Strict):
    expected_returns: Returns = Historical(name="historical")
    covariance: Covariance = LedoitWolfCov(name="ledoit_wolf")


class Tilt(Strict):
    """An exposure held within ``tolerance`` of ``target``."""

    target: float
    tolerance: float = Field(0.0, ge=0)


class FactorFile(Strict):
    """Factor returns from ``file`` (a French CSV or ``date,<factor>,...``), relative to the
    spec's folder: ``columns`` (default all but ``RF``), with exposure ``limits`` and
    ``tilts`` by factor."""

    file: str = Field(min_length=1)
    columns: tuple[str, ...] | None = Field(None, min_length=1)
    limits: dict[str, tuple[float, float]] = Field(default_factory=dict)
    tilts: dict[str, Tilt] = Field(default_factory=dict)
    _path: Path = PrivateAttr(default_factory=Path)

    @model_validator(mode="after")
    def _resolve(self, info: ValidationInfo) -> FactorFile:
        folder = (info.context or {}).get("folder") or Path()
        self._path = Path(folder) / self.file
        return self

    @property
    def path(self) -> Path:
        """The file, resolved against the folder of the spec that names it."""
        return self._path

    def bounds(self, factor: str) -> tuple[float, float]:
        """The exposure range of ``factor`` (±inf: no limit)."""
        if factor in self.tilts:
            t = self.tilts[factor]
            return t.target - t.tolerance, t.target + t.tolerance
        return self.limits.get(factor, (-float("inf"), float("inf")))


class MinVariance(Strict):
    name: Literal["min_variance"]


class MaxSharpe(Strict):
    name: Literal["max_sharpe"]
    risk_free_rate: float = 0.0


class EfficientReturn(Strict):
    name: Literal["efficient_return"]
    target: float


class EfficientRisk(Strict):
    name: Literal["efficient_risk"]
    target: Positive


class MeanCvar(Strict):
    name: Literal["mean_cvar"]
    confidence: float = Field(0.95, gt=0, lt=1)
    target: float | None = None


class RiskParity(Strict):
    name: Literal["risk_parity"]
    budgets: dict[str, Positive] | None = None


class Hrp(Strict):
    name: Literal["hrp"]
    linkage: Literal["single", "complete", "average", "weighted", "ward"] = "single"


class View(Strict):
    """``Σ assets[a] · return(a) = return``, held with ``confidence`` (Idzorek)."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    assets: dict[str, float] = Field(min_length=1)
    expected: float = Field(alias="return")
    confidence: Fraction | None = None


class BlackLitterman(Strict):
    name: Literal["black_litterman"]
    market_weights: dict[str, Positive] = Field(min_length=1)
    views: tuple[View, ...] = Field(min_length=1)
    risk_aversion: Positive | None = None
    market: Instrument | None = None
    tau: float = Field(0.05, gt=0, le=1)
    risk_free_rate: float = 0.0


class VolTarget(Strict):
    name: Literal["vol_target"]
    target: Positive
    leverage_cap: float = Field(1.0, gt=0, le=1)
    reserve: str | None = None
    risky: Literal["risk_parity", "hrp", "min_variance", "equal"] = "risk_parity"


class DirectIndex(Strict):
    name: Literal["direct_index"]
    benchmark: dict[str, Positive] = Field(min_length=1)
    max_names: int = Field(ge=1)
    exclude: tuple[str, ...] = ()
    sector_caps: dict[str, Fraction] = Field(default_factory=dict)


Method = Annotated[
    MinVariance | MaxSharpe | EfficientReturn | EfficientRisk | MeanCvar | RiskParity | Hrp
    | BlackLitterman | VolTarget | DirectIndex, Discriminator("name"), BeforeValidator(_tagged)]
UNCONSTRAINED = ("risk_parity", "hrp", "vol_target")
