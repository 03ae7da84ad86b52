"""Roles and what each may do. A user holds one or more roles; a permission is granted when any
of them grants it. Admins manage users and secrets but do not approve or trade (segregation of
duties): the maker-checker split is kept by giving approvers the trader role."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from ballast.domain import ConfigError


class Role(StrEnum):
    VIEWER = "viewer"
    PORTFOLIO_MANAGER = "portfolio_manager"
    TRADER = "trader"
    COMPLIANCE = "compliance"
    ADMIN = "admin"


class Permission(StrEnum):
    READ = "read"
    PROPOSE = "propose"  # run rebalances and compliance checks
    EDIT_MODELS = "edit_models"  # upload and roll back model versions
    APPROVE = "approve"  # approve or reject proposals (never one's own)
    EXECUTE = "execute"  # send approved runs to the broker
    RULES = "rules"  # compliance rules, breaches
    ENGAGE_KILL_SWITCH = "engage_kill_switch"
    DISENGAGE_KILL_SWITCH = "disengage_kill_switch"
    USERS = "users"  # users, roles, tokens of others, secrets


_GRANTS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: frozenset({Permission.READ}),
    Role.PORTFOLIO_MANAGER: frozenset({Permission.READ, Permission.PROPOSE,
                                       Permission.EDIT_MODELS}),
    Role.TRADER: frozenset({Permission.READ, Permission.APPROVE, Permission.EXECUTE,
                            Permission.ENGAGE_KILL_SWITCH}),
    Role.COMPLIANCE: frozenset({Permission.READ, Permission.RULES, Permission.ENGAGE_KILL_SWITCH,
                                Permission.DISENGAGE_KILL_SWITCH}),
    Role.ADMIN: frozenset({Permission.READ, Permission.USERS}),
}

ALIASES = {"pm": Role.PORTFOLIO_MANAGER, "approver": Role.TRADER}


def parse_roles(names: Iterable[str]) -> tuple[Role, ...]:
    """Roles from their names (``pm`` and ``approver`` are accepted as aliases), sorted and
    distinct; an unknown name raises ConfigError listing the known ones."""
    roles: set[Role] = set()
    for raw in names:
        name = raw.strip().lower().replace("-", "_")
        if not name:
            continue
        role = ALIASES.get(name) or next((r for r in Role if r.value == name), None)
        if role is None:
            raise ConfigError(f"unknown role {raw!r}", field="roles",
                              hint="Roles: " + ", ".join(r.value for r in Role) + ".")
        roles.add(role)
    if not roles:
        raise ConfigError("a user needs at least one role", field="roles",
                          hint="Roles: " + ", ".join(r.value for r in Role) + ".")
    return tuple(sorted(roles))


def permissions_of(roles: Iterable[Role]) -> frozenset[Permission]:
    """Every permission any of ``roles`` grants."""
    return frozenset().union(*(_GRANTS[r] for r in roles))


def roles_granting(permission: Permission) -> tuple[Role, ...]:
    """The roles that grant ``permission`` (for messages)."""
    return tuple(r for r in Role if permission in _GRANTS[r])
