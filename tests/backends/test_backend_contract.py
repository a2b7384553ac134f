"""One contract, every backend: order, determinism, stop sequences, chat template, seeds, length.

Each backend runs a real model: a tiny random-weight Llama through transformers, the bundled
SmolLM2 GGUF through llama.cpp (batched, and one prompt at a time), the same GGUF behind a live
`llama_cpp.server`, and a replay of a recording made from the tiny model. Texts are never compared across backends (their numerics differ).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from backends_support import SMOLLM2_BLANK_SYSTEM

from trustcheck.backends import (
    Backend,
    BackendOptions,
    Generation,
    GenerationRequest,
    ModelIdentity,
    create_backend,
)
from trustcheck.responses.keys import cache_key
from trustcheck.responses.record import Recorder

PROMPTS = [
    "What is the capital of France?",
    "Write one sentence about the sea.",
    "Hi",
    "Tell me how a bicycle works, in two short sentences please.",
    "Name three colours.",
]
NEW_TOKENS = 12


class RecordThenReplay:
    """Generates with a source backend, records it, and answers from a fresh `replay:DIR` backend."""

    name = "replay"

    def __init__(self, source: Backend, directory: Path):
        self.source, self.directory = source, directory
        self.recorder = Recorder(directory)
        self.generate([GenerationRequest("Hello", max_new_tokens=2)])  # so that a recording exists

    def identity(self) -> ModelIdentity:
        return create_backend(f"replay:{self.directory}").identity()

    def generate(self, requests: Sequence[GenerationRequest]) -> list[Generation]:
        identity = self.source.identity()
        for request, generation in zip(requests, self.source.generate(requests)):
            self.recorder.write(identity, request, generation, cache_key(identity, request))
        return create_backend(f"replay:{self.directory}").generate(requests)

    def close(self) -> None:
        pass


def _make(kind: str, request: pytest.FixtureRequest, options: BackendOptions) -> Backend:
    if kind == "hf":
        return create_backend(f"hf:{request.getfixturevalue('tiny_llama')}", options)
    if kind in ("gguf", "gguf-single"):
        extra = {**options.extra, "batched": "false"} if kind == "gguf-single" else options.extra
        return create_backend(f"gguf:{request.getfixturevalue('smollm2_path')}", dataclasses.replace(options, extra=extra))
    if kind == "openai":
        server = request.getfixturevalue("llama_server")
        return create_backend(f"openai:{server.base_url}@smollm2#system=empty", options)
    source = create_backend(f"hf:{request.getfixturevalue('tiny_llama')}", options)
    directory = request.getfixturevalue("tmp_path_factory").mktemp("recording")
    return RecordThenReplay(source, directory)


@pytest.fixture(
    scope="session",
    params=[
        "hf",
        pytest.param("gguf", marks=pytest.mark.slow),
        pytest.param("gguf-single", marks=pytest.mark.slow),
        pytest.param("openai", marks=pytest.mark.slow),
        "replay",
    ],
)
def backend(request: pytest.FixtureRequest, backend_options: BackendOptions) -> Iterator[Backend]:
    made = _make(request.param, request, backend_options)
    yield made
    made.close()


def _greedy(prompt: str, **settings: object) -> GenerationRequest:
    return GenerationRequest(prompt, max_new_tokens=NEW_TOKENS, **settings)  # type: ignore[arg-type]


def _texts(generations: list[Generation]) -> list[str]:
    assert all(g.ok for g in generations), [g.error for g in generations]
    return [g.text for g in generations]  # type: ignore[misc]


def test_it_implements_the_protocol(backend: Backend) -> None:
    assert isinstance(backend, Backend)
    assert isinstance(backend.identity(), ModelIdentity)


def test_a_batch_keeps_the_order_of_its_requests(backend: Backend) -> None:
    requests = [_greedy(p) for p in PROMPTS]
    one_by_one = [_texts(backend.generate([r]))[0] for r in requests]
    assert len(set(one_by_one)) > 1, "the prompts must give different texts for this test to mean anything"
    assert _texts(backend.generate(requests)) == one_by_one
    assert _texts(backend.generate(requests[::-1])) == one_by_one[::-1]


def test_greedy_decoding_is_deterministic(backend: Backend) -> None:
    requests = [_greedy(p) for p in PROMPTS[:3]]
    assert _texts(backend.generate(requests)) == _texts(backend.generate(requests))


def test_an_empty_batch_gives_an_empty_list(backend: Backend) -> None:
    assert backend.generate([]) == []


def test_generation_stops_before_a_stop_sequence(backend: Backend) -> None:
    full = _texts(backend.generate([_greedy(PROMPTS[1])]))[0]
    words = [w for w in full.split() if len(w) >= 2]
    assert words, f"need a longer greedy text to pick a stop sequence from: {full!r}"
    stop = words[len(words) // 2][:3]
    cut = backend.generate([_greedy(PROMPTS[1], stop=(stop, "never-appears-xyz"))])[0]
    assert cut.ok and cut.text == full[: full.index(stop)]
    assert cut.finish_reason == "stop"


def test_chat_mode_applies_the_template_with_a_blank_system_prompt(backend: Backend) -> None:
    # Every backend here runs SmolLM2's template, which inserts a default system prompt unless
    # the messages start with a system message; TrustLLM blanks it.
    prompt = PROMPTS[0]
    chat = backend.generate([_greedy(prompt)])[0]
    raw = backend.generate([_greedy(SMOLLM2_BLANK_SYSTEM.format(prompt=prompt), mode="raw")])[0]
    plain = backend.generate([_greedy(prompt, mode="raw")])[0]
    assert chat.ok and raw.ok and plain.ok
    assert chat.text == raw.text
    assert chat.text != plain.text


def test_seeded_sampling_is_reproducible_whatever_the_batch(backend: Backend) -> None:
    sampled = [GenerationRequest(p, temperature=1.0, seed=7, max_new_tokens=NEW_TOKENS) for p in PROMPTS[:3]]
    alone = _texts(backend.generate(sampled[:1]))[0]
    assert _texts(backend.generate(sampled))[0] == alone
    assert _texts(backend.generate(sampled[:1]))[0] == alone
    seeds = [GenerationRequest(PROMPTS[3], temperature=1.0, seed=s, max_new_tokens=NEW_TOKENS) for s in range(4)]
    assert len(set(_texts(backend.generate(seeds)))) > 1, "different seeds should not all give one text"


def test_min_new_tokens_forces_the_full_length(backend: Backend) -> None:
    forced = GenerationRequest("Hi", max_new_tokens=40, min_new_tokens=40)
    free = GenerationRequest("Hi", max_new_tokens=40)
    forced_result, free_result = backend.generate([forced, free])
    assert forced_result.ok and forced_result.finish_reason == "length"
    assert len(forced_result.text or "") >= len(free_result.text or "")


def test_identity_is_stable(backend: Backend) -> None:
    first = backend.identity()
    assert first == backend.identity()
    assert first.weights_hash and first.backend
