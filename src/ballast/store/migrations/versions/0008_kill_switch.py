"""Kill switch: the switches engaged now, and the history of every engage and disengage.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create ``kill_switches`` and ``kill_switch_history``."""
    op.create_table(
        "kill_switches",
        sa.Column("scope", sa.String(140), primary_key=True),
        sa.Column("engaged_by", sa.String(64), nullable=False),
        sa.Column("engaged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
    )
    op.create_table(
        "kill_switch_history",
        sa.Column("id", BIGID, primary_key=True, autoincrement=True),
        sa.Column("scope", sa.String(140), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("user_name", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
    )
    op.create_index("ix_kill_switch_history_scope", "kill_switch_history", ["scope"])


def downgrade() -> None:
    """Drop the kill-switch tables."""
    op.drop_index("ix_kill_switch_history_scope", table_name="kill_switch_history")
    op.drop_table("kill_switch_history")
    op.drop_table("kill_switches")
