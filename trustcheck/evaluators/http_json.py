"""JSON over HTTP POST for the online evaluators, on the backends' client: pooled connections, a
total deadline, a size cap, no redirects, and secrets kept out of every message."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..backends.http_client import (
    RETRYABLE_STATUS,
    HTTPFailure,
    JSONClient,
    RetryPolicy,
)
from ..common.credentials import redact, redact_url, register_secret


@dataclass
class HttpJsonError(Exception):
    """A failed call: the HTTP status (None when no answer came) and a redacted message."""

    status: int | None
    message: str

    def __str__(self) -> str:
        return self.message

    @property
    def retryable(self) -> bool:
        return self.status is None or self.status in RETRYABLE_STATUS


_clients: dict[float, JSONClient] = {}
_clients_lock = threading.Lock()


def _client(timeout: float) -> JSONClient:
    """One pooled client per timeout, shared by every evaluator of the process."""
    with _clients_lock:
        if timeout not in _clients:
            _clients[timeout] = JSONClient(RetryPolicy(attempts=1, timeout=timeout))
        return _clients[timeout]


def post_json(
    url: str,
    payload: Mapping[str, Any],
    headers: Mapping[str, str] | None = None,
    timeout: float = 30.0,
    secrets: Iterable[str] = (),
) -> Any:
    """POST `payload` as JSON (one attempt) and return the decoded answer, or raise HttpJsonError."""
    secrets = tuple(s for s in secrets if s)
    for secret in secrets:
        register_secret(secret)
    shown = redact_url(_without_query(url))
    try:
        return _client(timeout).once(url, dict(payload), lambda answer: answer, headers)
    except HTTPFailure as failure:
        detail = redact(failure.reason, secrets)
        where = f"cannot reach {shown}" if failure.status is None else shown
        raise HttpJsonError(failure.status, f"{where}: {detail}") from None


def _without_query(url: str) -> str:
    """Scheme, host and path only: a query string may carry a key."""
    return url.split("?", 1)[0]
