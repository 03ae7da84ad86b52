"""Execution: blocks and their allocation plans, orders and order events, fills, allocations.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ballast.store.types import ExactDecimal

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create ``blocks``, ``block_plans``, ``orders``, ``order_events``, ``fills`` and
    ``allocations``."""
    op.create_table(
        "blocks",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("run_id", BIGID, sa.ForeignKey("rebalance_runs.id"), nullable=False),
        sa.Column("custodian", sa.String(64), nullable=False),
        sa.Column("instrument_id", sa.String(64), sa.ForeignKey("instruments.id"),
                  nullable=False),
        sa.Column("side", sa.String(4), nullable=False),
        sa.Column("quantity", ExactDecimal(), nullable=False),
        sa.Column("lot_size", ExactDecimal(), nullable=False),
        sa.Column("currency", sa.String(8), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("allocated_at", TIME),
    )
    op.create_index("ix_blocks_run_id", "blocks", ["run_id"])
    op.create_table(
        "block_plans",
        sa.Column("block_id", sa.String(40), sa.ForeignKey("blocks.id"), primary_key=True),
        sa.Column("account_id", sa.String(64), sa.ForeignKey("accounts.id"), primary_key=True),
        sa.Column("quantity", ExactDecimal(), nullable=False),
    )
    op.create_table(
        "orders",
        sa.Column("client_order_id", sa.String(40), primary_key=True),
        sa.Column("block_id", sa.String(40), sa.ForeignKey("blocks.id"), nullable=False),
        sa.Column("instrument_id", sa.String(64), sa.ForeignKey("instruments.id"),
                  nullable=False),
        sa.Column("side", sa.String(4), nullable=False),
        sa.Column("quantity", ExactDecimal(), nullable=False),
        sa.Column("order_type", sa.String(16), nullable=False),
        sa.Column("limit_price", ExactDecimal()),
        sa.Column("time_in_force", sa.String(8), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("filled_quantity", ExactDecimal(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("broker", sa.String(32), nullable=False),
        sa.Column("broker_order_id", sa.String(64), nullable=False),
    )
    op.create_index("ix_orders_block_id", "orders", ["block_id"])
    op.create_table(
        "order_events",
        sa.Column("client_order_id", sa.String(40), sa.ForeignKey("orders.client_order_id"),
                  primary_key=True),
        sa.Column("seq", sa.Integer(), primary_key=True),
        sa.Column("previous", sa.String(16)),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("at", TIME, nullable=False),
        sa.Column("filled_quantity", ExactDecimal(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
    )
    op.create_table(
        "fills",
        sa.Column("fill_id", sa.String(80), primary_key=True),
        sa.Column("client_order_id", sa.String(40), sa.ForeignKey("orders.client_order_id"),
                  nullable=False),
        sa.Column("instrument_id", sa.String(64), sa.ForeignKey("instruments.id"),
                  nullable=False),
        sa.Column("side", sa.String(4), nullable=False),
        sa.Column("quantity", ExactDecimal(), nullable=False),
        sa.Column("price", ExactDecimal(), nullable=False),
        sa.Column("commission", ExactDecimal(), nullable=False),
        sa.Column("currency", sa.String(8), nullable=False),
        sa.Column("at", TIME, nullable=False),
    )
    op.create_index("ix_fills_client_order_id", "fills", ["client_order_id"])
    op.create_table(
        "allocations",
        sa.Column("block_id", sa.String(40), sa.ForeignKey("blocks.id"), primary_key=True),
        sa.Column("account_id", sa.String(64), sa.ForeignKey("accounts.id"), primary_key=True),
        sa.Column("quantity", ExactDecimal(), nullable=False),
        sa.Column("price", ExactDecimal(), nullable=False),
        sa.Column("commission", ExactDecimal(), nullable=False),
        sa.Column("transaction_id", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    """Drop the execution tables."""
    op.drop_table("allocations")
    op.drop_index("ix_fills_client_order_id", table_name="fills")
    op.drop_table("fills")
    op.drop_table("order_events")
    op.drop_index("ix_orders_block_id", table_name="orders")
    op.drop_table("orders")
    op.drop_table("block_plans")
    op.drop_index("ix_blocks_run_id", table_name="blocks")
    op.drop_table("blocks")
