"""The unit of work: every repository on one connection inside one database transaction."""

from __future__ import annotations

from ballast.store.approvals import ApprovalRepository
from ballast.store.audit import AuditRepository
from ballast.store.book import BookRepository
from ballast.store.compliance import ComplianceRepository
from ballast.store.cycles import CycleRepository
from ballast.store.imports import ImportRepository
from ballast.store.kill_switch import KillSwitchRepository
from ballast.store.login_throttle import LoginThrottleRepository
from ballast.store.market import MarketRepository
from ballast.store.models import ModelRepository
from ballast.store.onboarding import OnboardingRepository
from ballast.store.orders import OrderRepository
from ballast.store.proposals import ProposalRepository
from ballast.store.reconciliation import ReconciliationRepository
from ballast.store.reference import ReferenceRepository
from ballast.store.users import UserRepository
from ballast.store.views import ViewRepository


class UnitOfWork(ReferenceRepository, BookRepository, MarketRepository, ImportRepository,
                 ModelRepository, ProposalRepository, ComplianceRepository,
                 KillSwitchRepository, OrderRepository, AuditRepository, CycleRepository,
                 UserRepository, ApprovalRepository, ReconciliationRepository,
                 ViewRepository, OnboardingRepository, LoginThrottleRepository):
    """What ``Store.transaction()`` yields: reads and writes of every repository, committed
    together or not at all."""
