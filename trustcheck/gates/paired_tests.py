"""Paired significance tests for comparing one run with a baseline on the same items."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from scipy.stats import binomtest

T = TypeVar("T")

BOOTSTRAP_SEED = 20240101
BOOTSTRAP_RESAMPLES = 2000


@dataclass(frozen=True)
class PairedTest:
    """A test's outcome: `delta` is current minus baseline on the paired items."""

    test: str
    p_value: float | None
    delta: float | None
    n: int
    lost: int = 0
    gained: int = 0
    note: str = ""


def mcnemar_exact(pairs: Sequence[tuple[int, int]]) -> PairedTest:
    """Exact McNemar test on (baseline, current) 0/1 outcomes: two-sided binomial on discordant pairs.

    `lost` counts items that were 1 in the baseline and 0 now, `gained` the reverse.
    """
    lost = sum(1 for b, c in pairs if b == 1 and c == 0)
    gained = sum(1 for b, c in pairs if b == 0 and c == 1)
    n = len(pairs)
    delta = (gained - lost) / n if n else None
    discordant = lost + gained
    p_value = binomtest(gained, discordant, 0.5).pvalue if discordant else 1.0
    return PairedTest("mcnemar", float(p_value), delta, n, lost, gained)


def paired_bootstrap(
    baseline: Sequence[T],
    current: Sequence[T],
    statistic: Callable[[Sequence[T]], float | None],
    *,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> PairedTest:
    """Two-sided paired bootstrap of statistic(current) - statistic(baseline).

    Both sides are resampled with the same item indices, so the pairing is kept. The p-value is
    twice the smaller share of resampled differences on either side of zero (add-one smoothed).
    Resamples where the statistic is undefined are dropped and counted in the note.
    """
    n = len(baseline)
    if n != len(current):
        raise ValueError("paired bootstrap needs two sequences of the same length")
    observed_b, observed_c = statistic(baseline), statistic(current)
    if n == 0 or observed_b is None or observed_c is None:
        return PairedTest("bootstrap", None, None, n, note="metric undefined on the paired items")
    rng = np.random.default_rng(seed)
    diffs = []
    for _ in range(resamples):
        index = rng.integers(0, n, n)
        b = statistic([baseline[i] for i in index])
        c = statistic([current[i] for i in index])
        if b is not None and c is not None:
            diffs.append(c - b)
    if not diffs:
        return PairedTest("bootstrap", None, observed_c - observed_b, n, note="metric undefined on every resample")
    values = np.asarray(diffs)
    below = (np.count_nonzero(values <= 0) + 1) / (len(values) + 1)
    above = (np.count_nonzero(values >= 0) + 1) / (len(values) + 1)
    dropped = resamples - len(values)
    note = f"{dropped} of {resamples} resamples undefined" if dropped else ""
    return PairedTest("bootstrap", float(min(1.0, 2 * min(below, above))), observed_c - observed_b, n, note=note)


def holm_adjust(p_values: Sequence[float | None]) -> list[float | None]:
    """Holm's step-down adjustment (family-wise error), keeping None where there was no test."""
    tested = sorted((p, i) for i, p in enumerate(p_values) if p is not None)
    adjusted: list[float | None] = [None] * len(p_values)
    running = 0.0
    m = len(tested)
    for rank, (p, index) in enumerate(tested):
        running = max(running, min(1.0, (m - rank) * p))
        adjusted[index] = running
    return adjusted
