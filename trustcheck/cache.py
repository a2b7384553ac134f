"""The response cache: SQLite in WAL mode, shared safely by several xdist workers."""

from __future__ import annotations

import contextlib
import json
import os
import random
import sqlite3
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

from .filelock import exclusive

T = TypeVar("T")

SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    text TEXT NOT NULL,
    meta TEXT NOT NULL DEFAULT '{}',
    created REAL NOT NULL
) WITHOUT ROWID;
"""

# SQLite caps the number of host parameters per statement; stay well below it.
_CHUNK = 500
_BUSY_TIMEOUT_MS = 120_000


class CacheWarning(UserWarning):
    pass


def _is_corruption(error: sqlite3.DatabaseError) -> bool:
    """Busy and locked are contention (waited out by busy_timeout); anything else is a bad file."""
    text = str(error).lower()
    return "locked" not in text and "busy" not in text


def _enable_wal(conn: sqlite3.Connection) -> None:
    """Switch to WAL mode, waiting out other processes doing the same.

    Workers that open a new cache file at the same moment race for the switch, and SQLite
    answers the loser "database is locked" at once, without its busy timeout: retry instead.
    """
    deadline = time.monotonic() + _BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if _is_corruption(error) or time.monotonic() > deadline:
                raise
            time.sleep(random.uniform(0.005, 0.05))


class ResponseCache:
    """key -> response text. Writes are insert-or-ignore: the first response stored wins.

    A file that is not a readable cache (garbage bytes, a torn page, another schema) is moved
    aside with a CacheWarning and a new cache is started, on open or whenever a query finds it;
    the responses in it are lost, never the run.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._inode: int | None = None
        self._conn = self._open_checked()

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
        try:
            conn.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
            _enable_wal(conn)
            conn.execute("PRAGMA synchronous=NORMAL")
            # A larger page cache and memory-mapped reads keep lookups flat as the cache grows.
            conn.execute("PRAGMA cache_size=-65536")
            conn.execute("PRAGMA mmap_size=268435456")
            conn.executescript(SCHEMA)
            conn.execute("SELECT key, text, meta, created FROM responses LIMIT 1").fetchall()
        except BaseException:
            conn.close()
            raise
        self._inode = self.path.stat().st_ino
        return conn

    def _current_inode(self) -> int | None:
        try:
            return self.path.stat().st_ino
        except FileNotFoundError:
            return None

    def _open_checked(self) -> sqlite3.Connection:
        self._inode = self._current_inode()
        try:
            return self._connect()
        except sqlite3.DatabaseError as error:
            if not _is_corruption(error):
                raise
            return self._rebuild(error)

    def _rebuild(self, error: Exception) -> sqlite3.Connection:
        with exclusive(self.path.with_name(self.path.name + ".lock")):
            current = self._current_inode()
            if current is not None and current != self._inode:
                return self._connect()  # another worker has already replaced the bad file
            aside = self.path.with_name(f"{self.path.name}.corrupt-{time.time_ns()}-{os.getpid()}")
            for suffix in ("", "-wal", "-shm"):
                part = Path(str(self.path) + suffix)
                if part.exists():
                    part.replace(Path(str(aside) + suffix))
            warnings.warn(CacheWarning(f"response cache {self.path} was unreadable ({error}); moved it to {aside.name} and started a new one"), stacklevel=3)
            return self._connect()

    def _guarded(self, operation: Callable[[], T]) -> T:
        """Run a query; if it finds the file corrupt, set the file aside and run it once more."""
        try:
            return operation()
        except sqlite3.DatabaseError as error:
            if not _is_corruption(error):
                raise
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            self._conn = self._rebuild(error)
            return operation()

    def get_many(self, keys: Sequence[str]) -> dict[str, str]:
        return self._guarded(lambda: self._get_many(keys))

    def _get_many(self, keys: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for start in range(0, len(keys), _CHUNK):
            chunk = list(keys[start : start + _CHUNK])
            marks = ",".join("?" * len(chunk))
            rows = self._conn.execute(f"SELECT key, text FROM responses WHERE key IN ({marks})", chunk)
            found.update(rows.fetchall())
        return found

    def get(self, key: str) -> str | None:
        return self.get_many([key]).get(key)

    def put_many(self, entries: Iterable[tuple[str, str, str]]) -> None:
        """Store (key, text, meta_json) rows in one transaction."""
        rows = [(key, text, meta, time.time()) for key, text, meta in entries]
        if rows:
            self._guarded(lambda: self._insert(rows))

    def _insert(self, rows: list[tuple[str, str, str, float]]) -> None:
        with self._transaction():
            self._conn.executemany("INSERT OR IGNORE INTO responses(key, text, meta, created) VALUES (?, ?, ?, ?)", rows)

    def put(self, key: str, text: str, meta: str = "{}") -> None:
        self.put_many([(key, text, meta)])

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def __len__(self) -> int:
        return self._guarded(lambda: self._conn.execute("SELECT count(*) FROM responses").fetchone()[0])

    def close(self) -> None:
        self._conn.close()


class NullCache:
    """Stands in for the cache under --trust-no-cache."""

    path = None

    def get_many(self, keys: Sequence[str]) -> dict[str, str]:
        return {}

    def get(self, key: str) -> str | None:
        return None

    def put_many(self, entries: Iterable[tuple[str, str, str]]) -> None:
        return None

    def put(self, key: str, text: str, meta: str = "{}") -> None:
        return None

    def close(self) -> None:
        return None


def meta_json(fields: Mapping[str, object]) -> str:
    return json.dumps(fields, sort_keys=True, ensure_ascii=False)
