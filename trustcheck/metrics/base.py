"""Metric results and the record shape metrics read.

A record is the builtin-only dict an item sends to the controller (it must cross xdist's
execnet channel): keys `suite`, `item`, `category`, `verdict`, `passed`, `score`, `reason`,
`fields` (the dataset fields the suite asked to keep) and `response`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Record = Mapping[str, Any]


@dataclass(frozen=True)
class MetricResult:
    """A metric value with its 95% interval, the number of items behind it and caveats."""

    value: float | None
    low: float | None = None
    high: float | None = None
    n: int = 0
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"value": self.value, "low": self.low, "high": self.high, "n": self.n, "note": self.note}


MetricFunction = Callable[..., MetricResult]


def wilson_interval(successes: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """95% Wilson score interval for a binomial proportion; (0, 1) when n is 0."""
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def rate_result(successes: int, n: int, note: str = "") -> MetricResult:
    low, high = wilson_interval(successes, n)
    value = successes / n if n else None
    return MetricResult(value=value, low=low if n else None, high=high if n else None, n=n, note=note)
