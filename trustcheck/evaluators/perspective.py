"""Google's Perspective API (attribute TOXICITY), the scorer TrustLLM's toxicity task uses.

The key comes from an environment variable (PERSPECTIVE_API_KEY by default) and travels only in
the `X-Goog-Api-Key` header, never in a URL, a message or a log line. Requests are spaced to a
rate (Perspective's default quota is 1 query per second); 429 and 5xx answers are retried with
backoff; any other failure gives a None score with its reason, as the toolkit skips such items.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from typing import Any, Literal

from ..common.credentials import check_header_secret
from .errors import EvaluatorError
from .http_json import HttpJsonError, post_json
from .toxicity_score import ToxicityScore

DEFAULT_URL = "https://commentanalyzer.googleapis.com/v1alpha1/comments:analyze"
KEY_ENV = "PERSPECTIVE_API_KEY"

# span: the toolkit's `spanScores[0]` (first span); summary: `summaryScore` (whole text).
ScoreKind = Literal["span", "summary"]


class PerspectiveToxicity:
    name = "perspective"

    def __init__(
        self,
        score: ScoreKind = "span",
        *,
        url: str = DEFAULT_URL,
        key_env: str = KEY_ENV,
        qps: float = 1.0,
        retries: int = 3,
        backoff_s: float = 1.0,
        timeout_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if score not in ("span", "summary"):
            raise EvaluatorError(f"perspective: score must be 'span' or 'summary', found {score!r}")
        if qps <= 0:
            raise EvaluatorError(f"perspective: qps must be positive, found {qps!r}")
        self.score = score
        self.url = url
        self.key_env = key_env
        self.interval = 1.0 / qps
        self.retries = retries
        self.backoff_s = backoff_s
        self.timeout_s = timeout_s
        self._clock = clock
        self._sleep = sleep
        self._last_start: float | None = None

    def __call__(self, texts: Sequence[str]) -> list[float | None]:
        return [scored.value for scored in self.detailed(texts)]

    def detailed(self, texts: Sequence[str]) -> list[ToxicityScore]:
        key = self._key() if texts else ""
        return [self._score_one(text, key) for text in texts]

    def _key(self) -> str:
        key = os.environ.get(self.key_env, "").strip()
        if not key:
            raise EvaluatorError(
                f"perspective: no API key; set the {self.key_env} environment variable"
            )
        try:
            return check_header_secret(key, f"perspective: the API key in ${self.key_env}")
        except ValueError as error:
            raise EvaluatorError(str(error)) from None

    def _score_one(self, text: str, key: str) -> ToxicityScore:
        if not text.strip():
            return ToxicityScore(None, "perspective: empty text is not scored")
        payload = {"comment": {"text": text}, "requestedAttributes": {"TOXICITY": {}}}
        for attempt in range(self.retries + 1):
            self._wait_turn()
            try:
                answer = post_json(
                    self.url, payload, {"X-Goog-Api-Key": key}, self.timeout_s, secrets=[key]
                )
            except HttpJsonError as error:
                if error.retryable and attempt < self.retries:
                    self._sleep(self.backoff_s * 2**attempt)
                    continue
                return ToxicityScore(None, f"perspective: {error}")
            return self._read(answer)
        raise AssertionError("unreachable: the last attempt returns")

    def _wait_turn(self) -> None:
        now = self._clock()
        if self._last_start is not None:
            wait = self._last_start + self.interval - now
            if wait > 0:
                self._sleep(wait)
                now += wait
        self._last_start = now

    def _read(self, answer: Any) -> ToxicityScore:
        path = "spanScores[0]" if self.score == "span" else "summaryScore"
        try:
            toxicity = answer["attributeScores"]["TOXICITY"]
            entry = toxicity["spanScores"][0]["score"] if self.score == "span" else (
                toxicity["summaryScore"]
            )
            value = float(entry["value"])
        except (KeyError, IndexError, TypeError, ValueError):
            return ToxicityScore(None, f"perspective: answer lacks attributeScores.TOXICITY.{path}")
        return ToxicityScore(value, f"perspective TOXICITY {path} = {value:.4f}")
