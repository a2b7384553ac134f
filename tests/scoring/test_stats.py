"""The shared bootstrap helper: fixed seed, sensible bounds, degenerate inputs."""

from __future__ import annotations

import random

from trustcheck.metrics.trustllm_stats import (
    bootstrap_interval,
    bootstrap_result,
    category_bootstrap_result,
    mean,
)


def test_bootstrap_is_deterministic_and_brackets_the_mean():
    values = [0.1, 0.4, 0.35, 0.8, 0.55, 0.2, 0.9, 0.05]
    first = bootstrap_interval(values, mean)
    assert first == bootstrap_interval(values, mean)
    low, high = first
    assert min(values) <= low < mean(values) < high <= max(values)


def test_bootstrap_needs_two_units_and_skips_undefined_resamples():
    assert bootstrap_interval([1.0], mean) == (None, None)
    result = bootstrap_result([1.0, 2.0], lambda s: None if len(set(s)) == 1 else mean(s))
    assert result.value == 1.5 and result.low is not None and result.low >= 1.5 - 1e-9


def test_bootstrap_result_rounds_the_value_and_its_interval_alike():
    result = bootstrap_result([0.12345, 0.5, 0.9], mean, round_to=3)
    assert result.value == round(mean([0.12345, 0.5, 0.9]), 3) and result.n == 3
    assert result.low == round(result.low, 3) and result.high == round(result.high, 3)
    assert result.low <= result.value <= result.high


def test_undefined_statistic_gives_no_value():
    result = bootstrap_result([], mean, note="empty")
    assert result.value is None and result.note == "empty" and result.n == 0


def _share_of_first(sample) -> float | None:
    return sum(1 for unit in sample if unit == 0) / len(sample) if len(sample) else None


def _ratio_of_first_to_second(counts: list[int]) -> float | None:
    return counts[0] / counts[1] if counts[1] else None


def test_counting_categories_resamples_exactly_as_resampling_units():
    rng = random.Random(7)
    codes = [rng.randrange(4) for _ in range(300)]
    by_units = bootstrap_result(codes, lambda s: _ratio_of_first_to_second([s.count(0), s.count(1)]))
    by_counts = category_bootstrap_result(codes, 4, _ratio_of_first_to_second)
    assert (by_counts.value, by_counts.low, by_counts.high, by_counts.n) == (by_units.value, by_units.low, by_units.high, by_units.n)
    assert by_counts.low < by_counts.value < by_counts.high


def test_counting_categories_keeps_the_edge_cases_of_resampling_units():
    assert category_bootstrap_result([], 2, _ratio_of_first_to_second).value is None
    single = category_bootstrap_result([0, 1], 2, _ratio_of_first_to_second, round_to=2)
    assert single.value == 1.0 and single.n == 2
    # Resamples without a second-category unit are undefined and left out, as bootstrap_interval does.
    assert (single.low, single.high) == bootstrap_interval([0, 1], lambda s: _ratio_of_first_to_second([s.count(0), s.count(1)]))
    assert category_bootstrap_result([0], 2, lambda counts: float(counts[0])).low is None
