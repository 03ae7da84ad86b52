"""Reconciliation reports: each run's header with its sources and tolerances, its breaks, and
the adjustments booked against them (each with a reason and a user).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ballast.store.types import ExactDecimal

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create ``reconciliation_reports``, ``reconciliation_breaks`` and
    ``reconciliation_adjustments``."""
    op.create_table(
        "reconciliation_reports",
        sa.Column("id", BIGID, primary_key=True, autoincrement=True),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("broker", sa.String(64), nullable=False),
        sa.Column("custodian", sa.Text(), nullable=False),
        sa.Column("quantity_tolerance", ExactDecimal(), nullable=False),
        sa.Column("cash_tolerance", ExactDecimal(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("accounts", sa.Integer(), nullable=False),
        sa.Column("positions", sa.Integer(), nullable=False),
        sa.Column("breaks", sa.Integer(), nullable=False),
    )
    op.create_table(
        "reconciliation_breaks",
        sa.Column("report_id", BIGID, sa.ForeignKey("reconciliation_reports.id"),
                  primary_key=True),
        sa.Column("seq", sa.Integer(), primary_key=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("account_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("item", sa.String(64), nullable=False),
        sa.Column("book_value", ExactDecimal()),
        sa.Column("external_value", ExactDecimal()),
        sa.Column("difference", ExactDecimal(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
    )
    op.create_table(
        "reconciliation_adjustments",
        sa.Column("report_id", BIGID, primary_key=True),
        sa.Column("break_seq", sa.Integer(), primary_key=True),
        sa.Column("transaction_id", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("user_name", sa.String(64), nullable=False),
        sa.Column("at", TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id", "break_seq"],
            ["reconciliation_breaks.report_id", "reconciliation_breaks.seq"],
            name="fk_reconciliation_adjustments_report_id_reconciliation_breaks"),
    )


def downgrade() -> None:
    """Drop the reconciliation tables."""
    op.drop_table("reconciliation_adjustments")
    op.drop_table("reconciliation_breaks")
    op.drop_table("reconciliation_reports")
