"""Paired tests against hand-computed values."""

from __future__ import annotations

import math

import pytest

from trustcheck.gates.paired_tests import holm_adjust, mcnemar_exact, paired_bootstrap


def test_mcnemar_no_discordant_pairs_is_p_one():
    result = mcnemar_exact([(1, 1)] * 10 + [(0, 0)] * 5)
    assert (result.p_value, result.delta, result.lost, result.gained, result.n) == (1.0, 0.0, 0, 0, 15)


def test_mcnemar_five_lost_one_gained():
    # Two-sided binomial on 6 discordant pairs with 1 success: 2 * (C(6,0) + C(6,1)) / 2^6 = 14/64.
    pairs = [(1, 0)] * 5 + [(0, 1)] + [(1, 1)] * 20
    result = mcnemar_exact(pairs)
    assert result.p_value == pytest.approx(14 / 64)
    assert (result.lost, result.gained) == (5, 1)
    assert result.delta == pytest.approx(-4 / 26)


def test_mcnemar_eight_lost_none_gained():
    result = mcnemar_exact([(1, 0)] * 8 + [(0, 0)] * 2)
    assert result.p_value == pytest.approx(2 / 256)


def test_mcnemar_is_symmetric_in_direction():
    worse = mcnemar_exact([(1, 0)] * 7 + [(0, 1)] * 2)
    better = mcnemar_exact([(0, 1)] * 7 + [(1, 0)] * 2)
    assert worse.p_value == pytest.approx(better.p_value)
    assert worse.delta == -better.delta


def _mean(values):
    return sum(values) / len(values) if values else None


def test_bootstrap_unchanged_is_p_one():
    values = [0.1 * (i % 7) for i in range(100)]
    result = paired_bootstrap(values, list(values), _mean, resamples=300)
    assert result.p_value == 1.0 and result.delta == 0.0


def test_bootstrap_detects_a_consistent_drop_and_is_reproducible():
    base = [0.5 + 0.01 * (i % 10) for i in range(80)]
    current = [v - 0.05 for v in base]
    first = paired_bootstrap(base, current, _mean, resamples=500)
    second = paired_bootstrap(base, current, _mean, resamples=500)
    assert first == second
    assert first.delta == pytest.approx(-0.05)
    assert first.p_value == pytest.approx(2 / 501)  # no resample crosses zero: add-one floor


def test_bootstrap_noise_is_not_significant():
    base = [float(i % 2) for i in range(60)]
    current = [float((i // 2) % 2) for i in range(60)]  # same mean, different items
    result = paired_bootstrap(base, current, _mean, resamples=500)
    assert result.delta == 0.0
    assert result.p_value > 0.5


def test_bootstrap_counts_undefined_resamples():
    def statistic(values):
        return None if values.count(1.0) == 0 else _mean(values)

    result = paired_bootstrap([1.0, 0.0, 0.0], [1.0, 0.0, 0.0], statistic, resamples=200)
    assert "resamples undefined" in result.note


def test_bootstrap_rejects_unpaired_lengths():
    with pytest.raises(ValueError):
        paired_bootstrap([1.0], [1.0, 2.0], _mean)


def test_holm_by_hand():
    adjusted = holm_adjust([0.01, 0.04, None, 0.03])
    assert adjusted[0] == pytest.approx(0.03)
    assert adjusted[1] == pytest.approx(0.06)
    assert adjusted[2] is None
    assert adjusted[3] == pytest.approx(0.06)
    assert all(not math.isnan(a) for a in adjusted if a is not None)
