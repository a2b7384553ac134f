"""The response cache: SQLite in WAL mode, shared safely by several xdist workers."""

from __future__ import annotations

import contextlib
import os
import random
import sqlite3
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

from ..common.filelock import exclusive
from ..common.json_files import dumps_strict

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


# SQLite's primary result codes (the low byte of the extended code Python 3.11+ reports).
_SQLITE_ERROR, _SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_IOERR, _SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_NOTADB = 1, 5, 6, 10, 11, 13, 26
_CORRUPTION_CODES = {_SQLITE_ERROR, _SQLITE_CORRUPT, _SQLITE_NOTADB}  # SQLITE_ERROR: a table of another shape
_CORRUPTION_WORDS = ("not a database", "malformed", "no such table", "no such column")


def _primary_code(error: sqlite3.Error) -> int | None:
    code = getattr(error, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF


def _is_contention(error: sqlite3.Error) -> bool:
    """Busy and locked: another process holds the file; waited out by busy_timeout, not a fault."""
    code = _primary_code(error)
    if code is None:
        text = str(error).lower()
        return "locked" in text or "busy" in text
    return code in (_SQLITE_BUSY, _SQLITE_LOCKED)


def _is_corruption(error: sqlite3.Error) -> bool:
    """The file's content is not a readable cache. Anything else (a read-only file or directory,
    a full disk, a file size limit, a path that cannot be opened) leaves the content intact."""
    code = _primary_code(error)
    if code is None:
        return any(words in str(error).lower() for words in _CORRUPTION_WORDS)
    return code in _CORRUPTION_CODES


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError):
        return error.strerror or type(error).__name__
    text = str(error)
    if isinstance(error, sqlite3.Error) and _primary_code(error) in (_SQLITE_IOERR, _SQLITE_FULL):
        text += ": the disk may be full or a file size limit reached"
    return text


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
            if not _is_contention(error) or time.monotonic() > deadline:
                raise
            time.sleep(random.uniform(0.005, 0.05))


def _check_shape(conn: sqlite3.Connection) -> None:
    conn.execute("SELECT key, text, meta, created FROM responses LIMIT 1").fetchall()


class ResponseCache:
    """key -> response text. Writes are insert-or-ignore: the first response stored wins.

    A file that is not a readable cache (garbage bytes, a torn page, another schema) is moved
    aside with a CacheWarning and a new cache is started, on open or whenever a query finds it;
    the responses in it are lost, never the run.

    A cache that cannot be written (a read-only file or directory, a full disk, a file size
    limit) is never taken for a corrupt one: its responses stay where they are and are still
    read; a CacheWarning says once that new responses are not stored. A cache that cannot be
    opened at all (a file where its directory should be) is skipped with one warning.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._inode: int | None = None
        self._stores = True
        self._warned: set[str] = set()
        self._conn: sqlite3.Connection | None = self._open()

    @property
    def stores(self) -> bool:
        """Whether new responses are written (False when read-only, full or unavailable)."""
        return self._stores and self._conn is not None

    def _warn(self, message: str) -> None:
        if message not in self._warned:
            self._warned.add(message)
            warnings.warn(CacheWarning(message), stacklevel=4)

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
            _check_shape(conn)
        except BaseException:
            conn.close()
            raise
        self._inode = self._current_inode()
        return conn

    def _current_inode(self) -> int | None:
        try:
            return self.path.stat().st_ino
        except OSError:
            return None

    def _open(self) -> sqlite3.Connection | None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            return self._unavailable(f"cannot be created ({_reason(error)})")
        self._inode = self._current_inode()
        try:
            return self._connect()
        except sqlite3.DatabaseError as error:
            if _is_contention(error):
                raise
            if _is_corruption(error):
                return self._rebuild(error)
            return self._open_read_only(error)

    def _open_read_only(self, cause: sqlite3.Error) -> sqlite3.Connection | None:
        """Read what is stored when the file cannot be written.

        `mode=ro` reads a WAL file whose side files exist; `immutable=1` reads one in a directory
        where SQLite cannot create them (nothing else can write there either).
        """
        if self.path.is_file():
            uri = self.path.absolute().as_uri()
            for query in ("mode=ro", "immutable=1"):
                try:
                    conn = sqlite3.connect(f"{uri}?{query}", uri=True, isolation_level=None, check_same_thread=False)
                except sqlite3.Error:
                    continue
                try:
                    _check_shape(conn)
                except sqlite3.Error:
                    conn.close()
                    continue
                self._stores = False
                self._warn(f"response cache {self.path} cannot be written ({_reason(cause)}): responses are read from it, new responses are not stored")
                return conn
        return self._unavailable(f"cannot be opened ({_reason(cause)})")

    def _unavailable(self, problem: str) -> None:
        self._stores = False
        self._warn(f"response cache {self.path} {problem}: it is neither read nor written in this run")

    def _rebuild(self, error: Exception) -> sqlite3.Connection | None:
        try:
            with exclusive(self.path.with_name(self.path.name + ".lock")):
                current = self._current_inode()
                if current is not None and current != self._inode:
                    return self._connect()  # another worker has already replaced the bad file
                aside = self.path.with_name(f"{self.path.name}.corrupt-{time.time_ns()}-{os.getpid()}")
                for suffix in ("", "-wal", "-shm"):
                    part = Path(str(self.path) + suffix)
                    if part.exists():
                        part.replace(Path(str(aside) + suffix))
                self._warn(f"response cache {self.path} was unreadable ({error}); moved it to {aside.name} and started a new one")
                return self._connect()
        except OSError as os_error:
            return self._unavailable(f"is unreadable ({error}) and cannot be replaced ({_reason(os_error)})")
        except sqlite3.DatabaseError as db_error:
            if _is_contention(db_error):
                raise
            return self._unavailable(f"is unreadable ({error}) and cannot be replaced ({_reason(db_error)})")

    def _run(self, operation: Callable[[sqlite3.Connection], T], fallback: T, failing: str, consequence: str) -> T:
        """Run a query. A corrupt file is set aside and the query run once more; an I/O error
        gives `fallback` and one warning, the file left as it is."""
        for attempt in (1, 2):
            conn = self._conn
            if conn is None:
                return fallback
            try:
                return operation(conn)
            except sqlite3.DatabaseError as error:
                if _is_contention(error):
                    raise
                if _is_corruption(error) and attempt == 1:
                    with contextlib.suppress(sqlite3.Error):
                        conn.close()
                    self._conn = self._rebuild(error)
                    continue
                self._warn(f"response cache {self.path} {failing} ({_reason(error)}): {consequence}")
                return fallback
        return fallback

    def get_many(self, keys: Sequence[str]) -> dict[str, str]:
        return self._run(lambda conn: self._get_many(conn, keys), {}, "could not be read", "those responses are generated again")

    @staticmethod
    def _get_many(conn: sqlite3.Connection, keys: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for start in range(0, len(keys), _CHUNK):
            chunk = list(keys[start : start + _CHUNK])
            marks = ",".join("?" * len(chunk))
            rows = conn.execute(f"SELECT key, text FROM responses WHERE key IN ({marks})", chunk)
            found.update(rows.fetchall())
        return found

    def get(self, key: str) -> str | None:
        return self.get_many([key]).get(key)

    def put_many(self, entries: Iterable[tuple[str, str, str]]) -> None:
        """Store (key, text, meta_json) rows in one transaction; after a failed write, store no more."""
        rows = [(key, text, meta, time.time()) for key, text, meta in entries]
        if rows and self.stores:
            stored = self._run(lambda conn: self._insert(conn, rows), False, "could not store new responses",
                               "the responses already stored stay, new ones are not stored in this run")
            self._stores = self._stores and stored

    @staticmethod
    def _insert(conn: sqlite3.Connection, rows: list[tuple[str, str, str, float]]) -> bool:
        with _transaction(conn):
            conn.executemany("INSERT OR IGNORE INTO responses(key, text, meta, created) VALUES (?, ?, ?, ?)", rows)
        return True

    def put(self, key: str, text: str, meta: str = "{}") -> None:
        self.put_many([(key, text, meta)])

    def __len__(self) -> int:
        return self._run(lambda conn: conn.execute("SELECT count(*) FROM responses").fetchone()[0], 0, "could not be read", "counted as empty")

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):  # a checkpoint that fails leaves the WAL for the next run
                self._conn.close()


@contextlib.contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


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
    return dumps_strict(fields, sort_keys=True, ensure_ascii=False)
