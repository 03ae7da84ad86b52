"""The relational schema (SQLAlchemy Core). Alembic migrations create it; a test checks they agree.

Conventions: money, quantities and rates are ExactDecimal; dates are DATE (ISO text on SQLite);
enums are their string values. A transaction's named lots are one JSON text column (``lots``,
NULL when there are none): they are only ever read back with their transaction.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

from ballast.store.types import ExactDecimal

# 64-bit ids; on SQLite plain INTEGER so that a primary key is the rowid alias (cheap, and
# assigned in insertion order).
BIGID = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

instruments = Table(
    "instruments", metadata,
    Column("id", String(64), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("currency", String(8), nullable=False),
    Column("name", Text, nullable=False),
    Column("asset_class", String(64), nullable=False),
    Column("sector", String(64), nullable=False),
    Column("country", String(64), nullable=False),
    Column("exchange", String(16), nullable=False),
    Column("issuer", String(64), nullable=False),
    Column("lot_size", ExactDecimal, nullable=False),
    Column("fractional", Boolean, nullable=False),
    Column("multiplier", ExactDecimal, nullable=False),
    Column("expiry", Date),
    Column("strike", ExactDecimal),
    Column("option_right", String(8)),
    Column("underlying_id", String(64)),
    Column("wash_sale_group", String(64), nullable=False, server_default=""),
)

households = Table(
    "households", metadata,
    Column("id", String(64), primary_key=True),
    Column("name", Text, nullable=False),
)

accounts = Table(
    "accounts", metadata,
    Column("id", String(64), primary_key=True),
    Column("household_id", String(64), ForeignKey("households.id"), nullable=False),
    Column("name", Text, nullable=False),
    Column("account_type", String(16), nullable=False),
    Column("base_currency", String(8), nullable=False),
    Column("custodian", String(64), nullable=False),
    Column("model", String(64), nullable=False),
    Column("lot_method", String(16), nullable=False),
    Column("allow_shorts", Boolean, nullable=False),
    Column("allow_margin", Boolean, nullable=False),
    # Restrictions: JSON arrays of instrument ids, sorted.
    Column("do_not_buy", Text, nullable=False),
    Column("do_not_sell", Text, nullable=False),
    Column("excluded", Text, nullable=False),
)

imports = Table(
    "imports", metadata,
    Column("id", BIGID, primary_key=True, autoincrement=True),
    Column("kind", String(32), nullable=False),
    Column("file_name", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("row_count", Integer, nullable=False),
    Column("written_rows", Integer, nullable=False),
    Column("quarantined_rows", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index(None, "kind", "sha256"),
)

transactions = Table(
    "transactions", metadata,
    # seq: given by add_transactions in insertion order; orders the events of a trade date.
    Column("seq", BIGID, primary_key=True, autoincrement=False),
    Column("id", String(128), nullable=False, unique=True),
    Column("account_id", String(64), ForeignKey("accounts.id"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("trade_date", Date, nullable=False),
    Column("instrument_id", String(64), ForeignKey("instruments.id")),
    Column("quantity", ExactDecimal, nullable=False),
    Column("price", ExactDecimal),
    Column("amount", ExactDecimal, nullable=False),
    Column("currency", String(8), nullable=False),
    Column("fees", ExactDecimal, nullable=False),
    Column("ratio", ExactDecimal),
    Column("new_instrument_id", String(64)),
    Column("lots", Text),
    Column("lot_method", String(16)),
    Column("reinvest", Boolean, nullable=False, server_default=false()),
    Column("to_currency", String(8)),
    Column("to_amount", ExactDecimal, nullable=False, server_default="0"),
    Column("counter_account", String(64)),
    Column("settle_date", Date),
    Column("memo", Text, nullable=False, server_default=""),
    Column("import_id", BIGID, ForeignKey("imports.id")),
)

tax_lots = Table(
    "tax_lots", metadata,
    Column("account_id", String(64), ForeignKey("accounts.id"), primary_key=True),
    Column("lot_id", String(160), primary_key=True),
    Column("instrument_id", String(64), ForeignKey("instruments.id"), nullable=False),
    Column("quantity", ExactDecimal, nullable=False),
    Column("cost_basis", ExactDecimal, nullable=False),
    Column("acquired", Date, nullable=False),
    Column("holding_start", Date, nullable=False),
    Column("wash_sale_adjustment", ExactDecimal, nullable=False),
    Column("opened_by", String(128)),
)

cash_balances = Table(
    "cash_balances", metadata,
    Column("account_id", String(64), ForeignKey("accounts.id"), primary_key=True),
    Column("currency", String(8), primary_key=True),
    Column("amount", ExactDecimal, nullable=False),
)

realized_gains = Table(
    "realized_gains", metadata,
    Column("id", BIGID, primary_key=True, autoincrement=True),
    Column("account_id", String(64), ForeignKey("accounts.id"), nullable=False, index=True),
    Column("instrument_id", String(64), ForeignKey("instruments.id"), nullable=False),
    Column("lot_id", String(160), nullable=False),
    Column("transaction_id", String(128), nullable=False),
    Column("quantity", ExactDecimal, nullable=False),
    Column("acquired", Date, nullable=False),
    Column("sold", Date, nullable=False),
    Column("proceeds", ExactDecimal, nullable=False),
    Column("cost_basis", ExactDecimal, nullable=False),
    Column("term", String(8), nullable=False),
    Column("currency", String(8), nullable=False),
    Column("wash_sale_disallowed", ExactDecimal, nullable=False),
)

prices = Table(
    "prices", metadata,
    Column("instrument_id", String(64), ForeignKey("instruments.id"), primary_key=True),
    Column("date", Date, primary_key=True),
    Column("close", ExactDecimal, nullable=False),
    Column("dividend", ExactDecimal, nullable=False),
    Column("split_factor", ExactDecimal, nullable=False),
    Column("source", String(64), nullable=False),
)

fx_rates = Table(
    "fx_rates", metadata,
    Column("base", String(8), primary_key=True),
    Column("quote", String(8), primary_key=True),
    Column("date", Date, primary_key=True),
    Column("rate", ExactDecimal, nullable=False),
)

corporate_actions = Table(
    "corporate_actions", metadata,
    Column("id", String(128), primary_key=True),
    Column("instrument_id", String(64), ForeignKey("instruments.id"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("ex_date", Date, nullable=False),
    Column("ratio", ExactDecimal),
    Column("amount", ExactDecimal),
    Column("currency", String(8), nullable=False),
    Column("new_instrument_id", String(64)),
    Column("pay_date", Date),
)

quarantined_rows = Table(
    "quarantined_rows", metadata,
    Column("id", BIGID, primary_key=True, autoincrement=True),
    Column("import_id", BIGID, ForeignKey("imports.id"), nullable=False, index=True),
    Column("row_number", Integer, nullable=False),
    Column("field", String(64), nullable=False),
    Column("reason", Text, nullable=False),
    Column("raw", Text, nullable=False),
)

settings = Table(
    "settings", metadata,
    Column("key", String(128), primary_key=True),
    Column("value", Text, nullable=False),
)

model_versions = Table(
    "model_versions", metadata,
    Column("name", String(64), primary_key=True),
    Column("version", String(16), primary_key=True),
    Column("yaml", Text, nullable=False),
    Column("loaded_at", DateTime(timezone=True), nullable=False),
)

rebalance_runs = Table(
    "rebalance_runs", metadata,
    Column("id", BIGID, primary_key=True, autoincrement=True),
    Column("as_of", Date, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("snapshot_id", String(32), nullable=False),
    Column("policy_version", String(16), nullable=False),
    Column("accounts", Integer, nullable=False),
    Column("triggered", Integer, nullable=False),
    Column("trades", Integer, nullable=False),
)

proposals = Table(
    "proposals", metadata,
    Column("run_id", BIGID, ForeignKey("rebalance_runs.id"), primary_key=True),
    Column("account_id", String(64), ForeignKey("accounts.id"), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("model", String(64), nullable=False),
    Column("model_version", String(16), nullable=False),
    Column("reasons", Text, nullable=False),
    Column("value", ExactDecimal, nullable=False),
    Column("cash_before", ExactDecimal, nullable=False),
    Column("cash_after", ExactDecimal, nullable=False),
    Column("drift_before", ExactDecimal, nullable=False),
    Column("drift_after", ExactDecimal, nullable=False),
    Column("est_short_term_gain", ExactDecimal, nullable=False),
    Column("est_long_term_gain", ExactDecimal, nullable=False),
)

proposed_trades = Table(
    "proposed_trades", metadata,
    Column("run_id", BIGID, ForeignKey("rebalance_runs.id"), primary_key=True),
    Column("account_id", String(64), ForeignKey("accounts.id"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("instrument_id", String(64), ForeignKey("instruments.id"), nullable=False),
    Column("side", String(4), nullable=False),
    Column("quantity", ExactDecimal, nullable=False),
    Column("est_price", ExactDecimal, nullable=False),
    Column("est_value", ExactDecimal, nullable=False),
    Column("est_cost", ExactDecimal, nullable=False),
    Column("sleeve", String(64), nullable=False),
    Column("lots", Text, nullable=False),
    Column("est_short_term_gain", ExactDecimal, nullable=False),
    Column("est_long_term_gain", ExactDecimal, nullable=False),
    Column("rationale", Text, nullable=False),
    # The trade in its instrument's currency (est_price/est_value are in the account's base);
    # runs stored before 0005 have NULL prices where the two currencies differ.
    Column("currency", String(8), nullable=False, server_default=""),
    Column("est_local_price", ExactDecimal),
    Column("est_local_value", ExactDecimal),
)

proposed_fx = Table(
    "proposed_fx", metadata,
    Column("run_id", BIGID, ForeignKey("rebalance_runs.id"), primary_key=True),
    Column("account_id", String(64), ForeignKey("accounts.id"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("sell_currency", String(8), nullable=False),
    Column("buy_currency", String(8), nullable=False),
    Column("sell_amount", ExactDecimal, nullable=False),
    Column("buy_amount", ExactDecimal, nullable=False),
    Column("rate", ExactDecimal, nullable=False),
    Column("est_cost", ExactDecimal, nullable=False),
    Column("rationale", Text, nullable=False),
)

rule_set_versions = Table(
    "rule_set_versions", metadata,
    Column("name", String(64), primary_key=True),
    Column("version", String(16), primary_key=True),
    Column("yaml", Text, nullable=False),
    Column("loaded_at", DateTime(timezone=True), nullable=False),
)

compliance_checks = Table(
    "compliance_checks", metadata,
    Column("id", BIGID, primary_key=True, autoincrement=True),
    Column("run_id", BIGID, ForeignKey("rebalance_runs.id"), nullable=False, index=True),
    Column("checked_at", DateTime(timezone=True), nullable=False),
    # "name:version" of each rule set checked against, comma separated.
    Column("rule_sets", Text, nullable=False),
    Column("approved", Integer, nullable=False),
    Column("denied", Integer, nullable=False),
)

check_decisions = Table(
    "check_decisions", metadata,
    Column("check_id", BIGID, ForeignKey("compliance_checks.id"), primary_key=True),
    Column("account_id", String(64), ForeignKey("accounts.id"), primary_key=True),
    Column("approved", Boolean, nullable=False),
    Column("fixes", Text, nullable=False),  # JSON list of the trades changed, with why
)

check_violations = Table(
    "check_violations", metadata,
    Column("check_id", BIGID, ForeignKey("compliance_checks.id"), primary_key=True),
    Column("account_id", String(64), ForeignKey("accounts.id"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("rule_id", String(64), nullable=False),
    Column("scope", String(140), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("action", String(16), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("measured", Text, nullable=False),  # float repr ("nan" when unknown)
    Column("rule_limit", Text, nullable=False),
    Column("trades", Text, nullable=False),  # proposed_trades seq of the account, "1;3"
    Column("explanation", Text, nullable=False),
)

# Execution (store/orders.py): blocks with their allocation plans, orders and their events,
# fills, and the allocations booked into the accounts.
blocks = Table(
    "blocks", metadata,
    Column("id", String(40), primary_key=True),  # the block's deterministic client order id
    Column("run_id", BIGID, ForeignKey("rebalance_runs.id"), nullable=False, index=True),
    Column("custodian", String(64), nullable=False),
    Column("instrument_id", String(64), ForeignKey("instruments.id"), nullable=False),
    Column("side", String(4), nullable=False),
    Column("quantity", ExactDecimal, nullable=False),
    Column("lot_size", ExactDecimal, nullable=False),
    Column("currency", String(8), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("allocated_at", DateTime(timezone=True)),  # NULL until allocated and booked
)

block_plans = Table(
    "block_plans", metadata,
    Column("block_id", String(40), ForeignKey("blocks.id"), primary_key=True),
    Column("account_id", String(64), ForeignKey("accounts.id"), primary_key=True),
    Column("quantity", ExactDecimal, nullable=False),
)

orders = Table(
    "orders", metadata,
    Column("client_order_id", String(40), primary_key=True),
    Column("block_id", String(40), ForeignKey("blocks.id"), nullable=False, index=True),
    Column("instrument_id", String(64), ForeignKey("instruments.id"), nullable=False),
    Column("side", String(4), nullable=False),
    Column("quantity", ExactDecimal, nullable=False),
    Column("order_type", String(16), nullable=False),
    Column("limit_price", ExactDecimal),
    Column("time_in_force", String(8), nullable=False),
    Column("state", String(16), nullable=False),
    Column("filled_quantity", ExactDecimal, nullable=False),
    Column("events", Integer, nullable=False),
    Column("broker", String(32), nullable=False),
    Column("broker_order_id", String(64), nullable=False),
)

order_events = Table(
    "order_events", metadata,
    Column("client_order_id", String(40), ForeignKey("orders.client_order_id"),
           primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("previous", String(16)),
    Column("state", String(16), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("filled_quantity", ExactDecimal, nullable=False),
    Column("reason", Text, nullable=False),
)

fills = Table(
    "fills", metadata,
    Column("fill_id", String(80), primary_key=True),
    Column("client_order_id", String(40), ForeignKey("orders.client_order_id"),
           nullable=False, index=True),
    Column("instrument_id", String(64), ForeignKey("instruments.id"), nullable=False),
    Column("side", String(4), nullable=False),
    Column("quantity", ExactDecimal, nullable=False),
    Column("price", ExactDecimal, nullable=False),
    Column("commission", ExactDecimal, nullable=False),
    Column("currency", String(8), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

allocations = Table(
    "allocations", metadata,
    Column("block_id", String(40), ForeignKey("blocks.id"), primary_key=True),
    Column("account_id", String(64), ForeignKey("accounts.id"), primary_key=True),
    Column("quantity", ExactDecimal, nullable=False),
    Column("price", ExactDecimal, nullable=False),
    Column("commission", ExactDecimal, nullable=False),
    Column("transaction_id", String(64), nullable=False),  # the booked buy or sell
)

# Kill switch (store/kill_switch.py): the switches engaged now, one row per scope, and every
# engage and disengage in order (the hash-chained audit journal comes with issue 8).
kill_switches = Table(
    "kill_switches", metadata,
    Column("scope", String(140), primary_key=True),  # global, broker:<name>, account:<id>
    Column("engaged_by", String(64), nullable=False),
    Column("engaged_at", DateTime(timezone=True), nullable=False),
    Column("reason", Text, nullable=False),
)

kill_switch_history = Table(
    "kill_switch_history", metadata,
    Column("id", BIGID, primary_key=True, autoincrement=True),
    Column("scope", String(140), nullable=False, index=True),
    Column("action", String(16), nullable=False),  # engage, disengage
    Column("user_name", String(64), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("reason", Text, nullable=False),
)

# Audit journal (store/audit.py): append-only, hash-chained; see docs/audit.md. ``at`` is the
# ISO text that was hashed, ``subject`` and ``payload`` canonical JSON, so a row reads back to
# exactly the bytes its hash covers.
audit_journal = Table(
    "audit_journal", metadata,
    Column("seq", BIGID, primary_key=True, autoincrement=False),
    Column("at", String(40), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("kind", String(64), nullable=False, index=True),
    Column("subject", Text, nullable=False),
    Column("rationale", Text, nullable=False),
    Column("policy_version", Text, nullable=False),
    Column("snapshot_id", String(80), nullable=False),
    Column("payload", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

# Reconciliation (store/reconciliation.py): each ``ballast reconcile`` run with its sources and
# tolerances, its breaks in order (``source`` broker or custodian; ``item`` the instrument or the
# currency), and the adjustments booked against breaks, each with its reason and user.
reconciliation_reports = Table(
    "reconciliation_reports", metadata,
    Column("id", BIGID, primary_key=True, autoincrement=True),
    Column("as_of", Date, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("broker", String(64), nullable=False),
    Column("custodian", Text, nullable=False),
    Column("quantity_tolerance", ExactDecimal, nullable=False),
    Column("cash_tolerance", ExactDecimal, nullable=False),
    Column("status", String(16), nullable=False),  # clean, breaks
    Column("accounts", Integer, nullable=False),
    Column("positions", Integer, nullable=False),
    Column("breaks", Integer, nullable=False),
)

reconciliation_breaks = Table(
    "reconciliation_breaks", metadata,
    Column("report_id", BIGID, ForeignKey("reconciliation_reports.id"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("source", String(16), nullable=False),
    Column("account_id", String(64), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("item", String(64), nullable=False),
    Column("book_value", ExactDecimal),
    Column("external_value", ExactDecimal),
    Column("difference", ExactDecimal, nullable=False),
    Column("explanation", Text, nullable=False),
)

reconciliation_adjustments = Table(
    "reconciliation_adjustments", metadata,
    Column("report_id", BIGID, primary_key=True),
    Column("break_seq", Integer, primary_key=True),
    Column("transaction_id", String(64), nullable=False),
    Column("reason", Text, nullable=False),
    Column("user_name", String(64), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    ForeignKeyConstraint(
        ["report_id", "break_seq"],
        ["reconciliation_breaks.report_id", "reconciliation_breaks.seq"],
        name="fk_reconciliation_adjustments_report_id_reconciliation_breaks"),
)

# Users, tokens and approvals (store/users.py, store/approvals.py). A token row is an API token
# (``kind`` "api") or a dashboard session ("session"); only the SHA-256 of either is stored.
users = Table(
    "users", metadata,
    Column("id", BIGID, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, index=True, unique=True),
    Column("password_hash", Text, nullable=False),  # argon2id
    Column("roles", String(200), nullable=False),  # comma separated role names
    Column("active", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

api_tokens = Table(
    "api_tokens", metadata,
    Column("id", BIGID, primary_key=True, autoincrement=True),
    Column("token_hash", String(64), nullable=False, index=True, unique=True),
    Column("user_id", BIGID, ForeignKey("users.id"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("label", String(100), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
)

# Who proposed a run (the maker, who may not approve it); runs without a row were made by the
# system and any approver may approve them.
run_proposers = Table(
    "run_proposers", metadata,
    Column("run_id", BIGID, ForeignKey("rebalance_runs.id"), primary_key=True),
    Column("user_name", String(64), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

approvals = Table(
    "approvals", metadata,
    Column("id", BIGID, primary_key=True, autoincrement=True),
    Column("run_id", BIGID, ForeignKey("rebalance_runs.id"), nullable=False, index=True),
    Column("account_id", String(64), ForeignKey("accounts.id"), nullable=False),
    Column("decision", String(16), nullable=False),  # approved, rejected
    Column("basis", String(16), nullable=False),  # automatic, threshold, person
    Column("user_name", String(64), nullable=False),
    Column("reason", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

# Secrets (broker credentials): Fernet tokens under BALLAST_SECRET_KEY; never read back in clear
# except by the engine that needs them.
secrets = Table(
    "secrets", metadata,
    Column("name", String(128), primary_key=True),
    Column("ciphertext", Text, nullable=False),
    Column("updated_by", String(64), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Daily cycles (store/cycles.py): one per (date, environment); each stage's status, a summary in
# words and its outcome (canonical JSON: what a resumed cycle needs, e.g. the run id).
cycles = Table(
    "cycles", metadata,
    Column("id", BIGID, primary_key=True, autoincrement=True),
    Column("as_of", Date, nullable=False),
    Column("environment", String(16), nullable=False),  # backtest, paper, live
    Column("config_version", String(64), nullable=False),
    Column("status", String(16), nullable=False),  # running, completed, failed, stopped
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    UniqueConstraint("as_of", "environment", name="uq_cycles_day"),
)

cycle_stages = Table(
    "cycle_stages", metadata,
    Column("cycle_id", BIGID, ForeignKey("cycles.id"), primary_key=True),
    Column("stage", String(32), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("status", String(16), nullable=False),  # done, failed, skipped
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("summary", Text, nullable=False),
    Column("outcome", Text, nullable=False),
)

# Onboarding (store/onboarding.py): questionnaire versions (YAML by content hash, the latest
# loaded is in force), the KYC facts of a household's client (the tax id only encrypted or
# hashed, with its last four characters; the ID document's number only by its last four), and
# the suitability record of each account opened: answers, scores, models, override, who, when.
questionnaire_versions = Table(
    "questionnaire_versions", metadata,
    Column("name", String(64), primary_key=True),
    Column("version", String(16), primary_key=True),
    Column("yaml", Text, nullable=False),
    Column("loaded_at", DateTime(timezone=True), nullable=False),
)

client_profiles = Table(
    "client_profiles", metadata,
    Column("household_id", String(64), ForeignKey("households.id"), primary_key=True),
    Column("legal_name", Text, nullable=False),
    Column("date_of_birth", Date, nullable=False),
    Column("address", Text, nullable=False),
    Column("country", String(2), nullable=False),
    Column("tax_id_ciphertext", Text),  # Fernet under BALLAST_SECRET_KEY, when one is set
    Column("tax_id_hash", Text),  # argon2id, when no key is set
    Column("tax_id_last4", String(4), nullable=False),
    Column("employment", String(16), nullable=False),
    Column("source_of_funds", Text, nullable=False),
    Column("pep", Boolean, nullable=False),
    Column("id_document_type", String(16), nullable=False),
    Column("id_document_last4", String(4), nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

suitability_records = Table(
    "suitability_records", metadata,
    Column("id", BIGID, primary_key=True, autoincrement=True),
    Column("household_id", String(64), ForeignKey("households.id"), nullable=False),
    Column("account_id", String(64), ForeignKey("accounts.id"), nullable=False, index=True),
    Column("questionnaire_version", String(16), nullable=False),
    Column("answers", Text, nullable=False),  # canonical JSON: question id → option id
    Column("attitude_score", Integer, nullable=False),
    Column("capacity_score", Integer),
    Column("horizon_score", Integer),
    Column("risk_score", Integer, nullable=False),
    Column("model_recommended", String(64), nullable=False),
    Column("model_chosen", String(64), nullable=False),
    Column("override_reason", Text, nullable=False),
    Column("user_name", String(64), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)
