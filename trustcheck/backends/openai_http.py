"""`openai:` backend: any OpenAI-compatible server (vLLM, TGI, llama.cpp server, hosted APIs).

The base URL is not part of the model identity: the same model served elsewhere shares cache
entries. The identity is the model name plus the stable fields of its `/v1/models` entry
(`owned_by`, `max_model_len`); fields that change on every restart (`created`) or name a path
(`root`) are left out. An API key comes from the environment variable named by
`BackendOptions.api_key_env` at each request and is never stored, logged or put in an error.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .base import BackendError, Generation, GenerationRequest, ModelIdentity
from .chat import cut_at_stop
from .http_client import HTTPFailure, JSONClient, RetryPolicy
from .identity import text_hash
from .registry import BackendOptions

PROTOCOL_VERSION = "openai-v1"
MAX_STOP_SEQUENCES = 4  # the OpenAI API refuses more; the rest are cut here
SYSTEM_MODES = ("none", "empty")
_STABLE_MODEL_FIELDS = ("owned_by", "max_model_len")


@dataclass(frozen=True)
class OpenAISpec:
    """`openai:BASE_URL@MODEL[#system=empty]`.

    `system=empty` sends an empty system message before the user turn, for servers whose chat
    template would otherwise insert a default system prompt (TrustLLM blanks it); by default only
    the user turn is sent, as TrustLLM does for API models.
    """

    base_url: str
    model: str
    system: str = "none"


def parse_spec(rest: str) -> OpenAISpec:
    body, _, fragment = rest.partition("#")
    url, found, model = body.rpartition("@")
    example = "e.g. openai:http://127.0.0.1:8000/v1@llama-3-8b"
    if not found or not url or not model:
        raise BackendError(f"openai:{rest}: expected openai:BASE_URL@MODEL, {example}")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise BackendError(f"openai:{rest}: base URL must start with http:// or https://, {example}")
    if parts.path.strip("/") == "":
        url = url.rstrip("/") + "/v1"
    settings = dict(parse_qsl(fragment, keep_blank_values=True))
    system = settings.pop("system", "none")
    if settings or system not in SYSTEM_MODES:
        raise BackendError(f"openai:{rest}: the only option after '#' is system=none|empty")
    return OpenAISpec(url.rstrip("/"), model, system)


def _chat_text(data: Any) -> tuple[str, str | None]:
    choice = data["choices"][0]
    message = choice["message"]
    content = message.get("content")
    if content is None and message.get("refusal") is not None:
        content = message["refusal"]
    if not isinstance(content, str):
        raise TypeError("choices[0].message.content is not a string")
    return content, choice.get("finish_reason")


def _completion_text(data: Any) -> tuple[str, str | None]:
    choice = data["choices"][0]
    if not isinstance(choice["text"], str):
        raise TypeError("choices[0].text is not a string")
    return choice["text"], choice.get("finish_reason")


class OpenAIBackend:
    """Requests go out concurrently, `options.concurrency` at a time, and come back in order."""

    name = "openai"

    def __init__(self, spec: OpenAISpec, options: BackendOptions):
        self.spec = spec
        self.concurrency = max(1, options.concurrency)
        self._key_env = options.api_key_env
        self._client = JSONClient(RetryPolicy.from_extra(options.extra), self._headers, self._api_key)
        self._identity: ModelIdentity | None = None

    def __repr__(self) -> str:
        return f"OpenAIBackend({self.spec.base_url!r}, model={self.spec.model!r})"

    def _api_key(self) -> str | None:
        return os.environ.get(self._key_env) or None

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        key = self._api_key()
        if key:
            headers["Authorization"] = f"Bearer {key}"
        return headers

    def identity(self) -> ModelIdentity:
        if self._identity is None:
            entry = self._model_entry()
            extra = {field: str(entry[field]) for field in _STABLE_MODEL_FIELDS if field in entry}
            if self.spec.system != "none":
                extra["system"] = self.spec.system
            self._identity = ModelIdentity(
                backend=self.name,
                backend_version=PROTOCOL_VERSION,
                weights_hash=text_hash(f"openai-model:{self.spec.model}"),
                display_name=f"openai:{self.spec.base_url}@{self.spec.model}",
                extra=extra,
            )
        return self._identity

    def _model_entry(self) -> dict[str, Any]:
        url = f"{self.spec.base_url}/models"
        try:
            listed = self._client.call(url, None, lambda data: list(data["data"]))
        except HTTPFailure as error:
            if ": HTTP 404:" in str(error):  # a server without a model list: the name alone
                return {}
            raise BackendError(f"cannot reach the model server: {error}") from None
        entries = {str(m.get("id")): m for m in listed if isinstance(m, dict)}
        if entries and self.spec.model not in entries:
            served = ", ".join(sorted(entries)[:10])
            raise BackendError(f"{url} does not serve model {self.spec.model!r}; it serves: {served}")
        return entries.get(self.spec.model, {})

    def _payload(self, request: GenerationRequest) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "model": self.spec.model,
            "temperature": request.temperature,
            "max_tokens": request.max_new_tokens,
            "seed": request.seed,
        }
        if request.stop:
            payload["stop"] = list(request.stop[:MAX_STOP_SEQUENCES])
        if request.min_new_tokens:
            payload["min_tokens"] = request.min_new_tokens  # vLLM's and llama.cpp server's extension
        if request.mode == "raw":
            payload["prompt"] = request.prompt
        else:
            payload["messages"] = [*self._system_messages(request.system_prompt), {"role": "user", "content": request.prompt}]
        return payload

    def _system_messages(self, system_prompt: str | None) -> list[dict[str, str]]:
        """A text is sent as the system message. The server's template is out of sight, so for a
        blank one the spec decides (`#system=empty` sends an empty message, by default none is
        sent, as TrustLLM did for API models); for the model's default none is sent."""
        if system_prompt is None:
            return []
        if system_prompt == "":
            return [{"role": "system", "content": ""}] if self.spec.system == "empty" else []
        return [{"role": "system", "content": system_prompt}]

    def _generate_one(self, request: GenerationRequest) -> Generation:
        raw = request.mode == "raw"
        url = f"{self.spec.base_url}/{'completions' if raw else 'chat/completions'}"
        try:
            text, finish = self._client.call(url, self._payload(request), _completion_text if raw else _chat_text)
        except HTTPFailure as error:
            return Generation(text=None, error=str(error))
        text, stopped = cut_at_stop(text, request.stop)
        return Generation(text=text, finish_reason="stop" if stopped else finish)

    def generate(self, requests: Sequence[GenerationRequest]) -> list[Generation]:
        if len(requests) <= 1 or self.concurrency == 1:
            return [self._generate_one(r) for r in requests]
        with ThreadPoolExecutor(max_workers=min(self.concurrency, len(requests))) as pool:
            return list(pool.map(self._generate_one, requests))

    def close(self) -> None:
        """Nothing to release: every request opens and closes its own connection."""


def create(rest: str, options: BackendOptions) -> OpenAIBackend:
    return OpenAIBackend(parse_spec(rest), options)
