"""The shared bootstrap helper: fixed seed, sensible bounds, degenerate inputs."""

from __future__ import annotations

from trustcheck.metrics.trustllm_stats import bootstrap_interval, bootstrap_result, mean


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


def test_bootstrap_result_rounds_only_the_value():
    result = bootstrap_result([0.12345, 0.5, 0.9], mean, round_to=3)
    assert result.value == round(mean([0.12345, 0.5, 0.9]), 3) and result.n == 3


def test_undefined_statistic_gives_no_value():
    result = bootstrap_result([], mean, note="empty")
    assert result.value is None and result.note == "empty" and result.n == 0
