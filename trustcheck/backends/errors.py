"""Exceptions turned into the one-line messages users see."""

from __future__ import annotations


def first_line(error: BaseException, limit: int = 160) -> str:
    """An exception as one short line, for errors that must fit on one line."""
    text = str(error).strip()
    line = text.splitlines()[0] if text else type(error).__name__
    return line if len(line) <= limit else line[: limit - 3] + "..."
