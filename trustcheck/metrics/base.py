"""Metric results and the record shape metrics read.

A record is the builtin-only dict an item sends to the controller (it must cross xdist's
execnet channel): keys `suite`, `item`, `category`, `verdict`, `passed`, `score`, `reason`,
`fields` (the dataset fields the suite asked to keep) and `response`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
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
    # At 0 and n successes the bound is exactly 0 or 1; float arithmetic would leave 5.55e-17.
    low = 0.0 if successes == 0 else min(p, max(0.0, centre - half))
    high = 1.0 if successes == n else max(p, min(1.0, centre + half))
    return low, high


def rate_result(successes: int, n: int, note: str = "") -> MetricResult:
    low, high = wilson_interval(successes, n)
    value = successes / n if n else None
    return MetricResult(value=value, low=low if n else None, high=high if n else None, n=n, note=note)


ValueRange = tuple[float, float] | None


def settled(result: MetricResult, value_range: ValueRange = None) -> MetricResult:
    """The result with an interval that holds its value and stays inside the metric's range.

    A percentile bootstrap of a biased or coarse statistic (a p-value, a maximum, a value the
    toolkit rounds) can put the whole interval on one side of the value; the interval is then
    widened to reach the value, never narrowed.
    """
    if result.value is None or result.low is None or result.high is None:
        return result
    value = result.value
    low, high = min(result.low, value), max(result.high, value)
    if value_range is not None:
        low = max(low, min(value_range[0], value))
        high = min(high, max(value_range[1], value))
    return result if (low, high) == (result.low, result.high) else replace(result, low=low, high=high)


DIGITS = 12  # a results file keeps this many digits of a metric's scale; the rest is float noise


def tidy_numbers(value: float | None, low: float | None, high: float | None, value_range: ValueRange = None) -> tuple[float | None, ...]:
    """value, low and high rounded to `DIGITS` decimal digits of the metric's scale (its range,
    else the largest of them, at least 1), so 5.55e-17 is 0 and 0.30000000000000004 is 0.3."""
    numbers = [x for x in (value, low, high) if x is not None and math.isfinite(x)]
    scale = value_range[1] - value_range[0] if value_range else max([1.0, *map(abs, numbers)])
    decimals = DIGITS - max(0, math.ceil(math.log10(scale)))
    return tuple(x if x is None or not math.isfinite(x) else round(x, decimals) + 0.0 for x in (value, low, high))
