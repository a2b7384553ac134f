"""Generation progress on the controller's terminal; silent with -q.

On a terminal the status sits after whatever pytest's current line holds (the file name and the
outcome letters so far) and is redrawn twice a second, then erased before pytest writes again, so
pytest's own progress column stays where it would be. Elsewhere (CI logs) a status line is
written every `--trust-progress-interval` seconds while a backend call lasts.

A backend call runs inside an item's setup, where pytest captures the output: the status is
written with capture suspended, as pytest's live logging does, and only while this process's
backend call lasts (its end waits for a redraw in progress), so the two never toggle capture at once.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from .progress import ProgressSnapshot, progress_board, status_texts
from .progress_channel import WorkerProgressFiles, worker_listener

LIVE_REFRESH_S = 0.5
LOG_CHECK_S = 0.5

Sources = Callable[[], tuple[list[ProgressSnapshot], int]]


class ProgressDisplay:
    """Draws the snapshots that `sources` gives (with the number of workers, 0 without xdist)."""

    def __init__(self, config: pytest.Config, sources: Sources, interval: float) -> None:
        self.config = config
        self.sources = sources
        self.interval = interval
        self._lock = threading.RLock()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self._shown = ""
        self._next_line_at: float | None = None
        self._interrupted: Any = None  # pytest's open line that status lines broke, to resume
        self.reporter: Any = None
        self.live = False

    # -- pytest hooks ------------------------------------------------------------------------
    @pytest.hookimpl(wrapper=True)
    def pytest_runtestloop(self, session: pytest.Session) -> Iterator[None]:
        self._start()
        try:
            return (yield)
        finally:
            self._stop()

    # pytest writes to the terminal in these hooks: the status leaves the line to it first.
    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_logstart(self, nodeid: str, location: Any) -> Iterator[None]:
        with self._lock:
            self._take_line_back()
            return (yield)

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> Iterator[None]:
        with self._lock:
            self._take_line_back()
            return (yield)

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_logfinish(self, nodeid: str, location: Any) -> Iterator[None]:
        with self._lock:
            self._take_line_back()
            return (yield)

    # -- drawing -----------------------------------------------------------------------------
    def _start(self) -> None:
        self.reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        if self.reporter is None:
            return
        writer = self.reporter._tw
        # The status is erased by moving back over it; that needs pytest's record of the line.
        self.live = bool(self.reporter.isatty()) and isinstance(getattr(writer, "_current_line", None), str)
        if not self.live and self.interval <= 0:
            return
        self._thread = threading.Thread(target=self._run, name="trustcheck-progress", daemon=True)
        self._thread.start()

    def _stop(self) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join()
        with self._lock:
            self._erase()

    def _run(self) -> None:
        while not self._stopped.wait(LIVE_REFRESH_S if self.live else LOG_CHECK_S):
            try:
                self.tick(time.time())
            except Exception:  # noqa: BLE001 - progress is a courtesy: never take the run down
                return

    def _take_line_back(self) -> None:
        self._erase()
        if self._interrupted is not None:
            self._resume_line()

    def local_batch_changed(self, snapshot: ProgressSnapshot | None) -> None:
        """Board listener: when this process's backend call ends, its status goes first."""
        if snapshot is None:
            with self._lock:
                self._erase()
                self._next_line_at = None

    def tick(self, now: float) -> None:
        with self._lock:
            if self._stopped.is_set():
                return
            snapshots, workers = self.sources()
            if not snapshots:
                self._erase()
                self._next_line_at = None
                return
            texts = status_texts(snapshots, now, workers)
            if self.live:
                self._show(texts)
            else:
                self._log(texts[0], now)

    def _log(self, text: str, now: float) -> None:
        if self._next_line_at is None:
            self._next_line_at = now + self.interval
        elif now >= self._next_line_at:
            with self._uncaptured():
                self._write_line(f"trustcheck {text}")
            self._next_line_at = now + self.interval

    def _write_line(self, text: str) -> None:
        reporter = self.reporter
        if self._interrupted is None and reporter.currentfspath:
            self._interrupted = reporter.currentfspath
        reporter.write_line(text)
        reporter.flush()  # a log reader sees it now, not when the buffer fills

    def _resume_line(self) -> None:
        """What pytest writes next follows its file name (with -v, its item's name) again, as it
        would have on the line that status lines interrupted."""
        open_line, self._interrupted = self._interrupted, None
        reporter = self.reporter
        if isinstance(open_line, os.PathLike):
            text = os.path.relpath(open_line, reporter.startpath) + " "
        elif isinstance(open_line, str):  # -v: the item's location, written whole by pytest
            text = open_line
        else:
            return
        with self._uncaptured():
            reporter.currentfspath = open_line
            reporter.write(text, flush=True)

    def _show(self, texts: list[str]) -> None:
        writer = self.reporter._tw
        line = writer._current_line
        gap = "" if not line or line.endswith(" ") else " "
        room = writer.fullwidth - writer.width_of_current_line - len(gap) - 1  # never the last column: no wrap
        text = next((gap + t for t in texts if len(gap + t) <= room), None)
        if text is None:
            self._erase()
            return
        self._write(self._erasure() + text)
        self._shown = text
        writer._current_line = line

    def _erasure(self) -> str:
        width = len(self._shown)
        return "\b" * width + " " * width + "\b" * width

    def _erase(self) -> None:
        if self._shown and self.reporter is not None:
            writer = self.reporter._tw
            line = writer._current_line
            self._write(self._erasure())
            writer._current_line = line
        self._shown = ""

    def _write(self, text: str) -> None:
        with self._uncaptured():
            self.reporter._tw.write(text, flush=True)

    def _uncaptured(self) -> contextlib.AbstractContextManager[None]:
        capture = self.config.pluginmanager.get_plugin("capturemanager")
        return capture.global_and_fixture_disabled() if capture is not None else contextlib.nullcontext()


def install(config: pytest.Config) -> None:
    """Progress for this process: to the terminal on the controller, to a file on an xdist worker."""
    listener = worker_listener(config)
    if listener is not None:
        progress_board(config).subscribe(listener)
        return
    if hasattr(config, "workerinput") or config.get_verbosity() < 0 or config.option.collectonly:
        return
    channel = None
    if getattr(config.option, "numprocesses", None):
        channel = WorkerProgressFiles()
        config.pluginmanager.register(channel, "trustcheck-progress-channel")
    board = progress_board(config)

    def sources() -> tuple[list[ProgressSnapshot], int]:
        local = board.current()
        if channel is None:
            return ([local] if local else []), 0
        remote = channel.snapshots()
        return remote + ([local] if local else []), len(remote)

    display = ProgressDisplay(config, sources, config.getoption("trust_progress_interval"))
    board.subscribe(display.local_batch_changed)
    config.pluginmanager.register(display, "trustcheck-progress")
