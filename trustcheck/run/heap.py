"""Keeps Python's cyclic garbage collector off the long-lived objects of a large run.

A full benchmark collects about 16,000 items; the tree, the parsed dataset and the suites stay
alive until the session ends. Every full collection during the run walks all of them again, and
so do the collections pytest forces at the end and those of interpreter shutdown: about a fifth
of a run served from the cache. Freezing moves what exists into the collector's permanent
generation, which no collection visits; the session's cleanup unfreezes it, so a process that
runs several sessions (pytester, IDEs) can still free a finished session's cycles.
"""

from __future__ import annotations

import atexit
import gc

import pytest

_frozen_by_us = pytest.StashKey[bool]()
_exit_freeze_registered = False


def install(config: pytest.Config) -> None:
    """Call from pytest_configure, so this cleanup runs after pytest's own end-of-session
    collections (cleanups run last-in first-out, and pytest registers its own later)."""
    config.add_cleanup(lambda: _unfreeze(config))


def freeze_long_lived(config: pytest.Config) -> None:
    """Freeze every object alive now, unless somebody else already froze the heap."""
    if gc.get_freeze_count() and not config.stash.get(_frozen_by_us, False):
        return
    gc.freeze()
    config.stash[_frozen_by_us] = True
    _skip_collection_at_exit()


def _unfreeze(config: pytest.Config) -> None:
    if config.stash.get(_frozen_by_us, False):
        gc.unfreeze()
        config.stash[_frozen_by_us] = False


def _skip_collection_at_exit() -> None:
    # Once the interpreter exits, shutdown frees by reference counts; frozen objects spare it the
    # repeated full collections over everything still alive (about 2 s at full size). Only in
    # processes that ran benchmark items: those collections are where garbage cycles get
    # finalized, and other test runs keep them.
    global _exit_freeze_registered
    if not _exit_freeze_registered:
        atexit.register(gc.freeze)
        _exit_freeze_registered = True
