"""Stable hashes that name a request, with and without the model that answers it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from ..backends.base import GenerationRequest, ModelIdentity


def _digest(payload: Any) -> str:
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def request_key(request: GenerationRequest) -> str:
    """The prompt and its generation settings; the same for every model."""
    return _digest({"prompt": request.prompt, "settings": request.settings()})


def cache_key(identity: ModelIdentity | Mapping[str, Any], request: GenerationRequest) -> str:
    """The response cache key: model identity (not its path or name) plus the request."""
    fields = identity.cache_fields() if isinstance(identity, ModelIdentity) else identity
    return _digest({"model": fields, "request": request_key(request)})
