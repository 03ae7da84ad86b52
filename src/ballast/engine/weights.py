"""Current weights of what the risk report and the builder measure: an account or a household
(from its snapshot) or a model (its targets)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from ballast.analytics import FloatArray
from ballast.config.models import ModelSpec, parse_models, resolve
from ballast.domain import ConfigError, DataError, UnknownReference
from ballast.engine.market import load_market
from ballast.engine.queries import snapshot
from ballast.store import Store, UnitOfWork


@dataclass(frozen=True, slots=True, eq=False)
class Holdings:
    """``weights`` of ``instruments`` as fractions of ``value`` (the rest is cash).

    A model has no value or currency: its weights are its targets."""

    subject: str
    as_of: date
    instruments: tuple[str, ...]
    weights: FloatArray
    value: float | None = None
    currency: str | None = None


def stored_models(tx: UnitOfWork) -> dict[str, ModelSpec]:
    """The latest stored version of every model, by name."""
    return {spec.name: spec for name, text in tx.latest_models().items()
            for spec in parse_models(text, source=f"stored model {name}")}


def model_weights(tx: UnitOfWork, name: str) -> tuple[dict[str, float], float]:
    """Target weight by instrument of stored model ``name`` and its cash target.

    A sleeve's target sits on its first instrument, the one the rebalancer buys."""
    library = stored_models(tx)
    if name not in library:
        raise ConfigError(f"no model {name!r} in the book (known: "
                          f"{', '.join(sorted(library)) or 'none'})",
                          hint="`ballast models list` shows them.", field="model")
    resolved = resolve(name, library)
    return {s.instruments[0]: s.target for s in resolved.sleeves}, resolved.cash_target


def model_holdings(store: Store, name: str, as_of: date | None) -> Holdings:
    """A model's targets as holdings, as of ``as_of`` (default: the latest price date)."""
    with store.transaction() as tx:
        weights, _ = model_weights(tx, name)
        day = as_of or tx.last_price_date() or date.today()
    ids = tuple(sorted(weights))
    return Holdings(f"model {name}", day, ids, np.array([weights[i] for i in ids]))


def book_holdings(store: Store, *, account: str | None = None, household: str | None = None,
                  as_of: date | None = None) -> Holdings:
    """Weights of an account, or of a household's accounts together in the currency of its
    first account (FX as of the date); DataError when a holding has no price."""
    if account is not None:
        ids, subject = [account], f"account {account}"
    else:
        with store.transaction() as tx:
            ids = sorted(tx.accounts([str(household)]))
        if not ids:
            raise UnknownReference(f"no household {household!r} (or it has no accounts)",
                                   hint="`ballast accounts` lists households and accounts.")
        subject = f"household {household}"
    snaps = [snapshot(store, as_of=as_of, account=a) for a in ids]
    day = snaps[0].as_of
    with store.transaction() as tx:
        accounts = tx.accounts()
        market = load_market(tx, day)
    currency = accounts[snaps[0].accounts[0]].base_currency
    value: dict[str, float] = {}
    total = 0.0
    for snap in snaps:
        rate = float(market.fx_rate(accounts[snap.accounts[0]].base_currency, currency, day))
        if snap.unpriced:
            raise DataError(f"{subject}: no price on or before {day} for "
                            f"{', '.join(snap.unpriced)}", hint="Import their prices.")
        total += float(snap.account_value[0]) * rate
        for i, mv in zip(snap.pos_instrument, snap.market_value, strict=True):
            ident = snap.instruments[i]
            value[ident] = value.get(ident, 0.0) + float(mv) * rate
    held = tuple(sorted(i for i, v in value.items() if v != 0.0))
    if not held or total <= 0:
        raise DataError(f"{subject} holds no securities on {day}: there is no risk to measure")
    return Holdings(subject, day, held, np.array([value[i] / total for i in held]), total,
                    currency)
