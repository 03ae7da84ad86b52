"""Onboarding: questionnaire versions, client KYC profiles and suitability records.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create ``questionnaire_versions``, ``client_profiles`` and ``suitability_records``."""
    op.create_table(
        "questionnaire_versions",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("version", sa.String(16), primary_key=True),
        sa.Column("yaml", sa.Text(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "client_profiles",
        sa.Column("household_id", sa.String(64), sa.ForeignKey("households.id"),
                  primary_key=True),
        sa.Column("legal_name", sa.Text(), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("tax_id_ciphertext", sa.Text(), nullable=True),
        sa.Column("tax_id_hash", sa.Text(), nullable=True),
        sa.Column("tax_id_last4", sa.String(4), nullable=False),
        sa.Column("employment", sa.String(16), nullable=False),
        sa.Column("source_of_funds", sa.Text(), nullable=False),
        sa.Column("pep", sa.Boolean(), nullable=False),
        sa.Column("id_document_type", sa.String(16), nullable=False),
        sa.Column("id_document_last4", sa.String(4), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "suitability_records",
        sa.Column("id", BIGID, primary_key=True, autoincrement=True),
        sa.Column("household_id", sa.String(64), sa.ForeignKey("households.id"),
                  nullable=False),
        sa.Column("account_id", sa.String(64), sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("questionnaire_version", sa.String(16), nullable=False),
        sa.Column("answers", sa.Text(), nullable=False),
        sa.Column("attitude_score", sa.Integer(), nullable=False),
        sa.Column("capacity_score", sa.Integer(), nullable=True),
        sa.Column("horizon_score", sa.Integer(), nullable=True),
        sa.Column("risk_score", sa.Integer(), nullable=False),
        sa.Column("model_recommended", sa.String(64), nullable=False),
        sa.Column("model_chosen", sa.String(64), nullable=False),
        sa.Column("override_reason", sa.Text(), nullable=False),
        sa.Column("user_name", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_suitability_records_account_id", "suitability_records",
                    ["account_id"])


def downgrade() -> None:
    """Drop the onboarding tables."""
    op.drop_index("ix_suitability_records_account_id", table_name="suitability_records")
    op.drop_table("suitability_records")
    op.drop_table("client_profiles")
    op.drop_table("questionnaire_versions")
