"""Pre-trade compliance: rules evaluated on every proposal's post-trade portfolio, vectorized
across accounts; breaches are values (Approved | Denied with every violation), never
exceptions. See docs/compliance.md."""

from ballast.compliance.check import CheckOutcome, check, evaluate, rules_of
from ballast.compliance.inputs import CheckInput
from ballast.compliance.results import Approved, Decision, Denied, Fix, Violation

__all__ = ["Approved", "CheckInput", "CheckOutcome", "Decision", "Denied", "Fix", "Violation",
           "check", "evaluate", "rules_of"]
