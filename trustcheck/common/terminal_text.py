"""Text a model (or a server, or a dataset) wrote, made safe to store and to print.

Two rules, applied where such text enters and where it leaves:

- `well_formed`: a response is stored, cached and judged as valid Unicode. Lone surrogates
  (a server's JSON may escape half a pair) cannot be encoded as UTF-8 by SQLite, JSON writers
  or XML, so each becomes U+FFFD; every other character is kept exactly.
- `printable`: one line for a terminal: control characters (ANSI escapes, NUL, CR, backspace),
  C1 controls, line separators and bidirectional overrides are shown as `\\xNN`/`\\uNNNN`
  escapes, and long text is cut with a count of what was left out.
"""

from __future__ import annotations

import re
import reprlib

from .credentials import redact

REPLACEMENT_FOR_SURROGATES = "\ufffd"
DEFAULT_LIMIT = 2000

_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def well_formed(text: str) -> str:
    """`text` with each lone surrogate replaced by U+FFFD (and split pairs joined)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, limit: int = DEFAULT_LIMIT) -> str:
    """One terminal-safe line: unprintable characters escaped, cut after `limit` characters."""
    text = redact(text)  # before the cut, which could keep all but the end of a key
    shown = _UNPRINTABLE.sub(_escape, text[:limit])
    if len(text) > limit:
        shown += f"... ({len(text) - limit} more characters)"
    return shown


class _BoundedRepr(reprlib.Repr):
    """reprlib with limits on every kind of value, including integers too long to print."""

    def __init__(self) -> None:
        super().__init__()
        self.maxlevel, self.maxdict, self.maxlist, self.maxtuple, self.maxset = 3, 4, 6, 6, 6
        self.maxfrozenset, self.maxdeque, self.maxarray = 6, 6, 6
        self.maxstring, self.maxlong, self.maxother = 60, 40, 60

    def repr_int(self, x: int, level: int) -> str:
        digits = int(abs(x).bit_length() * 0.30103) + 1
        if digits <= self.maxlong:
            return repr(x)
        if abs(x) < 10 ** (digits - 1):  # the estimate can be one too many
            digits -= 1
        return f"<an integer of {digits} digits>"


_BOUNDED_REPR = _BoundedRepr()


def bounded_repr(value: object, limit: int = 80) -> str:
    """repr() for a value in an error message, in bounded time and length whatever the value.

    A YAML alias can make a small file hold a structure whose full repr is gigabytes long.
    """
    try:
        text = _BOUNDED_REPR.repr(value)
    except Exception:  # noqa: BLE001 - a value whose own repr fails is still named
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."
