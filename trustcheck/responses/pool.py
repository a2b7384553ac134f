"""One model per process, behind the response cache: requests in, generations out, in order."""

from __future__ import annotations

import dataclasses
import os
import threading
from collections.abc import Callable, Sequence

from ..backends.base import (
    Backend,
    BackendError,
    Generation,
    GenerationProgress,
    GenerationRequest,
    ModelIdentity,
    reports_progress,
)
from ..backends.registry import (
    BackendOptions,
    ModelIdentifier,
    create_backend,
    identify_backend,
)
from ..common.credentials import redact_spec
from ..common.terminal_text import well_formed
from ..run.progress import ProgressBoard
from .cache import meta_json
from .keys import cache_key


def worker_position() -> tuple[int, int]:
    """(index, count) of this xdist worker; (0, 1) without xdist."""
    name = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    count = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1") or 1)
    index = int(name[2:]) if name.startswith("gw") and name[2:].isdigit() else 0
    return index, max(1, count)


class ModelPool:
    """Owns the backend of this process; items never load models themselves.

    The model is named for the cache without loading it where its backend can (see
    `identify_backend`) and loaded on the first response the cache lacks, so a run answered
    entirely from the cache loads no model.
    """

    def __init__(
        self,
        spec: str,
        options: BackendOptions,
        cache,
        recorder=None,
        backend_factory: Callable[[str, BackendOptions], Backend] = create_backend,
        identifier: ModelIdentifier | None = None,
        progress: ProgressBoard | None = None,
    ) -> None:
        self.spec = spec
        self.options = options
        self.cache = cache
        self.recorder = recorder
        self._factory = backend_factory
        # A factory of one's own names its models only through an identifier of one's own.
        self._identifier = identifier or (identify_backend if backend_factory is create_backend else _unnamed)
        self._backend: Backend | None = None
        self._identity: ModelIdentity | None = None
        self._lock = threading.Lock()
        self.progress = progress or ProgressBoard()
        self.generated = 0

    @property
    def loaded(self) -> bool:
        return self._backend is not None

    @property
    def backend(self) -> Backend:
        with self._lock:
            if self._backend is None:
                self._backend = self._factory(self.spec, self.options)
            return self._backend

    def _loaded_backend(self) -> Backend:
        if self._backend is None:
            with self.progress.loading():
                return self.backend
        return self._backend

    def identity(self) -> ModelIdentity:
        if self._identity is None:
            known = None if self.loaded else self._identifier(self.spec, self.options)
            self._identity = known if known is not None else self._loaded_backend().identity()
        return self._identity

    def _identity_confirmed(self) -> bool:
        """Load the model; if it names itself otherwise than its files did, adopt its name."""
        loaded = self._loaded_backend().identity()
        if self._identity is not None and loaded.cache_fields() == self._identity.cache_fields():
            return True
        self._identity = loaded
        return False

    def respond(self, requests: Sequence[GenerationRequest]) -> list[Generation]:
        """Cached responses where present; one batched backend call for the rest."""
        identity = self.identity()
        keys = [cache_key(identity, request) for request in requests]
        cached = self.cache.get_many(list(dict.fromkeys(keys)))
        pending: dict[str, GenerationRequest] = {}
        for key, request in zip(keys, requests):
            if key not in cached:
                pending.setdefault(key, request)
        if pending and not self._identity_confirmed():
            return self.respond(requests)  # the keys change with the identity: look them up again
        fresh = self._generate(identity, pending) if pending else {}
        if fresh:
            # Another worker may have stored the same key first; its response wins everywhere.
            cached.update(self.cache.get_many([k for k, g in fresh.items() if g.ok]))
        return [
            Generation(text=cached[key], cached=key not in fresh) if key in cached else fresh[key]
            for key in keys
        ]

    def _generate(self, identity: ModelIdentity, pending: dict[str, GenerationRequest]) -> dict[str, Generation]:
        keys = list(pending)
        requests = [pending[k] for k in keys]
        stored: set[int] = set()

        def store(index: int, generation: Generation) -> None:
            if 0 <= index < len(keys) and index not in stored:
                stored.add(index)
                self._store(identity, [(keys[index], requests[index], _well_formed(generation))])

        with self.progress.batch([r.max_new_tokens for r in requests]) as progress:
            if reports_progress(self.backend):
                generations = list(self.backend.generate(requests, progress=_StoringProgress(progress, store)))
            else:
                generations = list(self.backend.generate(requests))
        if len(generations) != len(keys):
            raise BackendError(f"{redact_spec(self.spec)}: the backend returned {len(generations)} responses for {len(keys)} prompts")
        generations = [_well_formed(g) for g in generations]
        self.generated += len(keys)
        rest = [i for i in range(len(keys)) if i not in stored]
        self._store(identity, [(keys[i], requests[i], generations[i]) for i in rest])
        return dict(zip(keys, generations))

    def _store(self, identity: ModelIdentity, entries: list[tuple[str, GenerationRequest, Generation]]) -> None:
        ok = [(key, request, generation) for key, request, generation in entries if generation.ok]
        self.cache.put_many(
            (key, gen.text, meta_json({"finish_reason": gen.finish_reason, **request.settings()})) for key, request, gen in ok
        )
        if self.recorder is not None:
            for key, request, generation in ok:
                self.recorder.write(identity, request, generation, key)

    def close(self) -> None:
        if self._backend is not None:
            self._backend.close()
        if self.recorder is not None and hasattr(self.recorder, "close"):
            self.recorder.close()


class _StoringProgress:
    """Relays a backend's progress and stores each response the backend hands over as it ends,
    so that an interrupt mid-call loses only the responses still being generated."""

    def __init__(self, progress: GenerationProgress, store: Callable[[int, Generation], None]) -> None:
        self.progress, self.store = progress, store
        self._thread = threading.get_ident()

    def advance(self, tokens: int) -> None:
        self.progress.advance(tokens)

    def finish(self, index: int, tokens: int, generation: Generation | None = None) -> None:
        self.progress.finish(index, tokens)
        # The cache and the recorder are written from the calling thread only; the pool stores
        # responses reported from other threads when the call returns.
        if generation is not None and threading.get_ident() == self._thread:
            self.store(index, generation)


def _unnamed(spec: str, options: BackendOptions) -> None:
    return None


def _well_formed(generation: Generation) -> Generation:
    """Responses are stored and judged as valid Unicode (see terminal_text.well_formed)."""
    if not isinstance(generation, Generation):
        return Generation(text=None, error=f"the backend returned {type(generation).__name__}, not a Generation")
    if generation.text is None:
        return generation
    if not isinstance(generation.text, str):
        return Generation(text=None, error=f"the backend returned {type(generation.text).__name__} as text, not str")
    text = well_formed(generation.text)
    return generation if text is generation.text else dataclasses.replace(generation, text=text)
