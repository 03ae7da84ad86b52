"""Rebalancing: each run, the proposal per account and its trades with their rationale.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ballast.store.types import ExactDecimal

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create ``rebalance_runs``, ``proposals`` and ``proposed_trades``."""
    op.create_table(
        "rebalance_runs",
        sa.Column("id", BIGID, primary_key=True, autoincrement=True),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("snapshot_id", sa.String(32), nullable=False),
        sa.Column("policy_version", sa.String(16), nullable=False),
        sa.Column("accounts", sa.Integer(), nullable=False),
        sa.Column("triggered", sa.Integer(), nullable=False),
        sa.Column("trades", sa.Integer(), nullable=False),
    )
    op.create_table(
        "proposals",
        sa.Column("run_id", BIGID, sa.ForeignKey("rebalance_runs.id"), primary_key=True),
        sa.Column("account_id", sa.String(64), sa.ForeignKey("accounts.id"), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("model", sa.String(64), nullable=False),
        sa.Column("model_version", sa.String(16), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("value", ExactDecimal(), nullable=False),
        sa.Column("cash_before", ExactDecimal(), nullable=False),
        sa.Column("cash_after", ExactDecimal(), nullable=False),
        sa.Column("drift_before", ExactDecimal(), nullable=False),
        sa.Column("drift_after", ExactDecimal(), nullable=False),
        sa.Column("est_short_term_gain", ExactDecimal(), nullable=False),
        sa.Column("est_long_term_gain", ExactDecimal(), nullable=False),
    )
    op.create_table(
        "proposed_trades",
        sa.Column("run_id", BIGID, sa.ForeignKey("rebalance_runs.id"), primary_key=True),
        sa.Column("account_id", sa.String(64), sa.ForeignKey("accounts.id"), primary_key=True),
        sa.Column("seq", sa.Integer(), primary_key=True),
        sa.Column("instrument_id", sa.String(64), sa.ForeignKey("instruments.id"),
                  nullable=False),
        sa.Column("side", sa.String(4), nullable=False),
        sa.Column("quantity", ExactDecimal(), nullable=False),
        sa.Column("est_price", ExactDecimal(), nullable=False),
        sa.Column("est_value", ExactDecimal(), nullable=False),
        sa.Column("est_cost", ExactDecimal(), nullable=False),
        sa.Column("sleeve", sa.String(64), nullable=False),
        sa.Column("lots", sa.Text(), nullable=False),
        sa.Column("est_short_term_gain", ExactDecimal(), nullable=False),
        sa.Column("est_long_term_gain", ExactDecimal(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    """Drop the rebalancing tables."""
    op.drop_table("proposed_trades")
    op.drop_table("proposals")
    op.drop_table("rebalance_runs")
