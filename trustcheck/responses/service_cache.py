"""Embeddings and toxicity scores through the response cache, so a cached re-run computes none.

Values are stored as JSON, which round-trips Python floats exactly: a score read back from the
cache equals the one computed, and metrics are the same on the first run and every re-run.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from typing import Any

from ..common.json_files import JsonFileError, parse_json


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
        stored = self._cache.get_many(list(dict.fromkeys(keys)))
        known = {key: value for key, value in ((key, _decoded(text)) for key, text in stored.items()) if value is not None}
        pending = {key: text for key, text in zip(keys, texts) if key not in known}
        if pending:
            computed = list(self._service(list(pending.values())))
            if len(computed) != len(pending):
                raise ValueError(f"returned {len(computed)} values for {len(pending)} texts")
            encoded = {key: _encoded(value) for key, value in zip(pending, computed)}
            self._cache.put_many((key, text, "{}") for key, text in encoded.items() if text is not None)
            # What a re-run reads back from the cache, so the first run computes with the same values.
            known.update({key: json.loads(text) if text is not None else value
                          for (key, text), value in zip(encoded.items(), computed)})
        return [known[key] for key in keys]


def _encoded(value: Any) -> str | None:
    """Strict JSON for a value worth caching; None for None, NaN, infinities or non-JSON values."""
    if value is None:
        return None
    try:
        return json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        return None


def _decoded(text: str) -> Any:
    """A stored value, or None (a miss) for an entry that is not strict JSON."""
    try:
        return parse_json(text, "cache entry")
    except JsonFileError:
        return None


def cache_services(services: dict[str, Any], cache: Any, specs: dict[str, str]) -> dict[str, Any]:
    """The same services, with "embed" and "toxicity" answered from the cache where possible."""
    wrapped = dict(services)
    for key in ("embed", "toxicity"):
        if key in wrapped:
            wrapped[key] = CachedTextService(wrapped[key], cache, f"{key}\0{specs.get(key, '')}")
    return wrapped
