"""The invariance rate of a property suite: prompts whose verdict held, among those searched."""

from __future__ import annotations

from collections.abc import Sequence

from ..metrics.base import MetricResult, Record, rate_result
from ..metrics.registry import register_metric

HELD = "held"
FLIPPED = "flipped"
PRECONDITION_UNMET = "precondition_unmet"


@register_metric("invariance")
def invariance(records: Sequence[Record], *, mode: str = "toolkit") -> MetricResult:
    """held / (held + flipped). Prompts with no search (precondition unmet, unscored original)
    are left out, and the note says how many."""
    searched = [r for r in records if r.get("verdict") in (HELD, FLIPPED)]
    held = sum(1 for r in searched if r["verdict"] == HELD)
    unmet = sum(1 for r in records if r.get("verdict") == PRECONDITION_UNMET)
    other = len(records) - len(searched) - unmet
    notes = [f"{unmet} skipped: precondition unmet"] if unmet else []
    notes += [f"{other} unscored"] if other else []
    return rate_result(held, len(searched), "; ".join(notes))


invariance.value_range = (0.0, 1.0)  # type: ignore[attr-defined]
