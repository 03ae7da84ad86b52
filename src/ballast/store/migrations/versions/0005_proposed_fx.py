"""Multi-currency proposals: each trade's currency and local price, and the FX legs of a run.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ballast.store.types import ExactDecimal

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Add the trades' currency and local estimates (filled in for stored runs from the
    instrument's currency, and from the base estimates where it is the account's base), and
    create ``proposed_fx``."""
    with op.batch_alter_table("proposed_trades") as batch:
        batch.add_column(sa.Column("currency", sa.String(8), nullable=False, server_default=""))
        batch.add_column(sa.Column("est_local_price", ExactDecimal()))
        batch.add_column(sa.Column("est_local_value", ExactDecimal()))
    op.execute("UPDATE proposed_trades SET currency = (SELECT i.currency FROM instruments i "
               "WHERE i.id = proposed_trades.instrument_id)")
    op.execute("UPDATE proposed_trades SET est_local_price = est_price, "
               "est_local_value = est_value WHERE currency = (SELECT a.base_currency FROM "
               "accounts a WHERE a.id = proposed_trades.account_id)")
    op.create_table(
        "proposed_fx",
        sa.Column("run_id", BIGID, sa.ForeignKey("rebalance_runs.id"), primary_key=True),
        sa.Column("account_id", sa.String(64), sa.ForeignKey("accounts.id"), primary_key=True),
        sa.Column("seq", sa.Integer(), primary_key=True),
        sa.Column("sell_currency", sa.String(8), nullable=False),
        sa.Column("buy_currency", sa.String(8), nullable=False),
        sa.Column("sell_amount", ExactDecimal(), nullable=False),
        sa.Column("buy_amount", ExactDecimal(), nullable=False),
        sa.Column("rate", ExactDecimal(), nullable=False),
        sa.Column("est_cost", ExactDecimal(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    """Drop ``proposed_fx`` and the trades' currency columns."""
    op.drop_table("proposed_fx")
    with op.batch_alter_table("proposed_trades") as batch:
        batch.drop_column("est_local_value")
        batch.drop_column("est_local_price")
        batch.drop_column("currency")
