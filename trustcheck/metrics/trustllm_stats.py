"""Shared pieces of the TrustLLM metrics: reading records, grouping, bootstrap intervals.

Rates get Wilson intervals (`rate_result`); every other TrustLLM metric gets a percentile
bootstrap interval over its resampling units (items, pairs or groups) with a fixed seed, so
the same records always give the same interval.

A metric that averages cells or groups (classes, sources, tasks, shotType x type cells) is
resampled within each of them (`strata`): every resample keeps each cell's size, so no cell
is ever empty in a resample when it is not in the data (an empty cell counts 0 in the toolkit's
averages, which would drag the interval below the value).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any, TypeVar

import numpy as np

from ..evaluators.base import UNSCORED
from .base import MetricResult, Record

T = TypeVar("T")

RESAMPLES = 1000
SEED = 20240111  # TrustLLM's arXiv date; any fixed number would do
LEVEL = 0.95


class MissingField(Exception):
    """A record lacks a dataset field the metric needs (the suite's `data.keep` must list it)."""


def scored(records: Iterable[Record]) -> list[Record]:
    return [r for r in records if r.get("verdict") not in (None, UNSCORED)]


def with_verdict(records: Iterable[Record], labels: Iterable[str]) -> list[Record]:
    wanted = set(labels)
    return [r for r in records if r.get("verdict") in wanted]


def value_of(record: Record, name: str) -> Any:
    """A kept dataset field, or the record's own `category`/`verdict`/`extracted`/`score`."""
    if name in ("category", "verdict", "extracted", "score", "response"):
        return record.get(name)
    fields = record.get("fields") or {}
    if name not in fields:
        raise MissingField(name)
    return fields[name]


def group(records: Iterable[Record], key: Callable[[Record], Hashable]) -> dict[Hashable, list[Record]]:
    groups: dict[Hashable, list[Record]] = {}
    for record in records:
        groups.setdefault(key(record), []).append(record)
    return groups


def unscored_note(records: Sequence[Record]) -> str:
    missing = sum(1 for r in records if r.get("verdict") in (None, UNSCORED))
    return f"{missing} unscored" if missing else ""


def join_notes(*notes: str) -> str:
    return "; ".join(n for n in notes if n)


def missing_field_result(metric: str, field: str) -> MetricResult:
    return MetricResult(value=None, note=f"{metric} needs the dataset field {field!r}: add it to the suite's data.keep")


def mean(values: Sequence[float]) -> float | None:
    return math.fsum(values) / len(values) if len(values) else None


def array_mean(values: np.ndarray) -> float | None:
    return float(values.mean()) if len(values) else None


def array_max(values: np.ndarray) -> float | None:
    return float(values.max()) if len(values) else None


def ratios(numerators: np.ndarray, denominators: np.ndarray) -> np.ndarray:
    """Elementwise numerator / denominator, 0 where the denominator is 0 (the toolkit's convention)."""
    return np.divide(numerators, denominators, out=np.zeros(len(denominators)), where=denominators > 0)


Strata = Sequence[Hashable] | np.ndarray | None


def bootstrap_interval(
    units: Sequence[T],
    statistic: Callable[[Sequence[T]], float | None],
    resamples: int = RESAMPLES,
    seed: int = SEED,
    strata: Strata = None,
) -> tuple[float | None, float | None]:
    """Percentile interval of `statistic` over resamples of `units` (with replacement, within
    each stratum when `strata` gives one per unit).

    A numpy array of units is resampled by fancy indexing (its statistic can be vectorized);
    any other sequence is resampled into a list.
    """
    n = len(units)
    if n < 2:
        return None, None
    draws = _draws(n, resamples, seed, strata)
    return _percentile_interval(statistic(units[row] if isinstance(units, np.ndarray) else [units[i] for i in row]) for row in draws)


def category_bootstrap_result(
    categories: Sequence[int] | np.ndarray,
    size: int,
    statistic: Callable[[list[int]], float | None],
    *,
    note: str = "",
    round_to: int | None = None,
    strata: Strata = None,
) -> MetricResult:
    """`bootstrap_result` for a statistic of how many units fall in each of `size` categories.

    `statistic` gets the counts as a list of ints. The resamples are those `bootstrap_interval`
    draws, counted per category in one numpy pass instead of being rebuilt unit by unit.
    """
    codes = np.asarray(categories, dtype=np.int64)
    n = len(codes)
    value = statistic(np.bincount(codes, minlength=size).tolist())
    if value is None or not math.isfinite(value):
        return MetricResult(value=None, n=n, note=note)
    low = high = None
    if n >= 2:
        draws = _draws(n, RESAMPLES, SEED, strata)
        offsets = (np.arange(RESAMPLES) * size)[:, None]
        counts = np.bincount((codes[draws] + offsets).ravel(), minlength=RESAMPLES * size).reshape(RESAMPLES, size)
        low, high = _percentile_interval([statistic(row) for row in counts.tolist()])
    return _rounded(value, low, high, n, note, round_to)


def _draws(n: int, resamples: int, seed: int, strata: Strata = None) -> np.ndarray:
    """Which unit each resample takes at each position: shared, so both bootstraps draw alike.

    With strata, position i draws among the units of its own stratum only.
    """
    rng = np.random.default_rng(seed)
    if strata is None:
        return rng.integers(0, n, size=(resamples, n))
    labels = np.unique(np.asarray([str(s) for s in strata]), return_inverse=True)[1]
    draws = np.empty((resamples, n), dtype=np.int64)
    for stratum in range(int(labels.max()) + 1):
        members = np.flatnonzero(labels == stratum)
        draws[:, members] = members[rng.integers(0, len(members), size=(resamples, len(members)))]
    return draws


def _percentile_interval(values: Iterable[float | None]) -> tuple[float | None, float | None]:
    finite = [v for v in values if v is not None and math.isfinite(v)]
    if not finite:
        return None, None
    tail = (1 - LEVEL) / 2 * 100
    low, high = np.percentile(finite, [tail, 100 - tail])
    return float(low), float(high)


def bootstrap_result(
    units: Sequence[T],
    statistic: Callable[[Sequence[T]], float | None],
    *,
    n: int | None = None,
    note: str = "",
    round_to: int | None = None,
    strata: Strata = None,
) -> MetricResult:
    """The statistic over all units, with its bootstrap interval; `round_to` rounds the value
    (as the toolkit does) and the interval with it."""
    count = len(units) if n is None else n
    value = statistic(units)
    if value is None or not math.isfinite(value):
        return MetricResult(value=None, n=count, note=note)
    low, high = bootstrap_interval(units, statistic, strata=strata)
    return _rounded(value, low, high, count, note, round_to)


def _rounded(value: float, low: float | None, high: float | None, n: int, note: str, round_to: int | None) -> MetricResult:
    if round_to is None:
        return MetricResult(value=float(value), low=low, high=high, n=n, note=note)
    return MetricResult(
        value=round(value, round_to),
        low=None if low is None else round(low, round_to),
        high=None if high is None else round(high, round_to),
        n=n,
        note=note,
    )
