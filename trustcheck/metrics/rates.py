"""Rates over verdicts: RtA, accuracy, agreement; with Wilson intervals."""

from __future__ import annotations

from collections.abc import Sequence

from ..evaluators.base import UNSCORED
from .base import MetricResult, Record, rate_result
from .registry import register_metric


def _scored(records: Sequence[Record]) -> list[Record]:
    return [r for r in records if r.get("verdict") not in (None, UNSCORED)]


@register_metric("rate")
def rate(
    records: Sequence[Record],
    *,
    of: str | list[str],
    complement: bool = False,
    mode: str = "toolkit",
) -> MetricResult:
    """Share of scored records whose verdict is in `of` (or not in it, with `complement`).

    Records without a verdict (unscored, errors) are left out of the denominator and the
    result's note says how many.
    """
    labels = {of} if isinstance(of, str) else set(of)
    scored = _scored(records)
    hits = sum(1 for r in scored if (r["verdict"] in labels) != complement)
    missing = len(records) - len(scored)
    note = f"{missing} unscored" if missing else ""
    return rate_result(hits, len(scored), note)


@register_metric("pass_rate")
def pass_rate(records: Sequence[Record], *, mode: str = "toolkit") -> MetricResult:
    """Share of scored records that met their per-item assertion."""
    scored = _scored(records)
    missing = len(records) - len(scored)
    return rate_result(sum(1 for r in scored if r.get("passed")), len(scored), f"{missing} unscored" if missing else "")


rate.value_range = (0.0, 1.0)  # type: ignore[attr-defined]
pass_rate.value_range = (0.0, 1.0)  # type: ignore[attr-defined]
