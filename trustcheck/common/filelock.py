"""An advisory lock file shared by the processes of a run (xdist workers)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def exclusive(lock_path: Path) -> Iterator[None]:
    """Hold `lock_path` exclusively; where fcntl is missing (Windows) this does not lock.

    Callers only use it to avoid repeated work (a double rebuild, a manifest written twice), so
    running unlocked costs time, never results; that is also what happens where the lock file
    cannot be created (a read-only directory).
    """
    try:
        handle = open(lock_path, "a")  # noqa: SIM115 - closed below, after the body ran
    except OSError:
        yield
        return
    with handle:
        try:
            import fcntl
        except ImportError:
            yield
            return
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
