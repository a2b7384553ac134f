"""The invariance rate counts searched prompts only."""

import pytest

from trustcheck.metrics.registry import metric_function
from trustcheck.perturb.spec import load_property  # noqa: F401  (registers the metric)


def test_invariance_counts_held_among_searched_prompts():
    invariance = metric_function("invariance")
    records = [{"verdict": v} for v in ["held", "held", "flipped", "precondition_unmet", "unscored"]]
    result = invariance(records)
    assert result.value == pytest.approx(2 / 3) and result.n == 3
    assert result.note == "1 skipped: precondition unmet; 1 unscored"
    assert 0 < result.low < result.value < result.high < 1


def test_no_searched_prompt_gives_no_value():
    result = metric_function("invariance")([{"verdict": "precondition_unmet"}])
    assert result.value is None and result.n == 0
