"""The firm report on the demo book, checked against the book read another way: each account's
drift recomputed from its weights (engine.weights) and its model's sleeves, assets from the
snapshot, trades and harvested losses from the stored transactions and gains."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest

from ballast.config.models import resolve
from ballast.engine.firm_report import DRIFT_EDGES, build_firm_report, write_firm_report
from ballast.engine.period import parse_period
from ballast.engine.queries import snapshot
from ballast.engine.statements import Format
from ballast.engine.weights import book_holdings, stored_models
from ballast.store import Store

Q1_2020 = parse_period("2020Q1", today=date(2021, 3, 31))


def _expected_drift(store: Store, account: str, model: str) -> float:
    with store.transaction() as tx:
        spec = resolve(model, stored_models(tx))
    held = book_holdings(store, account=account, as_of=Q1_2020.end)
    weight = dict(zip(held.instruments, held.weights, strict=True))
    gaps = [abs(sum(weight.pop(i, 0.0) for i in s.instruments) - s.target)
            for s in spec.sleeves]
    cash = 1.0 - float(held.weights.sum())
    return 0.5 * (sum(gaps) + sum(abs(w) for w in weight.values())
                  + abs(cash - spec.cash_target))


def test_firm_report_agrees_with_the_book(demo_store: Store, tmp_path: Path) -> None:
    r = build_firm_report(demo_store, Q1_2020, firm="Harbor & Pine", generated=date(2020, 4, 2))
    with demo_store.transaction() as tx:
        accounts = tx.accounts()
        txns = tx.transactions(until=Q1_2020.end, since=Q1_2020.start)
        gains = tx.gains(since=Q1_2020.start, until=Q1_2020.end)
    drifts = sorted(_expected_drift(demo_store, a.id, a.model) for a in accounts.values())
    expected = np.bincount(np.searchsorted(DRIFT_EDGES, drifts, side="right"),
                           minlength=len(DRIFT_EDGES) + 1)
    assert [b.accounts for b in r.drift] == expected.tolist()
    assert r.median_drift == pytest.approx(float(np.median(drifts)), abs=1e-12)

    snap = snapshot(demo_store, as_of=Q1_2020.end)
    assert r.end_value == pytest.approx(float(snap.account_value.sum()), rel=1e-9)
    assert sum(c.accounts for c in r.composites) == len(accounts) == r.accounts
    assert sum(c.value for c in r.composites) == pytest.approx(r.end_value, rel=1e-9)
    assert (r.buys, r.sells) == (sum(t.kind.value == "buy" for t in txns),
                                 sum(t.kind.value == "sell" for t in txns))
    assert r.harvested == sum((-g.reportable_gain for g in gains if g.reportable_gain < 0),
                              Decimal(0))

    pdf, html = write_firm_report(r, tmp_path, Format.BOTH)
    text = " ".join(" ".join(p.get_textpage().get_text_range()
                             for p in pdfium.PdfDocument(pdf)).split())
    assert "Firm report · 2020Q1" in text and "DRIFT FROM TARGET" in text
    assert f"{r.buys} {r.sells}" in text
    assert "<svg" in html.read_text(encoding="utf-8")
