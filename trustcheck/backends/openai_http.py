"""`openai:` backend: any OpenAI-compatible server (vLLM, TGI, llama.cpp server, hosted APIs).

The base URL is not part of the model identity: the same model served elsewhere shares cache
entries. The identity is the model name plus the stable fields of its `/v1/models` entry
(`owned_by`, `max_model_len`); fields that change on every restart (`created`) or name a path
(`root`) are left out.

Credentials: an API key comes from the environment variable named by `BackendOptions.api_key_env`
and is sent as `Authorization: Bearer`; a `user:password@` part in the base URL is sent as HTTP
basic auth instead (and then the key is not sent). Both are read once, when the backend is made,
checked to be sendable, registered for redaction and never put in a message, the identity or
the results.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from ..common.credentials import (
    check_header_secret,
    redact,
    redact_known,
    redact_spec,
    register_secret,
)
from .base import (
    BackendError,
    Generation,
    GenerationProgress,
    GenerationRequest,
    ModelIdentity,
)
from .chat import cut_at_stop
from .http_client import HTTPFailure, JSONClient, RetryPolicy, cut
from .identity import text_hash
from .registry import BackendOptions

PROTOCOL_VERSION = "openai-v1"
MAX_STOP_SEQUENCES = 4  # the OpenAI API refuses more; the rest are cut here
SYSTEM_MODES = ("none", "empty")
_STABLE_MODEL_FIELDS = ("owned_by", "max_model_len")


@dataclass(frozen=True)
class OpenAISpec:
    """`openai:BASE_URL@MODEL[#system=empty]`, BASE_URL possibly `http://user:password@host/...`.

    The model name follows the last '@'. `system=empty` sends an empty system message before
    the user turn, for servers whose chat template would otherwise insert a default system
    prompt (TrustLLM blanks it); by default only the user turn is sent, as TrustLLM does for
    API models. `base_url` holds no credentials: they are in `basic_auth`.
    """

    base_url: str
    model: str
    system: str = "none"
    basic_auth: tuple[str, str] | None = field(default=None, repr=False, compare=False)


def parse_spec(rest: str) -> OpenAISpec:
    shown = redact_spec(f"openai:{rest}")
    body, _, fragment = rest.partition("#")
    url, found, model = body.rpartition("@")
    example = "e.g. openai:http://127.0.0.1:8000/v1@llama-3-8b"
    # `http://u:p@host/v1` alone: the last '@' ends the URL's user:password, and no model follows.
    no_model = "://" in url and "/" not in url.split("://", 1)[1] and "/" in model
    if not found or not url or not model or no_model:
        raise BackendError(f"{shown}: expected openai:BASE_URL@MODEL, {example}")
    try:
        parts = urlsplit(url)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        # The parser's own message quotes the part it could not read, which may be a password.
        raise BackendError(f"{shown}: unreadable base URL (check its host and port), {example}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or not port_ok:
        raise BackendError(f"{shown}: base URL must start with http:// or https:// and name a host, {example}")
    userinfo, at, host = parts.netloc.rpartition("@")
    auth = _basic_auth(userinfo) if at else None
    path = parts.path.rstrip("/") or "/v1"
    settings = dict(parse_qsl(fragment, keep_blank_values=True))
    system = settings.pop("system", "none")
    if settings or system not in SYSTEM_MODES:
        raise BackendError(f"{shown}: the only option after '#' is system=none|empty")
    clean = parts._replace(netloc=host, path=path).geturl()
    return OpenAISpec(clean.rstrip("/"), model, system, auth)


def _basic_auth(userinfo: str) -> tuple[str, str]:
    user, _, password = userinfo.partition(":")
    user, password = unquote(user), unquote(password)
    header = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    for secret in (password, userinfo, header):
        register_secret(secret)
    return user, password


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
        try:
            policy = RetryPolicy.from_extra(options.extra)
        except ValueError as error:
            raise BackendError(f"--trust-backend-option: {error}") from None
        headers, secrets = _key_header(options.api_key_env) if spec.basic_auth is None else ({}, ())
        self._client = JSONClient(policy, headers, spec.basic_auth, self.concurrency, secrets)
        self._identity: ModelIdentity | None = None

    def __repr__(self) -> str:
        return f"OpenAIBackend({self.spec.base_url!r}, model={self.spec.model!r})"

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
            if error.status == 404:  # a server without a model list: the name alone
                return {}
            raise BackendError(f"cannot reach the model server: {error}") from None
        entries = {str(m.get("id")): m for m in listed if isinstance(m, dict)}
        if entries and self.spec.model not in entries:
            served = ", ".join(cut(redact(name), 80) for name in sorted(entries)[:10])
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
        text, stopped = cut_at_stop(redact_known(text), request.stop)
        return Generation(text=text, finish_reason="stop" if stopped else finish)

    def generate(
        self, requests: Sequence[GenerationRequest], progress: GenerationProgress | None = None
    ) -> list[Generation]:
        def one(index: int) -> Generation:
            generation = self._generate_one(requests[index])
            if progress is not None:  # a server reports no tokens as they come: words stand in
                progress.finish(index, len((generation.text or "").split()))
            return generation

        if len(requests) <= 1 or self.concurrency == 1:
            return [one(index) for index in range(len(requests))]
        with ThreadPoolExecutor(max_workers=min(self.concurrency, len(requests))) as pool:
            return list(pool.map(one, range(len(requests))))

    def close(self) -> None:
        self._client.close()


def _key_header(env_name: str) -> tuple[dict[str, str], tuple[str, ...]]:
    """The Authorization header for the key in `env_name`, if set, and the secrets to redact."""
    key = os.environ.get(env_name) or None
    if key is None:
        return {}, ()
    try:
        check_header_secret(key, f"the API key in ${env_name}")
    except ValueError as error:
        raise BackendError(str(error)) from None
    header = f"Bearer {key}"
    register_secret(key)
    return {"Authorization": header}, (key,)


def create(rest: str, options: BackendOptions) -> OpenAIBackend:
    return OpenAIBackend(parse_spec(rest), options)
