"""The sample generator's market and accounts: real closes, splits and dividends, and an account
that trades whole shares by its model's sleeves.

An account follows a resolved model: each sleeve is bought through one instrument (usually the
sleeve's first, sometimes its second), kept near its target by investing new money in the
underweight sleeves, raising cash from the overweight ones and an occasional review that
rebalances a drifted account. Cash never goes negative and no more is sold than is held; splits
multiply units and dividends are credited on their ex-dates, as the engine books them from the
price file (before the trades of that day).
"""

from __future__ import annotations

import bisect
import csv
import gzip
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from pathlib import Path

from ballast.config.models import ResolvedModel
from ballast.domain import AccountType, TransactionKind

ZERO_COMMISSION = date(2019, 10, 7)  # US retail brokers dropped stock commissions
COMMISSION = Decimal("4.95")
ZERO = Decimal(0)
CENT = Decimal("0.01")
MIN_TRADE = Decimal(250)
# The default rebalance policy of the engine: a sleeve leaves its band, the sum of absolute
# drifts exceeds 10%, or cash is 3 points over its target.
TOTAL_DRIFT_LIMIT = Decimal("0.10")
CASH_EXCESS = Decimal("0.03")


def _dec(value: float) -> Decimal:
    return Decimal(str(value))


@dataclass(frozen=True, slots=True)
class Prices:
    """Real closes by (symbol, session), and split factors and dividends by ex-date."""

    sessions: tuple[date, ...]
    close: dict[tuple[str, date], Decimal]
    splits: dict[date, tuple[tuple[str, Decimal], ...]]
    dividends: dict[date, tuple[tuple[str, Decimal], ...]]

    @classmethod
    def load(cls, path: Path) -> Prices:
        close: dict[tuple[str, date], Decimal] = {}
        splits: dict[date, list[tuple[str, Decimal]]] = {}
        dividends: dict[date, list[tuple[str, Decimal]]] = {}
        with gzip.open(path, "rt", newline="") as f:
            for row in csv.DictReader(f):
                day = date.fromisoformat(row["date"])
                close[row["symbol"], day] = Decimal(row["close"])
                if Decimal(row["split_factor"]) != 1:
                    splits.setdefault(day, []).append((row["symbol"], Decimal(row["split_factor"])))
                if Decimal(row["dividend"] or 0) > 0:
                    dividends.setdefault(day, []).append((row["symbol"], Decimal(row["dividend"])))
        sessions = tuple(sorted({day for _, day in close}))
        return cls(sessions, close, {d: tuple(v) for d, v in splits.items()},
                   {d: tuple(v) for d, v in dividends.items()})

    def session_on_or_after(self, day: date) -> date | None:
        """The first session on or after ``day`` that is not a split ex-date of any symbol."""
        for session in self.sessions[bisect.bisect_left(self.sessions, day):]:
            if session not in self.splits:
                return session
        return None


def fee(day: date) -> Decimal:
    return ZERO if day >= ZERO_COMMISSION else COMMISSION


@dataclass(slots=True)
class Account:
    """The generator's running view of one account: cash, units and cost per symbol, and the
    instrument it buys for each sleeve of its model."""

    id: str
    type: AccountType
    model: ResolvedModel
    pick: dict[str, str]  # sleeve -> the instrument bought for it
    cash: Decimal = ZERO
    units: dict[str, Decimal] = field(default_factory=dict)
    cost: dict[str, Decimal] = field(default_factory=dict)
    rows: list[tuple[date, list[str]]] = field(default_factory=list)
    seen: date = date.min
    sleeve_of: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.sleeve_of = {i: s.name for s in self.model.sleeves for i in s.instruments}

    # ---- market events -----------------------------------------------------------------

    def advance(self, prices: Prices, day: date) -> None:
        """Apply every split and dividend with an ex-date after the last day seen, up to
        ``day`` (a dividend is rounded down to the cent, never more than the engine pays)."""
        for ex in sorted(d for d in {*prices.splits, *prices.dividends} if self.seen < d <= day):
            for symbol, factor in prices.splits.get(ex, ()):
                if symbol in self.units:
                    self.units[symbol] *= factor
            for symbol, amount in prices.dividends.get(ex, ()):
                if symbol in self.units:
                    self.cash += (self.units[symbol] * amount).quantize(CENT, ROUND_FLOOR)
        self.seen = max(self.seen, day)

    # ---- valuation ---------------------------------------------------------------------

    def value_of(self, prices: Prices, day: date, symbol: str) -> Decimal:
        return self.units.get(symbol, ZERO) * prices.close.get((symbol, day), ZERO)

    def total(self, prices: Prices, day: date) -> Decimal:
        return self.cash + sum((self.value_of(prices, day, s) for s in self.units), ZERO)

    def sleeve_values(self, prices: Prices, day: date) -> dict[str, Decimal]:
        out = {s.name: ZERO for s in self.model.sleeves}
        for symbol in self.units:
            if symbol in self.sleeve_of:
                out[self.sleeve_of[symbol]] += self.value_of(prices, day, symbol)
        return out

    def drifted(self, prices: Prices, day: date) -> bool:
        """Whether the engine's default policy would trade the account (ignoring holdings
        outside the model, which the client keeps)."""
        total = self.total(prices, day)
        if total <= 0:
            return False
        values = self.sleeve_values(prices, day)
        drift = ZERO
        for s in self.model.sleeves:
            off = abs(values[s.name] / total - _dec(s.target))
            if off > _dec(self.model.tolerance(s)):
                return True
            drift += off
        return (drift > TOTAL_DRIFT_LIMIT
                or self.cash / total - _dec(self.model.cash_target) > CASH_EXCESS)

    # ---- trades ------------------------------------------------------------------------

    def cash_row(self, day: date, kind: TransactionKind, amount: Decimal, memo: str) -> None:
        self.cash += amount if kind is TransactionKind.DEPOSIT else -amount
        self.rows.append((day, [kind.value, "", "", "", f"{amount:.2f}", "USD", "", memo]))

    def buy(self, prices: Prices, day: date, symbol: str, budget: Decimal, memo: str) -> Decimal:
        """Buy as many whole shares as ``budget`` (capped by cash) pays for, fee included;
        returns what was spent."""
        price = prices.close.get((symbol, day))
        cost = fee(day)
        spend = min(budget, self.cash) - cost
        if price is None or spend < price:
            return ZERO
        qty = (spend / price).to_integral_value(rounding=ROUND_FLOOR)
        self.cash -= qty * price + cost
        self.units[symbol] = self.units.get(symbol, ZERO) + qty
        self.cost[symbol] = self.cost.get(symbol, ZERO) + qty * price + cost
        self._trade(day, TransactionKind.BUY, symbol, qty, price, cost, memo)
        return qty * price + cost

    def sell(self, prices: Prices, day: date, symbol: str, amount: Decimal, memo: str) -> Decimal:
        """Sell whole shares worth at least ``amount`` (all of them if that is more than held);
        returns the net proceeds (0 if nothing was sold)."""
        price = prices.close.get((symbol, day))
        held = self.units.get(symbol, ZERO).to_integral_value(rounding=ROUND_FLOOR)
        if price is None or held < 1 or amount <= 0:
            return ZERO
        qty = min(held, (amount / price).to_integral_value(rounding=ROUND_CEILING))
        cost = fee(day)
        if qty * price <= cost:
            return ZERO
        self.cost[symbol] *= 1 - qty / self.units[symbol]
        self.units[symbol] -= qty
        if self.units[symbol] == 0:
            del self.units[symbol], self.cost[symbol]
        self.cash += qty * price - cost
        self._trade(day, TransactionKind.SELL, symbol, qty, price, cost, memo)
        return qty * price - cost

    def _trade(self, day: date, kind: TransactionKind, symbol: str, qty: Decimal,
               price: Decimal, cost: Decimal, memo: str) -> None:
        self.rows.append((day, [kind.value, symbol, str(qty), str(price), "", "USD",
                                f"{cost:.2f}", memo]))

    # ---- by sleeve ---------------------------------------------------------------------

    def invest(self, prices: Prices, day: date, memo: str, idle: Decimal = ZERO) -> None:
        """Spend the cash above the model's cash target on the sleeves, the most underweight
        first: each gets its gap to target, and money left after every gap is closed is split
        by target. Nothing is spent unless that cash is at least ``idle`` of the value."""
        total = self.total(prices, day)
        spendable = self.cash - _dec(self.model.cash_target) * total
        if spendable < max(MIN_TRADE, idle * total):
            return
        values = self.sleeve_values(prices, day)
        gaps = {s.name: max(ZERO, _dec(s.target) * total - values[s.name])
                for s in self.model.sleeves}
        short = sum(gaps.values(), ZERO)
        invested = _dec(1 - self.model.cash_target)
        budget: dict[str, Decimal] = {}
        for s in self.model.sleeves:
            if short >= spendable:
                budget[s.name] = gaps[s.name] * spendable / short
            else:
                budget[s.name] = gaps[s.name] + (spendable - short) * _dec(s.target) / invested
        for s in sorted(self.model.sleeves, key=lambda s: -budget[s.name]):
            if budget[s.name] >= MIN_TRADE:
                symbol = self._affordable(prices, day, s.name, budget[s.name])
                if symbol is not None:
                    self.buy(prices, day, symbol, budget[s.name].quantize(CENT), memo)

    def _affordable(self, prices: Prices, day: date, sleeve: str, budget: Decimal) -> str | None:
        """The sleeve's pick, or else its first instrument one share of which the budget pays
        for (a small account holds the alternate of an expensive stock)."""
        instruments = next(s.instruments for s in self.model.sleeves if s.name == sleeve)
        for symbol in (self.pick[sleeve], *instruments):
            price = prices.close.get((symbol, day))
            if price is not None and price + fee(day) <= budget:
                return symbol
        return None

    def raise_cash(self, prices: Prices, day: date, need: Decimal, memo: str) -> None:
        """Sell about ``need`` from the sleeves: the overweight ones first, then all of them pro
        rata to their value. Holdings outside the model are kept."""
        if need <= 0:
            return
        total = self.total(prices, day) - need
        values = self.sleeve_values(prices, day)
        over = {s.name: max(ZERO, values[s.name] - _dec(s.target) * total)
                for s in self.model.sleeves}
        extra = sum(over.values(), ZERO)
        invested = sum(values.values(), ZERO)
        if invested <= 0:
            return
        for s in self.model.sleeves:
            if extra >= need:
                amount = over[s.name] * need / extra
            else:
                amount = over[s.name] + (need - extra) * values[s.name] / invested
            self.sell_sleeve(prices, day, s.name, amount, memo)

    def sell_sleeve(self, prices: Prices, day: date, sleeve: str, amount: Decimal,
                    memo: str) -> None:
        """Sell ``amount`` of a sleeve: its instruments other than the pick first."""
        held = sorted((s for s in self.units if self.sleeve_of.get(s) == sleeve),
                      key=lambda s: (s == self.pick[sleeve], s))
        for symbol in held:
            if amount < MIN_TRADE / 2:
                return
            amount -= self.sell(prices, day, symbol, amount, memo)

    def rebalance(self, prices: Prices, day: date, memo: str, pull: Decimal) -> None:
        """Sell ``pull`` (a fraction) of the excess over target of each sleeve above its band,
        then invest the cash in the underweight sleeves."""
        total = self.total(prices, day)
        values = self.sleeve_values(prices, day)
        for s in self.model.sleeves:
            over = values[s.name] - _dec(s.target) * total
            if over <= _dec(self.model.tolerance(s)) * total:
                continue
            over *= pull
            if over >= MIN_TRADE:
                self.sell_sleeve(prices, day, s.name, over, memo)
        self.invest(prices, day, memo)
