"""Daily cycles: one row per (date, environment) with its status, and each stage's outcome.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create ``cycles`` and ``cycle_stages``."""
    op.create_table(
        "cycles",
        sa.Column("id", BIGID, primary_key=True, autoincrement=True),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("environment", sa.String(16), nullable=False),
        sa.Column("config_version", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("as_of", "environment", name="uq_cycles_day"),
    )
    op.create_table(
        "cycle_stages",
        sa.Column("cycle_id", BIGID, sa.ForeignKey("cycles.id"), primary_key=True),
        sa.Column("stage", sa.String(32), primary_key=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    """Drop the cycle tables."""
    op.drop_table("cycle_stages")
    op.drop_table("cycles")
