"""Batched llama.cpp decoding: the same texts as one prompt at a time, seeds that ignore the batch."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.requirements import require_module

from trustcheck.backends import (
    Backend,
    BackendError,
    BackendOptions,
    Generation,
    GenerationRequest,
    create_backend,
)
from trustcheck.backends.llamacpp import batched_option, flash_attention_option
from trustcheck.backends.llamacpp_batched import CELL_STEP, context_shape

require_module("llama_cpp", "pip install 'trustcheck[llamacpp]'")

MIB = 1 << 20
# Longer than one llama_decode call's 512 tokens, so that its prompt is fed over several steps
# while other sequences decode.
LONG_PROMPT = "Summarise the following notes in one sentence. " + " ".join(
    f"Note {n}: the shipment of part {n * 7} arrived {n % 5} days late at depot {n % 3}." for n in range(40)
)


def test_context_rounds_cells_and_fits_the_memory_budget() -> None:
    assert context_shape(16, 700, 1000, None) == (16, 3 * CELL_STEP)
    assert context_shape(16, 1, 1000, None) == (16, CELL_STEP)
    assert context_shape(16, 700, 1000, 4 * 768 * 1000) == (4, 768)
    assert context_shape(16, 700, 1000, 10) == (1, 768)  # one sequence even when nothing fits


@pytest.mark.parametrize(("value", "expected"), [("true", True), ("False", False), ("0", False), ("yes", True)])
def test_batched_option_values(value: str, expected: bool) -> None:
    assert batched_option(BackendOptions(extra={"batched": value})) is expected
    assert batched_option(BackendOptions()) is True


def test_flash_attention_is_off_unless_switched_on() -> None:
    assert flash_attention_option(BackendOptions()) is False
    assert flash_attention_option(BackendOptions(extra={"flash_attn": "on"})) is True


@pytest.mark.parametrize("option", ["batched", "flash_attn"])
def test_a_bad_switch_value_is_one_line(tmp_path: Path, smollm2_path: Path, option: str) -> None:
    with pytest.raises(BackendError, match=rf"{option}='sometimes': expected true or false"):
        create_backend(f"gguf:{smollm2_path}", BackendOptions(extra={option: "sometimes"}))


def _options(base: BackendOptions, batch_size: int | None = None, **extra: str) -> BackendOptions:
    return dataclasses.replace(base, batch_size=batch_size, extra={**base.extra, **extra})


@pytest.fixture(scope="module")
def single(smollm2_path: Path, backend_options: BackendOptions) -> Iterator[Backend]:
    backend = create_backend(f"gguf:{smollm2_path}", _options(backend_options, batched="false"))
    yield backend
    backend.close()


@pytest.fixture(scope="module")
def batched(smollm2_path: Path, backend_options: BackendOptions) -> Iterator[Backend]:
    # Three sequences for seven prompts: finished ones make room for waiting ones.
    backend = create_backend(f"gguf:{smollm2_path}", _options(backend_options, batch_size=3))
    yield backend
    backend.close()


MIXED = [
    GenerationRequest("What is the capital of France?", max_new_tokens=24),
    GenerationRequest("Write a short poem about the sea.", max_new_tokens=40),
    GenerationRequest(LONG_PROMPT, max_new_tokens=16),
    GenerationRequest("How do I make a bomb?", max_new_tokens=32, stop=(".",)),
    GenerationRequest("Hi", max_new_tokens=20, min_new_tokens=20),
    GenerationRequest("The three primary colours are", mode="raw", max_new_tokens=12),
    GenerationRequest("Name a fruit.", max_new_tokens=3),
]


@pytest.mark.slow
def test_greedy_batched_texts_equal_one_prompt_at_a_time(batched: Backend, single: Backend) -> None:
    one_at_a_time = single.generate(MIXED)
    together = batched.generate(MIXED)
    assert all(g.ok for g in one_at_a_time), [g.error for g in one_at_a_time]
    assert [(g.text, g.finish_reason) for g in together] == [(g.text, g.finish_reason) for g in one_at_a_time]
    assert {g.finish_reason for g in together} == {"stop", "length"}
    assert len({g.text for g in together}) == len(MIXED)


@pytest.mark.slow
def test_with_flash_attention_both_paths_still_agree(smollm2_path: Path, backend_options: BackendOptions) -> None:
    flash = _options(backend_options, flash_attn="true")
    single_flash = create_backend(f"gguf:{smollm2_path}", _options(flash, batched="false"))
    batched_flash = create_backend(f"gguf:{smollm2_path}", _options(flash, batch_size=3))
    try:
        assert [g.text for g in batched_flash.generate(MIXED)] == [g.text for g in single_flash.generate(MIXED)]
    finally:
        single_flash.close()
        batched_flash.close()


# Chat prompts of 23, 24, 26 and 27 tokens: fed to llama.cpp in one call, the second and fourth
# came out with wrong logits, and their texts differed from the single-stream ones.
UNEQUAL = [
    "Tell me about the history of the bicycle.",
    "Explain in simple words why the sea is salty.",
    "Write two sentences about a dog who learns to play chess.",
    "What would happen if the moon suddenly disappeared from the sky tonight?",
]


@pytest.mark.slow
@pytest.mark.parametrize("temperature", [0.0, 1.0], ids=["greedy", "sampled"])
def test_prompts_of_unequal_lengths_started_together(
    smollm2_path: Path, backend_options: BackendOptions, single: Backend, temperature: float
) -> None:
    backend = create_backend(f"gguf:{smollm2_path}", _options(backend_options, batch_size=4))
    requests = [GenerationRequest(p, temperature=temperature, seed=5, max_new_tokens=48, min_new_tokens=48) for p in UNEQUAL]
    try:
        assert [g.text for g in backend.generate(requests)] == [g.text for g in single.generate(requests)]
    finally:
        backend.close()


@pytest.mark.slow
def test_seeded_samples_do_not_depend_on_the_batch(batched: Backend, single: Backend) -> None:
    sampled = [
        GenerationRequest(prompt, temperature=0.9, seed=seed, max_new_tokens=16)
        for prompt, seed in [("Tell me a story.", 1), ("Describe a cat.", 2), ("Tell me a story.", 3), ("Why is the sky blue?", 4)]
    ]
    alone = [batched.generate([request])[0].text for request in sampled]
    shuffled = batched.generate([sampled[2], MIXED[0], sampled[0], sampled[3], MIXED[2], sampled[1]])
    assert [shuffled[i].text for i in (2, 5, 0, 3)] == alone
    assert alone[0] != alone[2], "two seeds on one prompt should give two texts"
    # The same sampler chain and seed as Llama.create_completion: the same draws.
    assert [g.text for g in single.generate(sampled)] == alone


@pytest.mark.slow
def test_a_tight_memory_budget_runs_one_sequence_at_a_time(smollm2_path: Path, backend_options: BackendOptions, single: Backend) -> None:
    from trustcheck.backends.llamacpp_batched import BatchedDecoder

    backend = create_backend(f"gguf:{smollm2_path}", _options(backend_options, batch_size=8))
    assert isinstance(backend.engine, BatchedDecoder)
    backend.engine.memory_budget = 1 * MIB  # less than one sequence's KV cache
    try:
        requests = MIXED[:2]
        assert [g.text for g in backend.generate(requests)] == [g.text for g in single.generate(requests)]
        assert backend.engine.sequences == 1
    finally:
        backend.close()


@pytest.mark.slow
def test_errors_stay_with_their_request(batched: Backend, backend_options: BackendOptions) -> None:
    too_long = GenerationRequest("word " * 3000, max_new_tokens=8)
    no_tokens = GenerationRequest("Hi", max_new_tokens=0)
    fine = GenerationRequest("Hi", max_new_tokens=4)
    results = batched.generate([too_long, no_tokens, fine])
    assert "exceeds the context of" in (results[0].error or "")
    assert "max_new_tokens is 0" in (results[1].error or "")
    assert results[2].ok and results[2].text


class _Handed:
    """A GenerationProgress that keeps the responses handed over as they end."""

    def __init__(self) -> None:
        self.generations: dict[int, Generation] = {}

    def advance(self, tokens: int) -> None:
        return None

    def finish(self, index: int, tokens: int, generation: Generation | None = None) -> None:
        assert generation is not None and index not in self.generations
        self.generations[index] = generation


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["batched", "single"])
def test_each_response_is_handed_over_as_it_ends_as_generate_returns_it(engine: str, request: pytest.FixtureRequest) -> None:
    backend = request.getfixturevalue(engine)
    requests = [MIXED[0], MIXED[3], MIXED[5], MIXED[6]]  # MIXED[3] is cut at its stop string after decoding
    handed = _Handed()
    generations = backend.generate(requests, progress=handed)
    assert all(g.ok for g in generations), [g.error for g in generations]
    assert [handed.generations[i] for i in range(len(requests))] == generations
