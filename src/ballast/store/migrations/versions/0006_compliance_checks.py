"""Compliance: rule-set versions, and each check of a rebalance run with its decisions and
violations.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-12
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create ``rule_set_versions``, ``compliance_checks``, ``check_decisions`` and
    ``check_violations``."""
    op.create_table(
        "rule_set_versions",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("version", sa.String(16), primary_key=True),
        sa.Column("yaml", sa.Text(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "compliance_checks",
        sa.Column("id", BIGID, primary_key=True, autoincrement=True),
        sa.Column("run_id", BIGID, sa.ForeignKey("rebalance_runs.id"), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rule_sets", sa.Text(), nullable=False),
        sa.Column("approved", sa.Integer(), nullable=False),
        sa.Column("denied", sa.Integer(), nullable=False),
    )
    op.create_index("ix_compliance_checks_run_id", "compliance_checks", ["run_id"])
    op.create_table(
        "check_decisions",
        sa.Column("check_id", BIGID, sa.ForeignKey("compliance_checks.id"), primary_key=True),
        sa.Column("account_id", sa.String(64), sa.ForeignKey("accounts.id"), primary_key=True),
        sa.Column("approved", sa.Boolean(), nullable=False),
        sa.Column("fixes", sa.Text(), nullable=False),
    )
    op.create_table(
        "check_violations",
        sa.Column("check_id", BIGID, sa.ForeignKey("compliance_checks.id"), primary_key=True),
        sa.Column("account_id", sa.String(64), sa.ForeignKey("accounts.id"), primary_key=True),
        sa.Column("seq", sa.Integer(), primary_key=True),
        sa.Column("rule_id", sa.String(64), nullable=False),
        sa.Column("scope", sa.String(140), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("measured", sa.Text(), nullable=False),
        sa.Column("rule_limit", sa.Text(), nullable=False),
        sa.Column("trades", sa.Text(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    """Drop the compliance tables."""
    op.drop_table("check_violations")
    op.drop_table("check_decisions")
    op.drop_index("ix_compliance_checks_run_id", table_name="compliance_checks")
    op.drop_table("compliance_checks")
    op.drop_table("rule_set_versions")
