"""The audit journal in the store: appends chained inside the caller's transaction and
serialized (the table is locked on PostgreSQL; SQLite's write transaction already is), reads,
and the entries each use case records."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select, text

from ballast.audit import Draft, Entry, canonical_json, chain, timestamp
from ballast.domain import Transaction
from ballast.store.compliance import StoredDecision, StoredViolation
from ballast.store.orders import AllocationRecord, OrderRecord
from ballast.store.proposals import AccountProposal, ProposedTrade
from ballast.store.repository import Repository
from ballast.store.schema import audit_journal, blocks, rebalance_runs

_COLUMNS = ("seq", "at", "actor", "kind", "subject", "rationale", "policy_version",
            "snapshot_id", "payload", "prev_hash", "hash")


def _row(e: Entry) -> tuple[Any, ...]:
    return (e.seq, timestamp(e.at), e.actor, e.kind, canonical_json(list(e.subject)),
            e.rationale, e.policy_version, e.snapshot_id, canonical_json(e.payload),
            e.prev_hash, e.hash)


def _entry(r: Any) -> Entry:
    return Entry(int(r.seq), datetime.fromisoformat(r.at), r.actor, r.kind,
                 tuple(json.loads(r.subject)), r.rationale, r.policy_version, r.snapshot_id,
                 json.loads(r.payload), r.prev_hash, r.hash)


class AuditRepository(Repository):
    """Appends to and reads of the audit journal."""

    def append_audit(self, drafts: Sequence[Draft], at: datetime | None = None) -> list[Entry]:
        """Chain ``drafts`` after the journal's newest entry and write them; returns them."""
        if not drafts:
            return []
        if not self._codec.sqlite:
            self._conn.execute(text("LOCK TABLE audit_journal IN EXCLUSIVE MODE"))
        t = audit_journal
        tail = self._conn.execute(select(t).order_by(t.c.seq.desc()).limit(1)).first()
        entries = chain(drafts, at or datetime.now(UTC), _entry(tail) if tail else None)
        self._write(t, _COLUMNS, [_row(e) for e in entries])
        return entries

    def audit_entries(self, since: int | None = None, subject: str | None = None,
                      limit: int | None = None) -> list[Entry]:
        """Entries in sequence order: from seq ``since`` on, naming ``subject`` (a whole
        token such as ``run:3``), the newest ``limit``."""
        t = audit_journal
        query = select(t).order_by(t.c.seq.desc())
        if since is not None:
            query = query.where(t.c.seq >= since)
        if subject is not None:
            query = query.where(t.c.subject.contains(json.dumps(subject, ensure_ascii=False),
                                                     autoescape=True))
        if limit is not None:
            query = query.limit(limit)
        return [_entry(r) for r in reversed(self._conn.execute(query).fetchall())]

    def audit_run(self, run_id: int, as_of: date, snapshot_id: str, policy_version: str,
                  accounts: Sequence[AccountProposal], trades: Sequence[ProposedTrade]) -> None:
        """A stored rebalance run: its header, then each proposed trade with its rationale
        and the trigger of its account."""
        run = f"run:{run_id}"
        status: dict[str, int] = {}
        for a in accounts:
            status[a.status] = status.get(a.status, 0) + 1
        header = Draft("rebalance.run", (run,), (
            f"rebalance run {run_id} as of {as_of}: {status.get('trade', 0)} of "
            f"{len(accounts)} accounts to trade, {len(trades)} trades"),
            {"as_of": as_of.isoformat(), "accounts": status, "trades": len(trades)},
            policy_version, snapshot_id)
        why = {a.account_id: a for a in accounts}
        seq: dict[str, int] = {}
        drafts = [header]
        for t in trades:
            seq[t.account_id] = seq.get(t.account_id, 0) + 1
            a = why[t.account_id]
            drafts.append(Draft("rebalance.proposed", (
                run, f"account:{t.account_id}", f"trade:{run_id}:{t.account_id}:"
                f"{seq[t.account_id]}", f"instrument:{t.instrument_id}"), t.rationale, {
                "trigger": a.reasons, "model": a.model, "model_version": a.model_version,
                "side": t.side, "instrument": t.instrument_id, "quantity": t.quantity,
                "est_price": t.est_price, "est_value": t.est_value, "est_cost": t.est_cost,
                "currency": t.currency, "sleeve": t.sleeve, "lots": t.lots,
                "est_short_term_gain": t.est_short_term_gain,
                "est_long_term_gain": t.est_long_term_gain}, policy_version, snapshot_id))
        self.append_audit(drafts)

    def audit_check(self, run_id: int, check_id: int, rule_sets: Sequence[str],
                    snapshot_id: str, decisions: Sequence[StoredDecision],
                    violations: Sequence[StoredViolation],
                    trades: Sequence[ProposedTrade]) -> None:
        """A stored compliance check: one entry per account decision, naming its trades."""
        count: dict[str, int] = {}
        for t in trades:
            count[t.account_id] = count.get(t.account_id, 0) + 1
        broken: dict[str, list[StoredViolation]] = {}
        for v in violations:
            broken.setdefault(v.account_id, []).append(v)
        drafts = []
        for d in decisions:
            mine = broken.get(d.account_id, [])
            subject = (f"run:{run_id}", f"check:{check_id}", f"account:{d.account_id}",
                       *(f"trade:{run_id}:{d.account_id}:{k}"
                         for k in range(1, count.get(d.account_id, 0) + 1)))
            rationale = "; ".join(f"{v.rule_id} ({v.action}): {v.explanation}" for v in mine)
            drafts.append(Draft(
                "compliance.approved" if d.approved else "compliance.denied", subject,
                rationale or "no rule breached",
                {"violations": [{"rule": v.rule_id, "kind": v.kind, "action": v.action,
                                 "subject": v.subject, "measured": v.measured,
                                 "limit": v.limit, "trades": list(v.trades)} for v in mine],
                 "fixes": json.loads(d.fixes or "[]")},
                ",".join(rule_sets), snapshot_id))
        self.append_audit(drafts)

    def audit_kill_switch(self, action: str, scope: str, user: str, reason: str,
                          at: datetime) -> None:
        """A kill switch engaged or disengaged (``action``: engage | disengage)."""
        subject = (f"kill_switch:{scope}",) + ((scope,) if ":" in scope else ())
        self.append_audit([Draft(f"kill_switch.{action}d", subject, reason,
                                 {"scope": scope, "action": action}, actor=user)], at)

    def audit_orders(self, orders: Sequence[OrderRecord],
                     plans: Mapping[str, Sequence[str]]) -> None:
        """Orders marked submitted (persisted before they are sent)."""
        runs = self._runs_of_blocks({o.block_id for o in orders})
        drafts = []
        for o in orders:
            run_id, policy, snap = runs[o.block_id]
            accounts = plans.get(o.block_id, ())
            drafts.append(Draft("order.submitted", (
                f"order:{o.client_order_id}", f"block:{o.block_id}", f"run:{run_id}",
                f"instrument:{o.instrument_id}", *(f"account:{a}" for a in accounts)),
                f"{o.side} {o.quantity} {o.instrument_id} ({o.order_type}, "
                f"{o.time_in_force}) to {o.broker}, working block {o.block_id} for "
                f"{', '.join(accounts) or 'its accounts'}",
                {"side": o.side, "quantity": o.quantity, "order_type": o.order_type,
                 "limit_price": o.limit_price, "broker": o.broker}, policy, snap))
        self.append_audit(drafts)

    def audit_bookings(self, run_id: int, txns: Sequence[Transaction],
                       allocations: Mapping[str, Sequence[AllocationRecord]]) -> None:
        """Fills allocated to accounts and booked into their lots."""
        if not txns:
            return
        block_of = {a.transaction_id: b for b, allocs in allocations.items() for a in allocs}
        _, policy, snap = self._run(run_id)
        self.append_audit([Draft("fill.booked", (
            f"run:{run_id}", f"block:{block_of[t.id]}", f"account:{t.account_id}",
            f"instrument:{t.instrument_id}", f"transaction:{t.id}"),
            f"booked {t.kind.value} {t.quantity} {t.instrument_id} at {t.price} into "
            f"{t.account_id} (block {block_of[t.id]})",
            {"transaction": t.id, "side": t.kind.value, "quantity": t.quantity,
             "price": t.price, "fees": t.fees, "currency": t.currency, "date": t.trade_date},
            policy, snap) for t in txns])

    def _run(self, run_id: int) -> tuple[int, str, str]:
        r = rebalance_runs
        row = self._conn.execute(select(r.c.policy_version, r.c.snapshot_id)
                                 .where(r.c.id == run_id)).one()
        return run_id, row.policy_version, row.snapshot_id

    def _runs_of_blocks(self, block_ids: set[str]) -> dict[str, tuple[int, str, str]]:
        rows = self._conn.execute(select(blocks.c.id, blocks.c.run_id)
                                  .where(blocks.c.id.in_(sorted(block_ids))))
        return {b: self._run(int(run_id)) for b, run_id in rows}
