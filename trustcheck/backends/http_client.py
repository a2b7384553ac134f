"""JSON over HTTP with the standard library: retries with exponential backoff and jitter."""

from __future__ import annotations

import http.client
import json
import random
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")

# 408 and 429 are the server asking to come back later; 5xx is a server that may recover.
RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504})
_NETWORK_ERRORS = (urllib.error.URLError, http.client.HTTPException, ConnectionError, TimeoutError, socket.timeout)


class HTTPFailure(Exception):
    """The request failed for good; the message names the URL and never holds the API key."""


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    base_delay: float = 1.0
    max_delay: float = 30.0
    timeout: float = 600.0

    @classmethod
    def from_extra(cls, extra: Mapping[str, str]) -> RetryPolicy:
        """`retries`, `backoff` and `timeout` (seconds) from BackendOptions.extra."""
        try:
            return cls(
                attempts=1 + int(extra.get("retries", cls.attempts - 1)),
                base_delay=float(extra.get("backoff", cls.base_delay)),
                timeout=float(extra.get("timeout", cls.timeout)),
            )
        except ValueError as error:
            raise ValueError(f"retries/backoff/timeout must be numbers: {error}") from None

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Exponential backoff with jitter, so that many clients do not retry in lockstep."""
        backoff = min(self.max_delay, self.base_delay * 2**attempt) * random.uniform(0.5, 1.0)
        return min(self.max_delay, max(backoff, retry_after or 0.0))


def _retry_after(headers: Any) -> float | None:
    try:
        return float(headers.get("Retry-After")) if headers and headers.get("Retry-After") else None
    except ValueError:  # an HTTP date: fall back to our own backoff
        return None


def _server_message(body: bytes) -> str:
    try:
        error = json.loads(body).get("error")
        message = error.get("message") if isinstance(error, dict) else error
    except (ValueError, AttributeError):
        message = None
    text = str(message) if message else body.decode("utf-8", "replace")
    return " ".join(text.split())[:200]


class JSONClient:
    """Sends JSON requests, retrying on 429, 5xx, timeouts, dropped connections and garbage."""

    def __init__(self, policy: RetryPolicy, headers: Callable[[], dict[str, str]], secret: Callable[[], str | None]):
        self.policy, self._headers, self._secret = policy, headers, secret

    def _redact(self, text: str) -> str:
        secret = self._secret()
        return text.replace(secret, "***") if secret else text

    def _send(self, url: str, payload: Any | None) -> tuple[int, bytes, Any]:
        data = None if payload is None else json.dumps(payload).encode("utf-8")
        request = urllib.request.Request(url, data=data, headers=self._headers(), method="GET" if data is None else "POST")
        try:
            with urllib.request.urlopen(request, timeout=self.policy.timeout) as response:
                return response.status, response.read(), response.headers
        except urllib.error.HTTPError as error:
            return error.code, error.read(), error.headers

    def call(self, url: str, payload: Any | None, parse: Callable[[Any], T]) -> T:
        """POST `payload` (GET when None) and return `parse(json)`; HTTPFailure when it keeps failing."""
        reason = "no attempt made"
        for attempt in range(self.policy.attempts):
            retry_after = None
            try:
                status, body, headers = self._send(url, payload)
            except _NETWORK_ERRORS as error:
                reason = f"{type(error).__name__}: {getattr(error, 'reason', error)}"
            else:
                if 200 <= status < 300:
                    try:
                        return parse(json.loads(body))
                    except (ValueError, KeyError, IndexError, TypeError) as error:
                        reason = f"invalid response ({type(error).__name__}: {str(error)[:120]})"
                elif status in RETRYABLE_STATUS:
                    reason, retry_after = f"HTTP {status}: {_server_message(body)}", _retry_after(headers)
                else:
                    raise HTTPFailure(self._redact(f"{url}: HTTP {status}: {_server_message(body)}"))
            if attempt + 1 < self.policy.attempts:
                time.sleep(self.policy.delay(attempt, retry_after))
        raise HTTPFailure(self._redact(f"{url}: gave up after {self.policy.attempts} attempts: {reason}"))
