"""Generation progress from pytest-xdist workers to the controller, through small files.

xdist carries only its own events from a worker (an unknown one takes the worker down) and every
test report it carries goes to every plugin's report hooks, so progress travels beside it: each
worker keeps its current snapshot in `<dir>/<worker id>.json`, replaced atomically at most twice
a second, and the controller reads the directory when it redraws. The directory reaches the
workers through `workerinput`; workers on other machines (`--tx ssh=...`) cannot write there, and
their progress is not shown.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

from .progress import ProgressSnapshot

WORKERINPUT_KEY = "trustcheck_progress_dir"
MIN_WRITE_INTERVAL_S = 0.5


class WorkerProgressFile:
    """A board listener on a worker: its snapshot in a file, removed when the backend call ends."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._written_at = float("-inf")
        self._started: float | None = None

    def __call__(self, snapshot: ProgressSnapshot | None) -> None:
        if snapshot is None:
            self._started = None
            self.path.unlink(missing_ok=True)
            return
        now = time.monotonic()
        if snapshot.started == self._started and now - self._written_at < MIN_WRITE_INTERVAL_S:
            return
        self._started, self._written_at = snapshot.started, now
        temporary = self.path.with_suffix(f".{os.getpid()}.tmp")
        try:
            temporary.write_text(json.dumps(snapshot.as_dict()), encoding="utf-8")
            os.replace(temporary, self.path)
        except OSError:
            pass  # progress is a courtesy: never fail a run over it


class WorkerProgressFiles:
    """On the controller: the directory the workers write to, handed to each as it starts."""

    def __init__(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="trustcheck-progress-"))

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput[WORKERINPUT_KEY] = str(self.directory)

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        # A worker that died in a backend call leaves its last snapshot behind.
        worker = getattr(node, "workerinput", {}).get("workerid")
        if worker:
            (self.directory / f"{worker}.json").unlink(missing_ok=True)

    def snapshots(self) -> list[ProgressSnapshot]:
        found = []
        for path in sorted(self.directory.glob("*.json")):
            try:
                found.append(ProgressSnapshot.from_dict(json.loads(path.read_text(encoding="utf-8"))))
            except (OSError, ValueError, KeyError, TypeError):
                continue  # gone or half-written: the next redraw reads it again
        return found

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)


def worker_listener(config: pytest.Config) -> WorkerProgressFile | None:
    """The listener a worker's board needs, if the controller asked for progress."""
    workerinput = getattr(config, "workerinput", None)
    if not workerinput or WORKERINPUT_KEY not in workerinput:
        return None
    return WorkerProgressFile(Path(workerinput[WORKERINPUT_KEY]) / f"{workerinput['workerid']}.json")
