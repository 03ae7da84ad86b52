"""A deterministic sample book of record built on the shipped real prices.

Households own one to four accounts (a joint taxable account, IRAs, a Roth IRA). Each account is
funded, buys whole shares at the real raw close of a real session, and later contributes, adds,
trims, harvests losses and withdraws — never spending cash it does not have and never selling
more than it holds (positions are carried through splits). Dividends and splits are not written:
the engine derives them from the price file.
"""

from __future__ import annotations

import bisect
import csv
import gzip
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal
from importlib import resources
from pathlib import Path

from ballast.domain import AccountType, LotMethod, TransactionKind

ACTIVITY_END = date(2020, 12, 31)  # the book trades until here; prices run a quarter longer
ZERO_COMMISSION = date(2019, 10, 7)  # US retail brokers dropped stock commissions
COMMISSION = Decimal("4.95")
ZERO = Decimal(0)

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
MODELS: dict[str, tuple[str, ...]] = {
    "growth": ("AAPL", "MSFT", "NVDA", "GOOGL", "AMZN", "TSLA", "NKE", "HD", "UNH", "JPM", "BA",
               "INTC", "QQQ", "IWM"),
    "balanced": ("SPY", "AAPL", "MSFT", "JNJ", "JPM", "PG", "KO", "HD", "XOM", "WFC", "MMM",
                 "UNH", "IBM", "GE", "C", "NEE", "INTC", "BA"),
    "conservative": ("SPY", "KO", "PG", "JNJ", "MRK", "T", "MO", "WBA", "XOM", "SLB", "OXY",
                     "NEE", "SPG", "IBM", "WFC", "GE", "MMM", "APD"),
}
MODEL_WEIGHTS = (35, 40, 25)
# (type, id suffix, name, probability, initial deposit range, makes yearly IRA contributions)
ACCOUNT_PLANS = (
    (AccountType.TAXABLE, "TAX", "Joint Taxable", 1.0, (25_000, 1_200_000), False),
    (AccountType.TAX_DEFERRED, "IRA", "Rollover IRA", 0.85, (15_000, 600_000), False),
    (AccountType.TAX_EXEMPT, "ROTH", "Roth IRA", 0.6, (5_000, 120_000), True),
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


@dataclass(frozen=True, slots=True)
class _Prices:
    sessions: tuple[date, ...]
    close: dict[tuple[str, date], Decimal]
    splits: dict[date, tuple[tuple[str, Decimal], ...]]

    @classmethod
    def load(cls, path: Path) -> _Prices:
        close: dict[tuple[str, date], Decimal] = {}
        splits: dict[date, list[tuple[str, Decimal]]] = {}
        with gzip.open(path, "rt", newline="") as f:
            for row in csv.DictReader(f):
                day = date.fromisoformat(row["date"])
                close[row["symbol"], day] = Decimal(row["close"])
                if Decimal(row["split_factor"]) != 1:
                    splits.setdefault(day, []).append((row["symbol"], Decimal(row["split_factor"])))
        sessions = tuple(sorted({day for _, day in close}))
        return cls(sessions, close, {d: tuple(v) for d, v in splits.items()})

    def session_on_or_after(self, day: date) -> date | None:
        """The first session on or after ``day`` that is not a split ex-date of any symbol."""
        for session in self.sessions[bisect.bisect_left(self.sessions, day):]:
            if session not in self.splits:
                return session
        return None


@dataclass(slots=True)
class _Account:
    """The generator's running view of one account: cash, units and cost per symbol."""

    id: str
    type: AccountType
    universe: list[str]
    cash: Decimal = ZERO
    units: dict[str, Decimal] = field(default_factory=dict)
    cost: dict[str, Decimal] = field(default_factory=dict)
    rows: list[tuple[date, list[str]]] = field(default_factory=list)
    split_seen: date = date.min

    def carry_splits(self, prices: _Prices, day: date) -> None:
        """Multiply units by every split with an ex-date after the last one seen, up to ``day``."""
        for ex in sorted(d for d in prices.splits if self.split_seen < d <= day):
            for symbol, factor in prices.splits[ex]:
                if symbol in self.units:
                    self.units[symbol] *= factor
        self.split_seen = max(self.split_seen, day)

    def cash_row(self, day: date, kind: TransactionKind, amount: Decimal, memo: str) -> None:
        self.cash += amount if kind is TransactionKind.DEPOSIT else -amount
        self.rows.append((day, [kind.value, "", "", "", f"{amount:.2f}", "USD", "", memo]))

    def buy(self, prices: _Prices, day: date, symbol: str, budget: Decimal, memo: str) -> None:
        """Buy as many whole shares as ``budget`` (capped by cash) pays for, fee included."""
        price = prices.close.get((symbol, day))
        fee = _fee(day)
        spend = min(budget, self.cash) - fee
        if price is None or spend < price:
            return
        qty = (spend / price).to_integral_value(rounding=ROUND_FLOOR)
        self.cash -= qty * price + fee
        self.units[symbol] = self.units.get(symbol, ZERO) + qty
        self.cost[symbol] = self.cost.get(symbol, ZERO) + qty * price + fee
        self._trade(day, TransactionKind.BUY, symbol, qty, price, fee, memo)

    def sell(self, prices: _Prices, day: date, symbol: str, fraction: Decimal) -> Decimal:
        """Sell ``fraction`` of the whole units held; returns the net proceeds (0 if none)."""
        price = prices.close.get((symbol, day))
        held = self.units.get(symbol, ZERO).to_integral_value(rounding=ROUND_FLOOR)
        qty = max(Decimal(1), (held * fraction).to_integral_value(rounding=ROUND_FLOOR))
        fee = _fee(day)
        if price is None or held < 1 or qty * price <= fee:
            return ZERO
        at_loss = price * self.units[symbol] < self.cost[symbol]
        memo = "tax-loss harvest" if at_loss and self.type is AccountType.TAXABLE else "trim"
        self.cost[symbol] *= 1 - qty / self.units[symbol]
        self.units[symbol] -= qty
        if self.units[symbol] == 0:
            del self.units[symbol], self.cost[symbol]
        self.cash += qty * price - fee
        self._trade(day, TransactionKind.SELL, symbol, qty, price, fee, memo)
        return qty * price - fee

    def _trade(self, day: date, kind: TransactionKind, symbol: str, qty: Decimal,
               price: Decimal, fee: Decimal, memo: str) -> None:
        self.rows.append((day, [kind.value, symbol, str(qty), str(price), "", "USD",
                                f"{fee:.2f}", memo]))


def _fee(day: date) -> Decimal:
    return ZERO if day >= ZERO_COMMISSION else COMMISSION


def _money(rng: random.Random, low: int, high: int, step: int) -> Decimal:
    """A log-uniform amount in [low, high], rounded down to a multiple of ``step``."""
    value = low * (high / low) ** rng.random()
    return Decimal(int(value) // step * step)


def _invest(acct: _Account, prices: _Prices, rng: random.Random, day: date, share: float,
            picks: int, memo: str) -> None:
    """Spend about ``share`` of the cash on ``picks`` symbols of the universe, equally."""
    symbols = rng.sample(acct.universe, min(picks, len(acct.universe)))
    budget = (acct.cash * Decimal(str(share)) / len(symbols)).quantize(Decimal("0.01"))
    for symbol in symbols:
        acct.buy(prices, day, symbol, budget, memo)


def _simulate(acct: _Account, prices: _Prices, rng: random.Random, initial: Decimal,
              contributes: bool) -> None:
    """Fund the account, build its positions, then trade every one to four months."""
    window = [d for d in prices.sessions if d <= date(2019, 12, 31) and d not in prices.splits]
    late = rng.random() < 0.15
    day = rng.choice(window[len(window) // 2:] if late else window[: len(window) * 2 // 3])
    acct.carry_splits(prices, day)
    acct.cash_row(day, TransactionKind.DEPOSIT, initial, "initial funding")
    _invest(acct, prices, rng, day, 0.95, rng.randint(5, 9), "initial purchase")
    contributed = {day.year}
    while True:
        nxt = prices.session_on_or_after(day + timedelta(days=rng.randint(30, 120)))
        if nxt is None or nxt > ACTIVITY_END:
            return
        day = nxt
        acct.carry_splits(prices, day)
        roll = rng.random()
        if contributes and day.year not in contributed:
            contributed.add(day.year)
            acct.cash_row(day, TransactionKind.DEPOSIT, IRA_LIMIT[day.year], "annual contribution")
            _invest(acct, prices, rng, day, 0.9, rng.randint(1, 3), "invest contribution")
        elif roll < 0.15 and acct.type is AccountType.TAXABLE:
            amount = _money(rng, 2_000, 60_000, 500)
            acct.cash_row(day, TransactionKind.DEPOSIT, amount, "additional deposit")
            _invest(acct, prices, rng, day, 0.9, rng.randint(1, 3), "invest deposit")
        elif roll < 0.45 and acct.units:
            symbol = rng.choice(sorted(acct.units))
            fraction = Decimal(rng.choice(("0.25", "0.5", "1")))
            acct.sell(prices, day, symbol, fraction)
            if rng.random() < 0.25 and acct.cash >= 100:
                amount = _money(rng, 100, int(acct.cash), 100)
                acct.cash_row(day, TransactionKind.WITHDRAWAL, amount, "client withdrawal")
        elif acct.cash > 1000:
            _invest(acct, prices, rng, day, 0.8, rng.randint(1, 2), "add to position")


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
    prices = _Prices.load(prices_path or sample_prices_path())
    rng = random.Random(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    household_rows: list[tuple[str, str]] = []
    account_rows: list[tuple[str, ...]] = []
    accounts: list[_Account] = []
    available = {s for s, _ in prices.close}
    for n in range(1, households + 1):
        hid = f"HH{n:03d}"
        surname = SURNAMES[(n - 1) % len(SURNAMES)]
        family = surname if n <= len(SURNAMES) else f"{surname} {n}"
        household_rows.append((hid, f"{family} Family"))
        model = rng.choices(tuple(MODELS), MODEL_WEIGHTS)[0]
        custodian = rng.choice(CUSTODIANS)
        universe = sorted(s for s in MODELS[model] if s in available)
        for kind, suffix, label, chance, (low, high), contributes in ACCOUNT_PLANS:
            if rng.random() >= chance:
                continue
            acct = _Account(f"{hid}-{suffix}", kind, universe)
            method = LotMethod.MIN_TAX if kind is AccountType.TAXABLE else LotMethod.FIFO
            account_rows.append((acct.id, hid, f"{family} {label}", kind.value, "USD", custodian,
                                 model, method.value, "false", "false", "", "", ""))
            _simulate(acct, prices, rng, _money(rng, low, high, 1000), contributes)
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
