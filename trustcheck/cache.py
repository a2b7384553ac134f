"""The response cache: SQLite in WAL mode, shared safely by several xdist workers."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
import warnings
from pathlib import Path
from typing import Iterable, Iterator, Mapping, Sequence

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


class ResponseCache:
    """key -> response text. Writes are insert-or-ignore: the first response stored wins."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = self._open_checked()

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.executescript(SCHEMA)
        return conn

    def _open_checked(self) -> sqlite3.Connection:
        try:
            conn = self._connect()
            conn.execute("SELECT key FROM responses LIMIT 1").fetchall()
            return conn
        except sqlite3.DatabaseError as error:
            if "locked" in str(error):
                raise
            return self._rebuild(error)

    def _rebuild(self, error: Exception) -> sqlite3.Connection:
        aside = self.path.with_name(f"{self.path.name}.corrupt-{int(time.time())}")
        for suffix in ("", "-wal", "-shm"):
            part = Path(str(self.path) + suffix)
            if part.exists():
                part.replace(Path(str(aside) + suffix))
        warnings.warn(CacheWarning(f"response cache {self.path} was unreadable ({error}); moved it to {aside.name} and started a new one"), stacklevel=2)
        return self._connect()

    def get_many(self, keys: Sequence[str]) -> dict[str, str]:
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
        if not rows:
            return
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
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def __len__(self) -> int:
        return self._conn.execute("SELECT count(*) FROM responses").fetchone()[0]

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
