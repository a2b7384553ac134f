"""Model identity: content hashes of weights and chat template, memoised by size and mtime."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Callable, Sequence
from contextlib import closing
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from .registry import BackendOptions

HASH_DB_NAME = "weights-hashes.sqlite"
_CHUNK = 1 << 20


def default_cache_dir(options: BackendOptions | None = None) -> Path:
    """`options.extra['cache_dir']`, else $TRUSTCHECK_CACHE_DIR, else the user cache dir."""
    if options is not None and options.extra.get("cache_dir"):
        return Path(options.extra["cache_dir"]).expanduser()
    if os.environ.get("TRUSTCHECK_CACHE_DIR"):
        return Path(os.environ["TRUSTCHECK_CACHE_DIR"]).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("trustcheck"))


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest() if text else ""


def package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "unknown"


def _sha256_of_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _open_db(cache_dir: Path) -> sqlite3.Connection:
    cache_dir.mkdir(parents=True, exist_ok=True)
    # Several xdist workers may hash at once; SQLite serialises their writes.
    connection = sqlite3.connect(cache_dir / HASH_DB_NAME, timeout=60)
    connection.execute(
        "CREATE TABLE IF NOT EXISTS file_hashes ("
        "path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, sha256 TEXT NOT NULL)"
    )
    connection.execute(
        "CREATE TABLE IF NOT EXISTS file_facts (path TEXT NOT NULL, fact TEXT NOT NULL, size INTEGER NOT NULL, "
        "mtime_ns INTEGER NOT NULL, value TEXT NOT NULL, PRIMARY KEY (path, fact))"
    )
    return connection


def _known_sha256(cache_dir: Path, key: tuple[str, int, int]) -> str | None:
    try:
        with closing(_open_db(cache_dir)) as db:
            row = db.execute("SELECT sha256 FROM file_hashes WHERE path = ? AND size = ? AND mtime_ns = ?", key).fetchone()
    except (sqlite3.Error, OSError):  # an unwritable or broken hash cache only costs the hashing time
        return None
    return str(row[0]) if row else None


def _remember_sha256(cache_dir: Path, key: tuple[str, int, int], sha: str) -> None:
    try:
        with closing(_open_db(cache_dir)) as db, db:
            db.execute("INSERT OR REPLACE INTO file_hashes (path, size, mtime_ns, sha256) VALUES (?, ?, ?, ?)", (*key, sha))
    except (sqlite3.Error, OSError):
        pass


def file_sha256(path: Path, cache_dir: Path) -> str:
    """sha256 of a file, recomputed only when its size or mtime changed since the last time.

    The hashes are remembered in `cache_dir`; where that cannot be read or written (read-only,
    full, a file in its place) the file is hashed again, never failing the run.
    """
    resolved = Path(path).resolve()
    stat = resolved.stat()
    key = (str(resolved), stat.st_size, stat.st_mtime_ns)
    known = _known_sha256(cache_dir, key)
    if known is not None:
        return known
    sha = _sha256_of_file(resolved)
    _remember_sha256(cache_dir, key, sha)
    return sha


def file_fact(path: Path, cache_dir: Path, fact: str, compute: Callable[[Path], str]) -> str:
    """`compute(path)`, memoised beside the file hashes and recomputed when the file's size or mtime changes.

    For what identifies a model besides its weights (a GGUF file's chat template), so that naming
    a model for the response cache never needs to load it.
    """
    resolved = Path(path).resolve()
    stat = resolved.stat()
    with closing(_open_db(cache_dir)) as db:
        row = db.execute(
            "SELECT value FROM file_facts WHERE path = ? AND fact = ? AND size = ? AND mtime_ns = ?",
            (str(resolved), fact, stat.st_size, stat.st_mtime_ns),
        ).fetchone()
        if row:
            return str(row[0])
        value = compute(resolved)
        with db:
            db.execute(
                "INSERT OR REPLACE INTO file_facts (path, fact, size, mtime_ns, value) VALUES (?, ?, ?, ?, ?)",
                (str(resolved), fact, stat.st_size, stat.st_mtime_ns, value),
            )
        return value


def files_hash(files: Sequence[Path], root: Path | None, cache_dir: Path) -> str:
    """One hash for a model's files: a lone file's own sha256, else a hash of (name, sha256) pairs.

    Names are taken relative to `root`, so the same model copied elsewhere hashes the same.
    """
    if not files:
        raise ValueError("no files to hash")
    if len(files) == 1:
        return file_sha256(files[0], cache_dir)
    pairs = sorted(
        (str(Path(f).relative_to(root)) if root else Path(f).name, file_sha256(f, cache_dir)) for f in files
    )
    return hashlib.sha256(json.dumps(pairs).encode("utf-8")).hexdigest()
