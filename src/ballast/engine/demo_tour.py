"""The rest of ``ballast demo`` once the book is built: the firm's rules, one full daily cycle
on the paper broker (proposals, compliance, approvals, simulated execution, bookings,
reconciliation), the quarter's statements of a few households and the firm report, and a short
backtest of four policies side by side — everything written under one folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ballast.config.backtest import load_backtest
from ballast.config.cycle import CycleConfig, Environment
from ballast.engine.backtest import BacktestResult, run_backtest, write_results
from ballast.engine.check import import_rules
from ballast.engine.cycle import CycleReport, latest_session, run_cycle
from ballast.engine.firm_report import build_firm_report, write_firm_report
from ballast.engine.progress import Steps
from ballast.engine.report_schedule import Frequency, last_closed
from ballast.engine.statement_batch import BatchItem, write_statements
from ballast.engine.statements import DEFAULT_FIRM
from ballast.sample import sample_models_path
from ballast.store import Store

STATEMENT_HOUSEHOLDS = 6  # the rest: `ballast report statement --all`


def sample_rules_path() -> Path:
    """The demo firm's compliance rules."""
    return sample_models_path().parent / "rules" / "firm.yaml"


def sample_backtest_path() -> Path:
    """The demo backtest spec (the shipped sample prices, four policies)."""
    return sample_models_path().parent / "backtests" / "demo.yaml"


@dataclass(frozen=True, slots=True)
class Tour:
    """What the tour did and where it wrote it."""

    folder: Path
    cycle: CycleReport
    period: str
    statements: tuple[Path, ...]
    firm_report: tuple[Path, ...]
    backtest: BacktestResult


def run_tour(store: Store, folder: Path, *, steps: Steps | None = None,
             households: int = STATEMENT_HOUSEHOLDS) -> Tour:
    """Run the tour on the demo book in ``store``, writing under ``folder``."""
    steps = steps or Steps(False)
    folder.mkdir(parents=True, exist_ok=True)
    steps.phase("loading the firm's compliance rules")
    import_rules(store, [sample_rules_path()])
    session = latest_session(store)
    steps.phase(f"running the daily cycle of {session} on the paper broker")
    cycle = run_cycle(store, CycleConfig(environment=Environment.PAPER,
                                         broker_state=folder / "paper-broker.sqlite"), session)
    period = last_closed(Frequency.QUARTERLY, session)
    steps.phase(f"writing {period.label} statements and the firm report")
    with store.transaction() as tx:
        chosen = sorted(str(h.id) for h in tx.households())[:households]
    out = folder / "statements"
    written = write_statements(store.url, period, [BatchItem(household=h) for h in chosen],
                               out, firm=DEFAULT_FIRM, workers=2)
    firm = write_firm_report(build_firm_report(store, period), out)
    steps.phase("backtesting four policies on the sample prices")
    spec = sample_backtest_path()
    result = run_backtest(load_backtest(spec), spec.parent)
    write_results(result, folder / "backtest")
    return Tour(folder, cycle, period.label, tuple(p for w in written for p in w.files),
                tuple(firm), result)


__all__ = ["Tour", "run_tour", "sample_backtest_path", "sample_rules_path"]
