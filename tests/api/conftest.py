"""A small book served by the API on each backend: three accounts, a rebalance run proposed by
``tom`` that compliance checked (H1-IRA and H1-TAX approved, H2-TAX denied), and one user per
role with an API token each."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ballast.api import create_app
from ballast.engine import approvals, users
from ballast.engine.imports import ImportKind, import_file
from ballast.engine.workspace import open_store
from ballast.sample import sample_instruments_path
from ballast.security import hash_password
from ballast.store import AccountProposal, ProposedTrade, Store
from ballast.store.compliance import StoredDecision, StoredViolation

FILES = {
    "instruments": """symbol,kind,currency,name,asset_class,sector
AAPL,equity,USD,Apple Inc.,us_equity,Information Technology
XOM,equity,USD,Exxon Mobil,us_equity,Energy
VTI,etf,USD,Vanguard Total Stock Market,us_equity,
""",
    "households": """household_id,name
H1,Smith family
H2,Jones family
""",
    "accounts": """account_id,household_id,name,type,base_currency,custodian,model,lot_method
H1-TAX,H1,Smith joint,taxable,USD,Schwab,growth,fifo
H1-IRA,H1,Smith IRA,tax_deferred,USD,Schwab,growth,fifo
H2-TAX,H2,Jones joint,taxable,USD,Fidelity,balanced,hifo
""",
    "prices": """date,symbol,close
2021-01-04,AAPL,129.41
2021-01-04,XOM,41.50
2021-01-04,VTI,193.86
2021-01-05,AAPL,131.01
2021-01-05,XOM,43.50
2021-01-05,VTI,195.40
""",
    "transactions": """id,account_id,date,kind,symbol,quantity,price,amount,fees
T1,H1-TAX,2020-01-02,deposit,,,,100000.00,
T2,H1-TAX,2020-01-03,buy,AAPL,100,75.00,,1.00
T3,H1-TAX,2020-02-03,buy,XOM,200,60.00,,1.00
T4,H2-TAX,2020-01-02,deposit,,,,50000.00,
T5,H2-TAX,2020-03-02,buy,VTI,100,150.00,,
T6,H1-TAX,2020-06-01,sell,XOM,100,45.00,,1.00
T7,H1-IRA,2020-01-02,deposit,,,,20000.00,
""",
}
AS_OF = date(2021, 1, 5)
D = Decimal
Z = D(0)
# (account, side, quantity, instrument, estimated value): H1-IRA trades 1,310.10 + 977.00,
# H1-TAX 3,930.30 + 1,740.00, H2-TAX 2,620.20.
TRADES = [("H1-IRA", "buy", 10, "AAPL", D("1310.10")), ("H1-IRA", "buy", 5, "VTI", D("977.00")),
          ("H1-TAX", "buy", 30, "AAPL", D("3930.30")), ("H1-TAX", "sell", 40, "XOM",
                                                        D("-1740.00")),
          ("H2-TAX", "buy", 20, "AAPL", D("2620.20"))]
ROLES = {"ada": ["admin"], "pam": ["portfolio_manager"], "tom": ["trader", "portfolio_manager"],
         "tina": ["trader"], "cora": ["compliance"], "vic": ["viewer"]}
PASSWORD = "correct horse battery"
HASH = hash_password(PASSWORD)  # once: argon2 is slow on purpose


@dataclass
class Api:
    """The client, the store, the run id and each user's bearer token."""

    client: TestClient
    store: Store
    run: int
    tokens: dict[str, str]

    def auth(self, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[user]}"}


def load_book(store: Store, folder: Path) -> int:
    """Import the small book, store the run proposed by tom and its compliance check."""
    for kind, text in FILES.items():
        path = folder / f"{kind}.csv"
        path.write_text(text, encoding="utf-8")
        import_file(store, ImportKind(kind), path, today=date(2021, 1, 6))
    accounts = sorted({t[0] for t in TRADES})
    with store.transaction() as tx:
        run = tx.add_rebalance_run(AS_OF, "snap", "policy", [
            AccountProposal(a, "trade", "growth", "v1", "sleeve out of band", D("25000"), Z, Z,
                            D("0.08"), D("0.01"), Z, Z) for a in accounts], [
            ProposedTrade(a, i, side, D(q), value / q, value, Z, "equity", "", Z, Z,
                          f"{side} {q} {i}: back to the model", "USD", None, None)
            for a, side, q, i, value in TRADES])
        check = tx.add_check(run, ["firm:1"], [StoredDecision(a, a != "H2-TAX", "[]")
                                               for a in accounts], [
            StoredViolation("H2-TAX", "max-aapl", "firm", "max_weight", "block", "AAPL", 0.31,
                            0.25, (1,), "AAPL would be 31% of H2-TAX, over the 25% limit")])
        assert check
        now = datetime.now(UTC)
        for name, roles in ROLES.items():
            tx.add_user(name, HASH, tuple(roles), now)
    approvals.record_proposer(store, run, "tom")
    return run


def import_sample_instruments(store: Store, folder: Path) -> None:
    """Import the sample instruments the API book lacks (all but AAPL and XOM, which it has)."""
    lines = sample_instruments_path().read_text(encoding="utf-8").splitlines(keepends=True)
    missing = folder / "more_instruments.csv"
    missing.write_text("".join([lines[0], *(line for line in lines[1:]
                                            if line.split(",")[0] not in ("AAPL", "XOM"))]),
                       encoding="utf-8")
    import_file(store, ImportKind.INSTRUMENTS, missing)


@contextmanager
def served(store_url: str, folder: Path) -> Iterator[Api]:
    """The small book in a new store at ``store_url``, served in-process; closed on exit."""
    store = open_store(store_url)
    try:
        run = load_book(store, folder)
        tokens = {name: users.create_token(store, name, actor="ada", label="tests").token
                  for name in ROLES}
        with TestClient(create_app(store), raise_server_exceptions=False) as client:
            yield Api(client, store, run, tokens)
    finally:
        store.close()


@pytest.fixture
def api(store_url: str, tmp_path: Path) -> Iterator[Api]:
    with served(store_url, tmp_path) as api:
        yield api


def journal_kinds(store: Store) -> list[tuple[str, str, str]]:
    """(kind, actor, rationale) of every journal entry, oldest first."""
    with store.transaction() as tx:
        return [(e.kind, e.actor, e.rationale) for e in tx.audit_entries()]


def maker_checker(store: Store, threshold: str | None = None) -> None:
    """Store a maker-checker policy (with an auto-approval threshold) as cora."""
    text = "mode: maker_checker\n" + (f"auto_approve_below: {threshold}\n" if threshold else "")
    approvals.set_policy(store, text, actor="cora", reason="firm policy")


__all__ = ["AS_OF", "PASSWORD", "ROLES", "Api", "journal_kinds", "maker_checker", "served"]
