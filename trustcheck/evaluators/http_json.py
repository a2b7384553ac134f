"""JSON over HTTP POST for the online evaluators, with secrets kept out of every message."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

RETRYABLE = {429, 500, 502, 503, 504}


@dataclass
class HttpJsonError(Exception):
    """A failed call: the HTTP status (None when no response came) and a scrubbed message."""

    status: int | None
    message: str

    def __str__(self) -> str:
        return self.message

    @property
    def retryable(self) -> bool:
        return self.status is None or self.status in RETRYABLE


def scrub(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def post_json(
    url: str,
    payload: Mapping[str, Any],
    headers: Mapping[str, str] | None = None,
    timeout: float = 30.0,
    secrets: Iterable[str] = (),
) -> Any:
    """POST `payload` as JSON and return the decoded JSON answer, or raise HttpJsonError."""
    secrets = tuple(secrets)
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode("utf-8"),
        headers={"Content-Type": "application/json", **(headers or {})},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
    except urllib.error.HTTPError as error:
        detail = _error_detail(error.read())
        message = f"HTTP {error.code} from {_host(url)}" + (f": {detail}" if detail else "")
        raise HttpJsonError(error.code, scrub(message, secrets)) from None
    except (TimeoutError, urllib.error.URLError, ConnectionError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise HttpJsonError(None, scrub(f"cannot reach {_host(url)}: {reason}", secrets)) from None
    try:
        return json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise HttpJsonError(200, f"{_host(url)} answered with something that is not JSON") from None


def _host(url: str) -> str:
    """Scheme, host and path only: a query string may carry a key."""
    return url.split("?", 1)[0]


def _error_detail(body: bytes) -> str:
    try:
        document = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return body[:200].decode("utf-8", "replace").strip()
    error = document.get("error") if isinstance(document, dict) else None
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        return error["message"][:300]
    if isinstance(error, str):
        return error[:300]
    return json.dumps(document)[:200]
