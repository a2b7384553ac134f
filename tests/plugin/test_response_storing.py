"""The pool stores each response as the backend hands it over: an interrupt later in the same
call keeps it, and nothing is stored or recorded twice."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from trustcheck.backends.base import (
    Generation,
    GenerationProgress,
    GenerationRequest,
    ModelIdentity,
)
from trustcheck.backends.registry import BackendOptions
from trustcheck.responses.cache import ResponseCache
from trustcheck.responses.pool import ModelPool
from trustcheck.responses.record import RESPONSES_FILE, Recorder

REQUESTS = [GenerationRequest("p1"), GenerationRequest("p2"), GenerationRequest("p3")]


class _HandingOver:
    """Answers in order, handing each answer to the progress; `stop_at` raises Ctrl-C there."""

    name = "handing-over"

    def __init__(self, stop_at: str | None = None, hand_over: Callable[[Callable[[], None]], None] = lambda f: f()) -> None:
        self.stop_at, self.hand_over = stop_at, hand_over
        self.generated: list[str] = []

    def identity(self) -> ModelIdentity:
        return ModelIdentity(backend="handing-over", backend_version="1", weights_hash="w")

    def generate(self, requests: Sequence[GenerationRequest], progress: GenerationProgress | None = None) -> list[Generation]:
        answers = []
        for index, request in enumerate(requests):
            if request.prompt == self.stop_at:
                raise KeyboardInterrupt
            self.generated.append(request.prompt)
            answers.append(Generation(text=f"answer to {request.prompt}", finish_reason="stop"))
            if progress is not None:
                self.hand_over(lambda index=index, answer=answers[-1]: progress.finish(index, 3, answer))
        return answers

    def close(self) -> None:
        pass


def _pool(tmp_path: Path, backend: _HandingOver, record: bool = False) -> ModelPool:
    cache = ResponseCache(tmp_path / "responses.sqlite3")
    recorder = Recorder(tmp_path / "record") if record else None
    return ModelPool("handing-over:x", BackendOptions(), cache, recorder, backend_factory=lambda spec, options: backend)


def _recorded(tmp_path: Path) -> list[str]:
    lines = (tmp_path / "record" / RESPONSES_FILE).read_text().splitlines()
    return [json.loads(line)["prompt"] for line in lines]


def test_an_interrupt_mid_call_keeps_the_responses_handed_over_before_it(tmp_path: Path) -> None:
    pool = _pool(tmp_path, _HandingOver(stop_at="p3"), record=True)
    with pytest.raises(KeyboardInterrupt):
        pool.respond(REQUESTS)
    pool.cache.close()
    assert _recorded(tmp_path) == ["p1", "p2"]

    backend = _HandingOver()
    again = _pool(tmp_path, backend)
    assert [g.cached for g in again.respond(REQUESTS)] == [True, True, False]
    assert backend.generated == ["p3"]
    again.cache.close()


def test_responses_handed_over_are_stored_and_recorded_once(tmp_path: Path) -> None:
    pool = _pool(tmp_path, _HandingOver(), record=True)
    assert [g.text for g in pool.respond(REQUESTS)] == ["answer to p1", "answer to p2", "answer to p3"]
    assert len(pool.cache) == 3 and _recorded(tmp_path) == ["p1", "p2", "p3"]
    pool.cache.close()


def test_responses_handed_over_from_another_thread_are_stored_when_the_call_returns(tmp_path: Path) -> None:
    stored_during_call: list[int] = []

    def from_a_thread(finish: Callable[[], None]) -> None:
        thread = threading.Thread(target=finish)
        thread.start()
        thread.join()
        stored_during_call.append(len(pool.cache))

    pool = _pool(tmp_path, _HandingOver(hand_over=from_a_thread))
    pool.respond(REQUESTS)
    assert stored_during_call == [0, 0, 0] and len(pool.cache) == 3
    pool.cache.close()
