"""The approval policy: how a compliance-approved proposal is approved before it is executed.

```yaml
mode: maker_checker        # or: automatic
auto_approve_below: 25000  # optional: proposals trading less than this (base currency) pass
```

``automatic``: every proposal compliance approved passes straight to execution.
``maker_checker``: a person with the approver (trader) role approves each proposal, and never
the user who proposed the run; with ``auto_approve_below`` the proposals whose total trade value
is below the threshold are approved automatically and only the larger ones need a person.
A policy's version is the content hash of its validated content."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ballast.domain.errors import ConfigError


class ApprovalMode(StrEnum):
    AUTOMATIC = "automatic"
    MAKER_CHECKER = "maker_checker"


class ApprovalPolicy(BaseModel):
    """How proposals are approved (see the module docstring)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    mode: ApprovalMode = ApprovalMode.MAKER_CHECKER
    auto_approve_below: Annotated[Decimal, Field(ge=0, allow_inf_nan=False)] | None = None

    @property
    def version(self) -> str:
        """First 12 hex digits of the sha256 of the canonical JSON of the policy."""
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    def to_yaml(self) -> str:
        """The policy as YAML (what the store keeps)."""
        return yaml.safe_dump(self.model_dump(mode="json", exclude_none=True), sort_keys=True)


def parse_approval_policy(text: str, source: str = "approval policy") -> ApprovalPolicy:
    """Validate YAML ``text``; ConfigError names the field at fault and ``source``."""
    try:
        raw = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not YAML: {exc}", hint="Fix the YAML syntax.") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: expected a mapping with mode and auto_approve_below")
    try:
        return ApprovalPolicy.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "policy"
        raise ConfigError(f"{source}: {where}: {first['msg']}", field=where,
                          hint="mode is automatic or maker_checker; auto_approve_below is a "
                          "non-negative amount.") from None
