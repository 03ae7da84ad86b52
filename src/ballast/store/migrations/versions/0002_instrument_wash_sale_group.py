"""Instruments name their wash-sale group (substantially identical instruments).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``instruments.wash_sale_group``; existing instruments get no group ('')."""
    with op.batch_alter_table("instruments") as batch:
        batch.add_column(sa.Column("wash_sale_group", sa.String(length=64), nullable=False,
                                   server_default=""))


def downgrade() -> None:
    """Drop ``instruments.wash_sale_group``."""
    with op.batch_alter_table("instruments") as batch:
        batch.drop_column("wash_sale_group")
