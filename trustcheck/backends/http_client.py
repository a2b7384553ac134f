"""JSON over HTTP on httpx: pooled connections, a total deadline, a size cap, no redirects, retries.

One `JSONClient` per server, shared by every thread of a backend (httpx's pool is thread-safe),
so concurrent requests reuse keep-alive connections. Each attempt must finish within the
policy's `timeout` in total (see trustcheck.common.http_transport) and its body may not exceed
`max_response_bytes`. Redirects are never followed: the request carries credentials, and the
target is another URL the user did not name. Every message is redacted before it is cut.
"""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx2

from ..common.credentials import redact, redact_url
from ..common.http_transport import DeadlineTransport, deadline_passed, total_deadline

T = TypeVar("T")

# 408 and 429 are the server asking to come back later; 5xx is a server that may recover.
RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504})
DEFAULT_MAX_RESPONSE_MB = 32
_MESSAGE_LIMIT = 200


class HTTPFailure(Exception):
    """A failed request; the message names the URL and never holds a credential.

    `status` is the HTTP status when an answer came; `retryable` says whether another attempt
    may succeed (429, 5xx, timeouts, dropped connections, garbage), `retry_after` the server's wish,
    `reason` the message without the URL.
    """

    def __init__(self, message: str, status: int | None = None, retryable: bool = False, retry_after: float | None = None,
                 reason: str | None = None):
        super().__init__(message)
        self.status, self.retryable, self.retry_after = status, retryable, retry_after
        self.reason = message if reason is None else reason


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    base_delay: float = 1.0
    max_delay: float = 30.0
    timeout: float = 600.0
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_MB * 2**20

    @classmethod
    def from_extra(cls, extra: Mapping[str, str]) -> RetryPolicy:
        """`retries`, `backoff`, `timeout` (seconds) and `max_response_mb` from BackendOptions.extra."""
        try:
            policy = cls(
                attempts=1 + int(extra.get("retries", cls.attempts - 1)),
                base_delay=float(extra.get("backoff", cls.base_delay)),
                timeout=float(extra.get("timeout", cls.timeout)),
                max_response_bytes=int(float(extra.get("max_response_mb", DEFAULT_MAX_RESPONSE_MB)) * 2**20),
            )
        except (ValueError, OverflowError) as error:
            raise ValueError(f"retries/backoff/timeout/max_response_mb must be numbers: {error}") from None
        if policy.attempts < 1 or not 0 < policy.timeout < math.inf or policy.max_response_bytes < 1 or not 0 <= policy.base_delay < math.inf:
            raise ValueError("retries and backoff must be >= 0, timeout and max_response_mb finite and > 0")
        return policy

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Exponential backoff with jitter, so that many clients do not retry in lockstep."""
        backoff = min(self.max_delay, self.base_delay * 2**attempt) * random.uniform(0.5, 1.0)
        return min(self.max_delay, max(backoff, retry_after or 0.0))


def _retry_after(headers: httpx2.Headers) -> float | None:
    try:
        value = float(headers.get("Retry-After", ""))
    except ValueError:  # absent, or an HTTP date: fall back to our own backoff
        return None
    return value if value >= 0 else None


def loads_bounded(body: bytes) -> Any:
    """json.loads that reports nesting too deep for the parser as a ValueError."""
    try:
        return json.loads(body)
    except RecursionError:
        raise ValueError("JSON nested too deep to read") from None


def server_message(body: bytes) -> str:
    """The `error.message` of an error body, else its text, on one line (not yet cut)."""
    try:
        error = loads_bounded(body).get("error")
        message = error.get("message") if isinstance(error, dict) else error
    except (ValueError, AttributeError):
        message = None
    text = str(message) if message else body[: 4 * _MESSAGE_LIMIT].decode("utf-8", "replace")
    return " ".join(text.split())


def cut(text: str, limit: int = _MESSAGE_LIMIT) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def _redirect_failure(response: httpx2.Response) -> HTTPFailure:
    try:
        target = response.url.join(response.headers.get("Location", ""))
        where = f"{target.scheme}://{target.host}" + (f":{target.port}" if target.port else "")
    except (httpx2.InvalidURL, ValueError):
        where = "an unreadable location"
    return HTTPFailure(
        f"HTTP {response.status_code} redirect to {where}; redirects are not followed, so that "
        "credentials never reach another URL: put the final URL in the model spec",
        response.status_code,
    )


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    headers: httpx2.Headers


class JSONClient:
    """Sends JSON requests, retrying on 429, 5xx, timeouts, dropped connections and garbage."""

    def __init__(
        self,
        policy: RetryPolicy,
        headers: Mapping[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        connections: int = 8,
        secrets: tuple[str, ...] = (),
    ):
        self.policy = policy
        self._secrets = secrets
        limits = httpx2.Limits(max_connections=connections, max_keepalive_connections=connections)
        self._http = httpx2.Client(
            transport=DeadlineTransport(limits),
            headers={"Accept": "application/json", **(headers or {})},
            auth=httpx2.BasicAuth(*auth) if auth else None,
            timeout=policy.timeout,
            follow_redirects=False,
        )

    def _body(self, payload: Any | None) -> bytes | None:
        if payload is None:
            return None
        try:
            return json.dumps(payload, allow_nan=False).encode("utf-8")
        except ValueError as error:
            raise HTTPFailure(f"the request holds a value JSON cannot carry ({error})") from None

    def _read_capped(self, response: httpx2.Response) -> bytes:
        cap = self.policy.max_response_bytes
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > cap:
            raise HTTPFailure(f"the response is {int(declared)} bytes, over the limit of {cap} (max_response_mb)", response.status_code)
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > cap:
                raise HTTPFailure(f"the response passed the limit of {cap} bytes; stopped reading (max_response_mb)", response.status_code)
            if deadline_passed():
                raise httpx2.ReadTimeout("the request's total deadline passed")
            chunks.append(chunk)
        return b"".join(chunks)

    def _exchange(self, url: str, body: bytes | None, headers: Mapping[str, str] | None) -> Reply:
        method = "GET" if body is None else "POST"
        sent = {**({"Content-Type": "application/json"} if body is not None else {}), **(headers or {})}
        with total_deadline(self.policy.timeout), self._http.stream(method, url, content=body, headers=sent) as response:
            if response.is_redirect:
                raise _redirect_failure(response)
            return Reply(response.status_code, self._read_capped(response), response.headers)

    def _attempt(self, url: str, body: bytes | None, parse: Callable[[Any], T], headers: Mapping[str, str] | None) -> T:
        try:
            reply = self._exchange(url, body, headers)
        except httpx2.TimeoutException:
            raise HTTPFailure(f"timed out: no complete answer within {self.policy.timeout:g} s", retryable=True) from None
        except httpx2.TransportError as error:
            raise HTTPFailure(f"{type(error).__name__}: {error}", retryable=True) from None
        except httpx2.InvalidURL as error:
            raise HTTPFailure(f"invalid URL ({error})") from None
        if not 200 <= reply.status < 300:
            retryable = reply.status in RETRYABLE_STATUS
            retry_after = _retry_after(reply.headers) if retryable else None
            raise HTTPFailure(f"HTTP {reply.status}: {server_message(reply.body)}", reply.status, retryable, retry_after)
        try:
            return parse(loads_bounded(reply.body))
        except (ValueError, KeyError, IndexError, TypeError) as error:
            raise HTTPFailure(f"invalid response ({type(error).__name__}: {error})", reply.status, retryable=True) from None

    def _failure(self, url: str, failure: HTTPFailure, prefix: str = "") -> HTTPFailure:
        """The failure as the user sees it: URL first, redacted, then cut."""
        text = cut(redact(f"{prefix}{failure}", self._secrets), 2 * _MESSAGE_LIMIT)
        return HTTPFailure(f"{redact_url(url)}: {text}", failure.status, failure.retryable, failure.retry_after, text)

    def once(self, url: str, payload: Any | None, parse: Callable[[Any], T], headers: Mapping[str, str] | None = None) -> T:
        """One attempt; HTTPFailure (see its `retryable`) when it fails."""
        try:
            return self._attempt(url, self._body(payload), parse, headers)
        except HTTPFailure as failure:
            raise self._failure(url, failure) from None

    def call(self, url: str, payload: Any | None, parse: Callable[[Any], T]) -> T:
        """POST `payload` (GET when None) and return `parse(json)`, retrying; HTTPFailure when it keeps failing."""
        try:
            body = self._body(payload)
        except HTTPFailure as failure:
            raise self._failure(url, failure) from None
        for attempt in range(self.policy.attempts):
            try:
                return self._attempt(url, body, parse, None)
            except HTTPFailure as failure:
                if not failure.retryable:
                    raise self._failure(url, failure) from None
                if attempt + 1 == self.policy.attempts:
                    raise self._failure(url, failure, f"gave up after {self.policy.attempts} attempts: ") from None
                time.sleep(self.policy.delay(attempt, failure.retry_after))
        raise AssertionError("unreachable: the last attempt returns or raises")

    def close(self) -> None:
        self._http.close()
