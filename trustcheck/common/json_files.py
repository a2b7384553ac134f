"""Every JSON document trustcheck reads or writes goes through here.

Reading: whatever the file holds (bytes that are not UTF-8, nesting 100,000 deep, a 5,000-digit
number, NaN, a file of gigabytes), the caller gets the parsed value or one `JsonFileError` whose
message is one line naming the file and the problem. Writing: strict JSON only (no NaN or
Infinity, which other JSON readers reject).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from .errors import TrustcheckError

# Far above any file trustcheck writes or TrustLLM ships (the largest dataset file is ~10 MB).
MAX_BYTES = 1 << 30
# TrustLLM's files nest 3 deep and results files 5; a limit keeps every later recursive walk
# (jsonschema, json.dumps, the reports) far from Python's recursion limit.
MAX_DEPTH = 64

NonFinite = Literal["reject", "null"]


class JsonFileError(TrustcheckError):
    """A JSON file that cannot be used: `source: problem`, one line."""

    def __init__(self, source: str, problem: str) -> None:
        self.source = source
        self.problem = problem
        super().__init__(f"{source}: {problem}")


class _Rejected(ValueError):
    """Raised from inside the decoder's hooks: already a user-facing problem."""


def _non_finite_hook(policy: NonFinite) -> Callable[[str], Any]:
    def constant(name: str) -> Any:
        if policy == "null":
            return None
        raise _Rejected(f"expected strict JSON, found {name} (JSON has no NaN or Infinity)")

    return constant


def _float_hook(policy: NonFinite) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        value = float(text)
        if math.isfinite(value):
            return value
        if policy == "null":
            return None
        shown = text if len(text) <= 40 else text[:37] + "..."
        raise _Rejected(f"expected a finite number, found {shown} (out of range)")

    return parse


def _too_deep(document: Any, limit: int) -> bool:
    """Whether containers nest deeper than `limit`; iterative, so any depth is safe to check."""
    stack: list[tuple[Any, int]] = [(document, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(value, dict):
            stack.extend((child, depth + 1) for child in value.values() if isinstance(child, (dict, list)))
        elif isinstance(value, list):
            stack.extend((child, depth + 1) for child in value if isinstance(child, (dict, list)))
    return False


def _decode_text(raw: bytes | str, source: str) -> str:
    if isinstance(raw, str):
        return raw
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise JsonFileError(
            source, f"expected UTF-8 text, found byte 0x{raw[error.start]:02x} at offset {error.start} (line {line})"
        ) from None


def parse_json(raw: bytes | str, source: str, *, non_finite: NonFinite = "reject", max_depth: int = MAX_DEPTH) -> Any:
    """Parse one JSON document; every problem is a JsonFileError naming `source`.

    `non_finite="null"` reads NaN, Infinity and out-of-range numbers as null (as pandas writes
    missing values); the default rejects them.
    """
    text = _decode_text(raw, source)
    try:
        document = json.loads(text, parse_constant=_non_finite_hook(non_finite), parse_float=_float_hook(non_finite))
    except _Rejected as error:
        raise JsonFileError(source, str(error)) from None
    except json.JSONDecodeError as error:
        raise JsonFileError(source, f"not valid JSON ({error.msg} at line {error.lineno} column {error.colno})") from None
    except RecursionError:
        raise JsonFileError(source, f"expected JSON nested at most {max_depth} deep, found deeper nesting") from None
    except ValueError as error:  # an integer past Python's digit limit
        reason = str(error).split(";")[0]
        raise JsonFileError(source, f"unreadable number ({reason})") from None
    if _too_deep(document, max_depth):
        raise JsonFileError(source, f"expected JSON nested at most {max_depth} deep, found deeper nesting")
    return document


def read_json_file(
    path: str | Path,
    *,
    what: str = "file",
    source: str | None = None,
    non_finite: NonFinite = "reject",
    max_bytes: int = MAX_BYTES,
) -> Any:
    """Read and parse a JSON file; unreadable, oversized or malformed files give a JsonFileError."""
    path = Path(path)
    source = source or str(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as error:
        raise JsonFileError(source, f"cannot read {what} ({error.strerror or type(error).__name__})") from None
    if len(raw) > max_bytes:
        raise JsonFileError(source, f"expected a JSON file of at most {max_bytes} bytes, found a larger one")
    return parse_json(raw, source, non_finite=non_finite)


def expect_type(value: Any, expected: type | tuple[type, ...], source: str, where: str) -> Any:
    """`value` if it has the expected JSON type (booleans are not numbers), else a JsonFileError."""
    kinds = expected if isinstance(expected, tuple) else (expected,)
    if isinstance(value, bool) and bool not in kinds:
        ok = False
    else:
        ok = isinstance(value, kinds)
    if not ok:
        wanted = " or ".join(_KIND_NAMES.get(kind, kind.__name__) for kind in kinds)
        raise JsonFileError(source, f"{where}: expected {wanted}, found {kind_of(value)}")
    return value


_KIND_NAMES: dict[type, str] = {
    dict: "an object", list: "a list", str: "a string", int: "an integer", float: "a number",
    bool: "true or false", type(None): "null",
}


def kind_of(value: Any) -> str:
    """How a decoded JSON value is named in messages."""
    return _KIND_NAMES.get(type(value), type(value).__name__)


def describe(value: Any) -> str:
    """A short rendering of a decoded value for a message: scalars shown, containers named."""
    if isinstance(value, (dict, list)):
        return kind_of(value)
    text = json.dumps(value, ensure_ascii=True)
    return text if len(text) <= 60 else text[:57] + "..."


def finite_or_null(value: Any) -> Any:
    """`value` with every NaN or infinite float inside it replaced by None (null in JSON)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: finite_or_null(child) for key, child in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite_or_null(child) for child in value]
    return value


def dumps_strict(value: Any, **options: Any) -> str:
    """JSON text any reader accepts: NaN and infinities become null, never the bare words."""
    return json.dumps(finite_or_null(value), allow_nan=False, **options)
