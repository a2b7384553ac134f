"""Embeddings and toxicity scores through the response cache, so a cached re-run computes none.

Values are stored as JSON, which round-trips Python floats exactly: a score read back from the
cache equals the one computed, and metrics are the same on the first run and every re-run.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from typing import Any


class CachedTextService:
    """Wraps `service(texts) -> values` (one value per text); None values are never cached."""

    def __init__(self, service: Callable[[list[str]], Sequence[Any]], cache: Any, namespace: str) -> None:
        self._service = service
        self._cache = cache
        self._namespace = namespace

    def __getattr__(self, name: str) -> Any:  # label, name, ... of the wrapped service
        return getattr(self._service, name)

    def _key(self, text: str) -> str:
        payload = f"{self._namespace}\0{text}".encode("utf-8", "surrogatepass")
        return "svc-" + hashlib.sha256(payload).hexdigest()

    def __call__(self, texts: Sequence[str]) -> list[Any]:
        keys = [self._key(text) for text in texts]
        known = {key: json.loads(value) for key, value in self._cache.get_many(list(dict.fromkeys(keys))).items()}
        pending = {key: text for key, text in zip(keys, texts) if key not in known}
        if pending:
            computed = list(self._service(list(pending.values())))
            if len(computed) != len(pending):
                raise ValueError(f"returned {len(computed)} values for {len(pending)} texts")
            fresh = {key: json.loads(json.dumps(value)) for key, value in zip(pending, computed)}
            self._cache.put_many((key, json.dumps(value), "{}") for key, value in fresh.items() if value is not None)
            known.update(fresh)
        return [known[key] for key in keys]


def cache_services(services: dict[str, Any], cache: Any, specs: dict[str, str]) -> dict[str, Any]:
    """The same services, with "embed" and "toxicity" answered from the cache where possible."""
    wrapped = dict(services)
    for key in ("embed", "toxicity"):
        if key in wrapped:
            wrapped[key] = CachedTextService(wrapped[key], cache, f"{key}\0{specs.get(key, '')}")
    return wrapped
