"""An LLM judge over any backend spec (`--trust-judge SPEC`), cached and batched.

Like the TrustLLM toolkit's GPT-4 judge: the judge prompt is the only user message, decoding is
greedy (temperature 0). A failed request gives None (the toolkit's `get_res` also returns None),
and the reason is kept in the outcome and logged.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from ..backends.base import Backend, BackendError, GenerationRequest
from ..backends.registry import BackendOptions, create_backend, factory_for, split_spec
from ..common.credentials import redact_spec
from ..responses.keys import cache_key
from .errors import EvaluatorError
from .judge_prompts import (
    TaskPrompt,
    find_task_prompt_file,
    load_task_prompt_specs,
    load_task_prompts,
)

__all__ = [
    "JudgeCache",
    "JudgeOutcome",
    "LLMJudge",
    "TaskPrompt",
    "create_judge",
    "find_task_prompt_file",
    "load_task_prompt_specs",
    "load_task_prompts",
]

log = logging.getLogger("trustcheck.judge")

DEFAULT_MAX_NEW_TOKENS = 128
DEFAULT_BATCH_SIZE = 64


class JudgeCache(Protocol):
    """get/put by key; `get_many`/`put_many(key, text, meta_json)` are used when present."""

    def get(self, key: str) -> str | None: ...

    def put(self, key: str, text: str) -> None: ...


@dataclass(frozen=True)
class JudgeOutcome:
    """The judge's raw answer, or None with the error that replaced it."""

    text: str | None
    error: str | None = None
    cached: bool = False


class LLMJudge:
    """`judge(task_key, prompt_text) -> str | None`; the backend is built on first use."""

    def __init__(
        self,
        backend: Backend | Callable[[], Backend],
        *,
        cache: JudgeCache | None = None,
        max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS,
        batch_size: int = DEFAULT_BATCH_SIZE,
        label: str = "judge",
    ) -> None:
        self._backend = backend if isinstance(backend, Backend) else None
        self._make_backend = None if self._backend is not None else backend
        self.cache = cache
        self.max_new_tokens = max_new_tokens
        self.batch_size = batch_size
        self.label = label
        self._lock = threading.Lock()

    def backend(self) -> Backend:
        with self._lock:
            if self._backend is None:
                assert self._make_backend is not None
                self._backend = self._make_backend()
            return self._backend

    def request(self, prompt_text: str) -> GenerationRequest:
        return GenerationRequest(
            prompt=prompt_text, mode="chat", temperature=0.0, max_new_tokens=self.max_new_tokens
        )

    def __call__(self, task_key: str, prompt_text: str) -> str | None:
        return self.judge_many([(task_key, prompt_text)])[0]

    def judge_many(self, requests: Sequence[tuple[str, str]]) -> list[str | None]:
        return [outcome.text for outcome in self.outcomes(requests)]

    def outcomes(self, requests: Sequence[tuple[str, str]]) -> list[JudgeOutcome]:
        """One outcome per (task_key, prompt_text), in order; identical prompts are asked once."""
        if not requests:
            return []
        backend = self.backend()
        identity = backend.identity()
        keys = [cache_key(identity, self.request(text)) for _, text in requests]
        known = self._cached(keys)
        pending: dict[str, tuple[str, str]] = {}
        for key, request in zip(keys, requests, strict=True):
            if key not in known:
                pending.setdefault(key, request)
        fresh = self._generate(backend, pending)
        return [known.get(key) or fresh[key] for key in keys]

    def _cached(self, keys: Sequence[str]) -> dict[str, JudgeOutcome]:
        if self.cache is None:
            return {}
        unique = list(dict.fromkeys(keys))
        get_many = getattr(self.cache, "get_many", None)
        if get_many is not None:  # one query instead of one per key, when the cache offers it
            texts = get_many(unique)
        else:
            texts = {key: self.cache.get(key) for key in unique}
        return {key: JudgeOutcome(text, cached=True) for key, text in texts.items() if text is not None}

    def _generate(
        self, backend: Backend, pending: dict[str, tuple[str, str]]
    ) -> dict[str, JudgeOutcome]:
        results: dict[str, JudgeOutcome] = {}
        items = list(pending.items())
        for start in range(0, len(items), self.batch_size):
            chunk = items[start : start + self.batch_size]
            answered = []
            for (key, (task_key, _)), outcome in zip(chunk, self._ask(backend, chunk), strict=True):
                results[key] = outcome
                if outcome.text is not None:
                    answered.append((key, outcome.text, _meta(self.label, task_key)))
                else:
                    log.warning("%s failed on a %s item: %s", self.label, task_key, outcome.error)
            self._store(answered)
        return results

    def _store(self, entries: list[tuple[str, str, str]]) -> None:
        if self.cache is None or not entries:
            return
        put_many = getattr(self.cache, "put_many", None)
        if put_many is not None:
            put_many(entries)
            return
        for key, text, _ in entries:
            self.cache.put(key, text)

    def _ask(
        self, backend: Backend, chunk: list[tuple[str, tuple[str, str]]]
    ) -> list[JudgeOutcome]:
        requests = [self.request(text) for _, (_, text) in chunk]
        try:
            generations = backend.generate(requests)
        except BackendError as error:
            return [JudgeOutcome(None, error=f"{self.label}: {error}")] * len(chunk)
        if len(generations) != len(requests):
            error = f"{self.label}: backend gave {len(generations)} answers for {len(requests)} prompts"
            return [JudgeOutcome(None, error=error)] * len(chunk)
        return [
            JudgeOutcome(g.text) if g.ok else JudgeOutcome(None, error=f"{self.label}: {g.error}")
            for g in generations
        ]

    def close(self) -> None:
        with self._lock:
            if self._backend is not None:
                self._backend.close()
                self._backend = None


def _meta(label: str, task_key: str) -> str:
    return json.dumps({"kind": "judge", "judge": label, "task": task_key}, sort_keys=True)


_BACKENDS: dict[tuple[str, str], Backend] = {}
_BACKENDS_LOCK = threading.Lock()


def judge_backend(spec: str, options: BackendOptions | None = None) -> Backend:
    """The judge model for `spec`, loaded once per process."""
    options = options or BackendOptions()
    key = (spec, repr(options))
    with _BACKENDS_LOCK:
        if key not in _BACKENDS:
            try:
                _BACKENDS[key] = create_backend(spec, options)
            except BackendError as error:
                raise EvaluatorError(f"--trust-judge {spec}: {error}") from error
        return _BACKENDS[key]


def create_judge(
    spec: str,
    *,
    cache: JudgeCache | None = None,
    options: BackendOptions | None = None,
    max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> LLMJudge:
    """A judge over the backend `spec`; the spec is checked now, the model loads on first use."""
    try:
        factory_for(split_spec(spec)[0])
    except BackendError as error:
        raise EvaluatorError(f"--trust-judge {redact_spec(spec)}: {error}") from None
    return LLMJudge(
        lambda: judge_backend(spec, options),
        cache=cache,
        max_new_tokens=max_new_tokens,
        batch_size=batch_size,
        label=f"judge {redact_spec(spec)}",
    )
