"""Persistence: SQLAlchemy schema, repositories on a unit of work, Alembic migrations.

SQLite (a file) by default, PostgreSQL through ``BALLAST_DATABASE_URL``; decimals round-trip
exactly on both.
"""

from ballast.store.db import DEFAULT_URL, URL_ENV, Store
from ballast.store.imports import ImportRecord, QuarantinedRow
from ballast.store.models import ModelVersion
from ballast.store.proposals import AccountProposal, ProposedFx, ProposedTrade, RebalanceRun
from ballast.store.types import ExactDecimal
from ballast.store.unit_of_work import UnitOfWork

__all__ = [
    "DEFAULT_URL", "URL_ENV", "AccountProposal", "ExactDecimal", "ImportRecord", "ModelVersion",
    "ProposedFx", "ProposedTrade", "QuarantinedRow", "RebalanceRun", "Store", "UnitOfWork",
]
