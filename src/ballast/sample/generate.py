"""A deterministic sample book of record built on the shipped real prices and models.

Households own one to four accounts (a joint taxable account, IRAs, a Roth IRA), all following
the household's model (src/ballast/sample/models). Each account is funded in 2017–2018 and
invested in the model's sleeves at their targets, mostly through each sleeve's first instrument,
sometimes its second; a few taxable accounts also keep one or two transferred-in stocks outside
the model. Later deposits and contributions go to the underweight sleeves, withdrawals are raised
from the overweight ones, an advisor's occasional review rebalances a drifted account, and
taxable accounts harvest an occasional loss into the sleeve's alternate. Trading stops at the end
of 2020, so the book drifts with the market in 2021. Trades are in whole shares at the real raw
close of a real session, never spending cash the account does not have (dividends included) and
never selling more than it holds. Dividends and splits are not written: the engine derives them
from the price file.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal
from importlib import resources
from pathlib import Path

from ballast.config.models import ResolvedModel, load_models, resolve_all
from ballast.domain import AccountType, LotMethod, TransactionKind
from ballast.sample.trading import Account, Prices

ACTIVITY_END = date(2020, 12, 31)  # the book trades until here; prices run a quarter longer
FUNDING = (date(2017, 1, 3), date(2018, 12, 31))  # accounts are opened and invested then
LEGACY_SHARE = 0.15  # of taxable accounts, which also hold one or two stocks outside the model
ALTERNATE_SHARE = 0.2  # of sleeves an account buys through the sleeve's second instrument
REBALANCE_PULL = Decimal("0.5")  # of an above-band sleeve's excess a review sells
IDLE_CASH = Decimal("0.01")  # cash over target worth investing between reviews
HARVEST_LOSS = Decimal("0.2")  # a taxable holding this far under its cost may be harvested

HOUSEHOLD_HEADER = ("household_id", "name")
ACCOUNT_HEADER = (
    "account_id", "household_id", "name", "type", "base_currency", "custodian", "model",
    "lot_method", "allow_shorts", "allow_margin", "do_not_buy", "do_not_sell", "excluded",
)
TRANSACTION_HEADER = (
    "id", "account_id", "date", "kind", "symbol", "quantity", "price", "amount", "currency",
    "fees", "ratio", "new_symbol", "lots", "lot_method", "reinvest", "to_currency", "to_amount",
    "counter_account", "settle_date", "memo",
)
SURNAMES = (
    "Abbott", "Alvarez", "Bennett", "Brooks", "Carter", "Chen", "Cohen", "Dawson", "Diaz",
    "Edwards", "Ellis", "Fischer", "Foster", "Garcia", "Gupta", "Hansen", "Harper", "Hayes",
    "Ibrahim", "Jensen", "Kaplan", "Kim", "Kowalski", "Larsen", "Lopez", "Mancini", "Meyer",
    "Murphy", "Nakamura", "Nguyen", "Novak", "Okafor", "Olsen", "Patel", "Perez", "Quinn",
    "Ramos", "Reyes", "Rossi", "Sato", "Schmidt", "Shah", "Silva", "Sullivan", "Tanaka",
    "Thompson", "Torres", "Ueda", "Vargas", "Walsh", "Weber", "Wright", "Xu", "Yamamoto",
    "Young", "Zhang", "Ziegler", "Baker", "Lindqvist", "Moreau",
)
CUSTODIANS = ("Schwab", "Fidelity", "Pershing")
ETFS = frozenset({"SPY", "QQQ", "IWM"})
# The shipped models (src/ballast/sample/models) and how often a household follows each.
MODELS: dict[str, int] = {"growth": 35, "balanced": 40, "conservative": 25}
# (type, id suffix, name, probability, initial deposit range, makes yearly IRA contributions)
ACCOUNT_PLANS = (
    (AccountType.TAXABLE, "TAX", "Joint Taxable", 1.0, (25_000, 1_200_000), False),
    (AccountType.TAX_DEFERRED, "IRA", "Rollover IRA", 0.85, (15_000, 600_000), False),
    (AccountType.TAX_EXEMPT, "ROTH", "Roth IRA", 0.6, (8_000, 120_000), True),
    (AccountType.TAX_DEFERRED, "IRA2", "Spousal IRA", 0.35, (10_000, 250_000), True),
)
IRA_LIMIT = {2017: Decimal(5500), 2018: Decimal(5500), 2019: Decimal(6000), 2020: Decimal(6000)}


def sample_prices_path() -> Path:
    """The shipped real daily prices (``date,symbol,close,dividend,split_factor``, gzipped)."""
    return Path(str(resources.files(__package__).joinpath("prices.csv.gz")))


def sample_models_path() -> Path:
    """The folder of the shipped demo models (growth, balanced, conservative YAML)."""
    return Path(str(resources.files(__package__).joinpath("models")))


def sample_instruments_path() -> Path:
    """The shipped instruments of the sample prices, in ballast's instrument format."""
    return Path(str(resources.files(__package__).joinpath("instruments.csv")))


@dataclass(frozen=True, slots=True)
class BookFiles:
    """The CSV files written by :func:`generate_book` and how many records each holds."""

    households: Path
    accounts: Path
    transactions: Path
    household_count: int
    account_count: int
    transaction_count: int


def _money(rng: random.Random, low: int, high: int, step: int) -> Decimal:
    """A log-uniform amount in [low, high], rounded down to a multiple of ``step``."""
    value = low * (high / low) ** rng.random()
    return Decimal(int(value) // step * step)


def _picks(rng: random.Random, model: ResolvedModel, available: set[str]) -> dict[str, str]:
    """The instrument each sleeve is bought through: mostly the first, sometimes the second."""
    picks = {}
    for sleeve in model.sleeves:
        usable = [i for i in sleeve.instruments if i in available]
        alternate = len(usable) > 1 and rng.random() < ALTERNATE_SHARE
        picks[sleeve.name] = usable[1] if alternate else usable[0]
    return picks


def _harvest(acct: Account, prices: Prices, rng: random.Random, day: date) -> None:
    """Sell one model holding well under its cost and buy the sleeve's next instrument."""
    losers = sorted(
        s for s in acct.units if s in acct.sleeve_of
        and acct.value_of(prices, day, s) < acct.cost[s] * (1 - HARVEST_LOSS))
    if not losers:
        return
    symbol = rng.choice(losers)
    sleeve = next(s for s in acct.model.sleeves if s.name == acct.sleeve_of[symbol])
    others = [i for i in sleeve.instruments if i != symbol and (i, day) in prices.close]
    if not others:
        return
    proceeds = acct.sell(prices, day, symbol, acct.units[symbol] * prices.close[symbol, day],
                         "tax-loss harvest")
    acct.pick[sleeve.name] = others[0]
    acct.buy(prices, day, others[0], proceeds, "harvest replacement")


def _simulate(acct: Account, prices: Prices, rng: random.Random, initial: Decimal,
              contributes: bool, legacy: Sequence[str]) -> None:
    """Fund and invest the account by its model, then act every one to four months."""
    window = [d for d in prices.sessions
              if FUNDING[0] <= d <= FUNDING[1] and d not in prices.splits]
    day = rng.choice(window)
    acct.advance(prices, day)
    acct.cash_row(day, TransactionKind.DEPOSIT, initial, "initial funding")
    for symbol in legacy:  # transferred-in holdings the client keeps, outside the model
        budget = initial * Decimal(rng.randint(3, 7)) / 100
        acct.buy(prices, day, symbol, budget, "legacy holding (transferred in)")
    acct.invest(prices, day, "initial purchase")
    contributed = {day.year}
    while True:
        nxt = prices.session_on_or_after(day + timedelta(days=rng.randint(30, 120)))
        if nxt is None or nxt > ACTIVITY_END:
            return
        day = nxt
        acct.advance(prices, day)
        roll = rng.random()
        taxable = acct.type is AccountType.TAXABLE
        if contributes and day.year not in contributed:
            contributed.add(day.year)
            acct.cash_row(day, TransactionKind.DEPOSIT, IRA_LIMIT[day.year], "annual contribution")
            acct.invest(prices, day, "invest contribution")
        elif roll < 0.15 and taxable:
            amount = _money(rng, 2_000, 60_000, 500)
            acct.cash_row(day, TransactionKind.DEPOSIT, amount, "additional deposit")
            acct.invest(prices, day, "invest deposit")
        elif roll < (0.25 if taxable else 0.08):
            total = acct.total(prices, day)
            share = Decimal(rng.randint(2, 10)) / 100
            amount = (total * share).quantize(Decimal(1), ROUND_FLOOR)
            keep = Decimal(str(acct.model.cash_target)) * (total - amount)
            acct.raise_cash(prices, day, amount + keep - acct.cash, "raise cash for withdrawal")
            amount = min(amount, acct.cash.quantize(Decimal(1), ROUND_FLOOR))
            if amount > 0:
                acct.cash_row(day, TransactionKind.WITHDRAWAL, amount, "client withdrawal")
        if taxable and rng.random() < 0.2:
            _harvest(acct, prices, rng, day)
        if acct.drifted(prices, day):  # the advisor reviews drift at every activity date
            acct.rebalance(prices, day, "rebalance to model", REBALANCE_PULL)
        else:
            acct.invest(prices, day, "invest cash", IDLE_CASH)


def _legacy(rng: random.Random, acct: Account, available: set[str]) -> list[str]:
    """One or two stocks outside the model for about LEGACY_SHARE of taxable accounts."""
    if acct.type is not AccountType.TAXABLE or rng.random() >= LEGACY_SHARE:
        return []
    outside = sorted(available - set(acct.sleeve_of) - ETFS)
    return rng.sample(outside, rng.randint(1, 2))

def _write(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]]) -> int:
    count = 0
    with path.open("w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def generate_book(out_dir: Path, *, households: int = 60, seed: int = 7,
                  prices_path: Path | None = None) -> BookFiles:
    """Write ``households.csv``, ``accounts.csv`` and ``transactions.csv`` into ``out_dir``.

    The same seed and price file give byte-identical files.
    """
    prices = Prices.load(prices_path or sample_prices_path())
    models = resolve_all(load_models(sample_models_path()))
    rng = random.Random(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    household_rows: list[tuple[str, str]] = []
    account_rows: list[tuple[str, ...]] = []
    accounts: list[Account] = []
    available = {s for s, _ in prices.close}
    for n in range(1, households + 1):
        hid = f"HH{n:03d}"
        surname = SURNAMES[(n - 1) % len(SURNAMES)]
        family = surname if n <= len(SURNAMES) else f"{surname} {n}"
        household_rows.append((hid, f"{family} Family"))
        model = models[rng.choices(tuple(MODELS), tuple(MODELS.values()))[0]]
        custodian = rng.choice(CUSTODIANS)
        for kind, suffix, label, chance, (low, high), contributes in ACCOUNT_PLANS:
            if rng.random() >= chance:
                continue
            acct = Account(f"{hid}-{suffix}", kind, model, _picks(rng, model, available))
            method = LotMethod.MIN_TAX if kind is AccountType.TAXABLE else LotMethod.FIFO
            account_rows.append((acct.id, hid, f"{family} {label}", kind.value, "USD", custodian,
                                 model.name, method.value, "false", "false", "", "", ""))
            legacy = _legacy(rng, acct, available)
            own = random.Random(f"{seed}-{acct.id}")  # the account's own draws
            _simulate(acct, prices, own, _money(rng, low, high, 1000), contributes, legacy)
            accounts.append(acct)
    events = sorted(
        ((day, acct.id, seq, cells) for acct in accounts for seq, (day, cells) in
         enumerate(acct.rows)),
        key=lambda e: e[:3],
    )
    txn_rows = (
        (f"T{i:06d}", aid, day.isoformat(), kind, symbol, qty, price, amount, currency, fees,
         "", "", "", "", "", "", "", "", "", memo)
        for i, (day, aid, _, (kind, symbol, qty, price, amount, currency, fees, memo))
        in enumerate(events, start=1)
    )
    paths = (out_dir / "households.csv", out_dir / "accounts.csv", out_dir / "transactions.csv")
    return BookFiles(
        households=paths[0],
        accounts=paths[1],
        transactions=paths[2],
        household_count=_write(paths[0], HOUSEHOLD_HEADER, household_rows),
        account_count=_write(paths[1], ACCOUNT_HEADER, account_rows),
        transaction_count=_write(paths[2], TRANSACTION_HEADER, txn_rows),
    )
