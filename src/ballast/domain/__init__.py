"""Value types and entities of ballast. Pure: no I/O, imports nothing else of ballast."""

from ballast.domain.account import Account, AccountType, Household, LotMethod, Restrictions
from ballast.domain.corporate_action import CorporateAction, CorporateActionKind
from ballast.domain.errors import (
    BallastError,
    ConfigError,
    DataError,
    LedgerError,
    UnknownReference,
)
from ballast.domain.ids import AccountId, HouseholdId, InstrumentId, LotId, TransactionId
from ballast.domain.instrument import Instrument, InstrumentKind, OptionRight
from ballast.domain.lot import RealizedGain, TaxLot, Term, holding_term
from ballast.domain.market import FxRate, PriceBar
from ballast.domain.money import (
    ZERO,
    Money,
    Quantity,
    decimal_of,
    minor_units,
    round_to_minor,
)
from ballast.domain.transaction import LotSpec, Transaction, TransactionKind

__all__ = [
    "ZERO", "Account", "AccountId", "AccountType", "BallastError", "ConfigError",
    "CorporateAction", "CorporateActionKind", "DataError", "FxRate", "Household", "HouseholdId",
    "Instrument", "InstrumentId", "InstrumentKind", "LedgerError", "LotId", "LotMethod",
    "LotSpec", "Money", "OptionRight", "PriceBar", "Quantity", "RealizedGain", "Restrictions",
    "TaxLot",
    "Term", "Transaction", "TransactionId", "TransactionKind", "UnknownReference",
    "decimal_of", "holding_term", "minor_units", "round_to_minor",
]
