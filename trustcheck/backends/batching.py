"""Group requests into batches of similar length and put the results back in request order."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def plan_batches(
    lengths: Sequence[int],
    group_keys: Sequence[Hashable],
    batch_size: int,
) -> list[list[int]]:
    """Indices of the requests, batched within each group, longest first.

    Requests with different generation settings never share a batch. Sorting by length keeps the
    padding inside a batch small, and putting the longest batch first means that a batch size too
    large for the device fails at once rather than after an hour.
    """
    if batch_size < 1:
        raise ValueError(f"batch size must be at least 1, got {batch_size}")
    groups: dict[Hashable, list[int]] = {}
    for index, key in enumerate(group_keys):
        groups.setdefault(key, []).append(index)
    batches: list[list[int]] = []
    for indices in groups.values():
        ordered = sorted(indices, key=lambda i: (-lengths[i], i))
        batches.extend(ordered[start : start + batch_size] for start in range(0, len(ordered), batch_size))
    batches.sort(key=lambda batch: -max(lengths[i] for i in batch))
    return batches


def run_batched(
    items: Sequence[T],
    batches: Sequence[Sequence[int]],
    run: Callable[[list[T]], list[R]],
) -> list[R]:
    """Call `run` once per batch and return its results in the order of `items`."""
    results: list[R | None] = [None] * len(items)
    for batch in batches:
        outputs = run([items[i] for i in batch])
        if len(outputs) != len(batch):
            raise RuntimeError(f"batch of {len(batch)} returned {len(outputs)} results")
        for index, output in zip(batch, outputs):
            results[index] = output
    missing = [i for i, result in enumerate(results) if result is None]
    if missing:
        raise RuntimeError(f"no result for requests {missing[:5]}")
    return results  # type: ignore[return-value]
