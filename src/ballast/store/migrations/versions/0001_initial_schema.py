"""Initial schema: reference data, transactions, book state, market data, imports.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ballast.store.types import ExactDecimal

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create every table of the first schema."""
    op.create_table(
        "fx_rates",
        sa.Column("base", sa.String(length=8), nullable=False),
        sa.Column("quote", sa.String(length=8), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("rate", ExactDecimal(), nullable=False),
        sa.PrimaryKeyConstraint("base", "quote", "date", name="pk_fx_rates"),
    )
    op.create_table(
        "households",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_households"),
    )
    op.create_table(
        "imports",
        sa.Column("id", BIGID, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("written_rows", sa.Integer(), nullable=False),
        sa.Column("quarantined_rows", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_imports"),
    )
    op.create_index("ix_imports_kind_sha256", "imports", ["kind", "sha256"])
    op.create_table(
        "instruments",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("currency", sa.String(length=8), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("asset_class", sa.String(length=64), nullable=False),
        sa.Column("sector", sa.String(length=64), nullable=False),
        sa.Column("country", sa.String(length=64), nullable=False),
        sa.Column("exchange", sa.String(length=16), nullable=False),
        sa.Column("issuer", sa.String(length=64), nullable=False),
        sa.Column("lot_size", ExactDecimal(), nullable=False),
        sa.Column("fractional", sa.Boolean(), nullable=False),
        sa.Column("multiplier", ExactDecimal(), nullable=False),
        sa.Column("expiry", sa.Date(), nullable=True),
        sa.Column("strike", ExactDecimal(), nullable=True),
        sa.Column("option_right", sa.String(length=8), nullable=True),
        sa.Column("underlying_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_instruments"),
    )
    op.create_table(
        "settings",
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_settings"),
    )
    op.create_table(
        "accounts",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("household_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("account_type", sa.String(length=16), nullable=False),
        sa.Column("base_currency", sa.String(length=8), nullable=False),
        sa.Column("custodian", sa.String(length=64), nullable=False),
        sa.Column("model", sa.String(length=64), nullable=False),
        sa.Column("lot_method", sa.String(length=16), nullable=False),
        sa.Column("allow_shorts", sa.Boolean(), nullable=False),
        sa.Column("allow_margin", sa.Boolean(), nullable=False),
        sa.Column("do_not_buy", sa.Text(), nullable=False),
        sa.Column("do_not_sell", sa.Text(), nullable=False),
        sa.Column("excluded", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"], ["households.id"], name="fk_accounts_household_id_households"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_accounts"),
    )
    op.create_table(
        "corporate_actions",
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("instrument_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("ex_date", sa.Date(), nullable=False),
        sa.Column("ratio", ExactDecimal(), nullable=True),
        sa.Column("amount", ExactDecimal(), nullable=True),
        sa.Column("currency", sa.String(length=8), nullable=False),
        sa.Column("new_instrument_id", sa.String(length=64), nullable=True),
        sa.Column("pay_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["instrument_id"],
            ["instruments.id"],
            name="fk_corporate_actions_instrument_id_instruments",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_corporate_actions"),
    )
    op.create_table(
        "prices",
        sa.Column("instrument_id", sa.String(length=64), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("close", ExactDecimal(), nullable=False),
        sa.Column("dividend", ExactDecimal(), nullable=False),
        sa.Column("split_factor", ExactDecimal(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["instrument_id"], ["instruments.id"], name="fk_prices_instrument_id_instruments"
        ),
        sa.PrimaryKeyConstraint("instrument_id", "date", name="pk_prices"),
    )
    op.create_table(
        "quarantined_rows",
        sa.Column("id", BIGID, autoincrement=True, nullable=False),
        sa.Column("import_id", BIGID, nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name="fk_quarantined_rows_import_id_imports"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_quarantined_rows"),
    )
    op.create_index("ix_quarantined_rows_import_id", "quarantined_rows", ["import_id"])
    op.create_table(
        "cash_balances",
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=8), nullable=False),
        sa.Column("amount", ExactDecimal(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name="fk_cash_balances_account_id_accounts"
        ),
        sa.PrimaryKeyConstraint("account_id", "currency", name="pk_cash_balances"),
    )
    op.create_table(
        "realized_gains",
        sa.Column("id", BIGID, autoincrement=True, nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("instrument_id", sa.String(length=64), nullable=False),
        sa.Column("lot_id", sa.String(length=160), nullable=False),
        sa.Column("transaction_id", sa.String(length=128), nullable=False),
        sa.Column("quantity", ExactDecimal(), nullable=False),
        sa.Column("acquired", sa.Date(), nullable=False),
        sa.Column("sold", sa.Date(), nullable=False),
        sa.Column("proceeds", ExactDecimal(), nullable=False),
        sa.Column("cost_basis", ExactDecimal(), nullable=False),
        sa.Column("term", sa.String(length=8), nullable=False),
        sa.Column("currency", sa.String(length=8), nullable=False),
        sa.Column("wash_sale_disallowed", ExactDecimal(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name="fk_realized_gains_account_id_accounts"
        ),
        sa.ForeignKeyConstraint(
            ["instrument_id"],
            ["instruments.id"],
            name="fk_realized_gains_instrument_id_instruments",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_realized_gains"),
    )
    op.create_index("ix_realized_gains_account_id", "realized_gains", ["account_id"])
    op.create_table(
        "tax_lots",
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("lot_id", sa.String(length=160), nullable=False),
        sa.Column("instrument_id", sa.String(length=64), nullable=False),
        sa.Column("quantity", ExactDecimal(), nullable=False),
        sa.Column("cost_basis", ExactDecimal(), nullable=False),
        sa.Column("acquired", sa.Date(), nullable=False),
        sa.Column("holding_start", sa.Date(), nullable=False),
        sa.Column("wash_sale_adjustment", ExactDecimal(), nullable=False),
        sa.Column("opened_by", sa.String(length=128), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name="fk_tax_lots_account_id_accounts"
        ),
        sa.ForeignKeyConstraint(
            ["instrument_id"], ["instruments.id"], name="fk_tax_lots_instrument_id_instruments"
        ),
        sa.PrimaryKeyConstraint("account_id", "lot_id", name="pk_tax_lots"),
    )
    op.create_table(
        "transactions",
        sa.Column("seq", BIGID, autoincrement=False, nullable=False),
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("trade_date", sa.Date(), nullable=False),
        sa.Column("instrument_id", sa.String(length=64), nullable=True),
        sa.Column("quantity", ExactDecimal(), nullable=False),
        sa.Column("price", ExactDecimal(), nullable=True),
        sa.Column("amount", ExactDecimal(), nullable=False),
        sa.Column("currency", sa.String(length=8), nullable=False),
        sa.Column("fees", ExactDecimal(), nullable=False),
        sa.Column("ratio", ExactDecimal(), nullable=True),
        sa.Column("new_instrument_id", sa.String(length=64), nullable=True),
        sa.Column("lots", sa.Text(), nullable=True),
        sa.Column("lot_method", sa.String(length=16), nullable=True),
        sa.Column("reinvest", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("to_currency", sa.String(length=8), nullable=True),
        sa.Column("to_amount", ExactDecimal(), server_default="0", nullable=False),
        sa.Column("counter_account", sa.String(length=64), nullable=True),
        sa.Column("settle_date", sa.Date(), nullable=True),
        sa.Column("memo", sa.Text(), server_default="", nullable=False),
        sa.Column("import_id", BIGID, nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name="fk_transactions_account_id_accounts"
        ),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name="fk_transactions_import_id_imports"
        ),
        sa.ForeignKeyConstraint(
            ["instrument_id"], ["instruments.id"], name="fk_transactions_instrument_id_instruments"
        ),
        sa.PrimaryKeyConstraint("seq", name="pk_transactions"),
        sa.UniqueConstraint("id", name="uq_transactions_id"),
    )


def downgrade() -> None:
    """Drop every table."""
    for table in (
        "transactions",
        "tax_lots",
        "realized_gains",
        "cash_balances",
        "quarantined_rows",
        "prices",
        "corporate_actions",
        "accounts",
        "settings",
        "instruments",
        "imports",
        "households",
        "fx_rates",
    ):
        op.drop_table(table)
