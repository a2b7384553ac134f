"""Batches of similar lengths within one group of settings, results back in request order."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trustcheck.backends.batching import plan_batches, run_batched


@given(
    rows=st.lists(st.tuples(st.integers(1, 300), st.sampled_from("abc")), max_size=60),
    batch_size=st.integers(1, 9),
)
def test_every_request_lands_in_exactly_one_batch_of_one_group(rows: list[tuple[int, str]], batch_size: int) -> None:
    lengths, keys = [r[0] for r in rows], [r[1] for r in rows]
    batches = plan_batches(lengths, keys, batch_size)
    assert sorted(i for batch in batches for i in batch) == list(range(len(rows)))
    for batch in batches:
        assert 1 <= len(batch) <= batch_size
        assert len({keys[i] for i in batch}) == 1
    longest = [max(lengths[i] for i in batch) for batch in batches]
    assert longest == sorted(longest, reverse=True)


def test_requests_of_similar_length_share_a_batch() -> None:
    lengths = [5, 100, 6, 99, 7, 98]
    batches = plan_batches(lengths, ["k"] * 6, 3)
    assert [sorted(b) for b in batches] == [[1, 3, 5], [0, 2, 4]]


@given(st.lists(st.integers(), max_size=40), st.integers(1, 7))
def test_run_batched_returns_results_in_request_order(items: list[int], batch_size: int) -> None:
    batches = plan_batches([abs(x) % 13 for x in items], [x % 2 for x in items], batch_size)
    assert run_batched(items, batches, lambda chunk: [x * 10 for x in chunk]) == [x * 10 for x in items]


def test_a_batch_that_loses_results_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="batch of 2 returned 1"):
        run_batched([1, 2], [[0, 1]], lambda chunk: chunk[:1])


def test_batch_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        plan_batches([1], ["k"], 0)
