"""Checks on paths the user names, made before a run relies on them."""

from __future__ import annotations

from pathlib import Path


def blocking_file(directory: Path) -> Path | None:
    """The path at or above `directory` that exists and is not a directory, if any.

    Such a path makes `directory` impossible to create or use: a run told to write there should
    say so at once rather than fail on every item.
    """
    for candidate in (directory, *directory.parents):
        if candidate.exists() or candidate.is_symlink():
            return None if candidate.is_dir() else candidate
    return None
