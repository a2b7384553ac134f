"""How far generation has got: counters for one backend call, and the status text that shows them."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from ..backends.base import Generation


@dataclass(frozen=True)
class ProgressSnapshot:
    """One backend call at one moment; `budget_left` bounds the tokens still to come.

    `loading`: the model is being loaded for the call, nothing generated yet.
    """

    total: int
    done: int
    tokens: int
    budget_left: int
    started: float
    loading: bool = False

    def as_dict(self) -> dict[str, float]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> ProgressSnapshot:
        return cls(
            total=int(data["total"]),  # type: ignore[call-overload]
            done=int(data["done"]),  # type: ignore[call-overload]
            tokens=int(data["tokens"]),  # type: ignore[call-overload]
            budget_left=int(data["budget_left"]),  # type: ignore[call-overload]
            started=float(data["started"]),  # type: ignore[arg-type]
            loading=bool(data.get("loading", False)),
        )


class BatchProgress:
    """The `GenerationProgress` of one backend call: thread-safe counters, read as snapshots."""

    def __init__(self, budgets: Sequence[int], on_change: Callable[[], None] = lambda: None, loading: bool = False) -> None:
        self._budgets = list(budgets)
        self._loading = loading
        self._finished: dict[int, int] = {}
        self._advanced = 0
        self._lock = threading.Lock()
        self._on_change = on_change
        self.started = time.time()

    def advance(self, tokens: int) -> None:
        with self._lock:
            self._advanced += max(0, int(tokens))
        self._on_change()

    def finish(self, index: int, tokens: int, generation: Generation | None = None) -> None:
        with self._lock:
            if 0 <= index < len(self._budgets):
                self._finished[index] = max(0, int(tokens))
        self._on_change()

    def snapshot(self) -> ProgressSnapshot:
        with self._lock:
            finished_tokens = sum(self._finished.values())
            # Tokens advanced beyond those of finished requests belong to requests still running.
            running_tokens = max(0, self._advanced - finished_tokens)
            budget = sum(b for i, b in enumerate(self._budgets) if i not in self._finished)
            return ProgressSnapshot(
                total=len(self._budgets),
                done=len(self._finished),
                tokens=max(self._advanced, finished_tokens),
                budget_left=max(0, budget - running_tokens),
                started=self.started,
                loading=self._loading,
            )


class ProgressBoard:
    """The backend call this process is in, if any; listeners hear when one starts, moves and ends."""

    def __init__(self) -> None:
        self._current: BatchProgress | None = None
        self._listeners: list[Callable[[ProgressSnapshot | None], None]] = []

    def subscribe(self, listener: Callable[[ProgressSnapshot | None], None]) -> None:
        self._listeners.append(listener)

    def current(self) -> ProgressSnapshot | None:
        progress = self._current
        return progress.snapshot() if progress is not None else None

    @contextmanager
    def loading(self) -> Iterator[None]:
        """The model loads: a wait the user sees as such."""
        with self.batch([], loading=True):
            yield

    @contextmanager
    def batch(self, budgets: Sequence[int], loading: bool = False) -> Iterator[BatchProgress]:
        progress = BatchProgress(budgets, on_change=self._changed, loading=loading)
        self._current = progress
        self._changed()
        try:
            yield progress
        finally:
            self._current = None
            self._changed()

    def _changed(self) -> None:
        snapshot = self.current()
        for listener in self._listeners:
            listener(snapshot)


board_key = pytest.StashKey[ProgressBoard]()


def progress_board(config: pytest.Config) -> ProgressBoard:
    if board_key not in config.stash:
        config.stash[board_key] = ProgressBoard()
    return config.stash[board_key]


# -- the status text -------------------------------------------------------------------------


def _clock(seconds: float) -> str:
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def seconds_left(snapshot: ProgressSnapshot, now: float) -> float | None:
    """At the rate so far: the token budget left, or the requests left if that says sooner."""
    elapsed = now - snapshot.started
    if elapsed <= 0 or snapshot.done >= snapshot.total:
        return 0.0 if snapshot.done >= snapshot.total else None
    estimates = []
    if snapshot.tokens > 0:
        estimates.append(snapshot.budget_left * elapsed / snapshot.tokens)
    if snapshot.done > 0:
        estimates.append((snapshot.total - snapshot.done) * elapsed / snapshot.done)
    return min(estimates) if estimates else None


def status_texts(snapshots: Sequence[ProgressSnapshot], now: float, workers: int = 0) -> list[str]:
    """The status, from most to least detailed, for the room there is; `workers` > 0 names them."""
    loading = [s for s in snapshots if s.loading]
    generating = [s for s in snapshots if not s.loading]
    if not generating:
        elapsed = _clock(max(now - s.started for s in loading))
        where = f" on {len(loading)} workers" if len(loading) > 1 else ""
        return [f"loading the model{where}: {elapsed} elapsed", f"loading the model {elapsed}", f"loading {elapsed}"]
    texts = _generating_texts(generating, now, len(generating) if workers else 0)
    if loading:
        texts[0] += f"; loading the model on {len(loading)} more"
    return texts


def _generating_texts(snapshots: Sequence[ProgressSnapshot], now: float, workers: int) -> list[str]:
    total = sum(s.total for s in snapshots)
    done = sum(s.done for s in snapshots)
    tokens = sum(s.tokens for s in snapshots)
    elapsed = max(now - s.started for s in snapshots)
    rate = sum(s.tokens / max(now - s.started, 1e-9) for s in snapshots)
    lefts = [seconds_left(s, now) for s in snapshots]
    left = None if any(x is None for x in lefts) else max(lefts)  # type: ignore[type-var]
    where = f" on {workers} workers" if workers > 1 else ""
    count = f"{done}/{total} responses"
    speed = f"{rate:.1f} tokens/s" if tokens else "first tokens..."
    remaining = f"~{_clock(left)} left" if left is not None else "estimating..."
    return [
        f"generating{where}: {count}, {tokens:,} tokens, {speed}, {_clock(elapsed)} elapsed, {remaining}",
        f"generating {count} {speed} {_clock(elapsed)} {remaining}",
        f"{done}/{total} {_clock(elapsed)}",
    ]
