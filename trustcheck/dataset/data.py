"""The TrustLLM dataset: where it lives (a directory or the zip) and reading its files once."""

from __future__ import annotations

import hashlib
import os
import threading
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import Any

from ..common.errors import DataError
from ..common.json_files import MAX_BYTES, JsonFileError, parse_json

ENV_VAR = "TRUSTCHECK_DATA"
FETCH_HINT = (
    "run `trustcheck data fetch` (downloads TrustLLM's dataset.zip into the user cache), "
    f"or pass --trust-data PATH / set {ENV_VAR} to a directory or dataset.zip"
)


def user_data_dir() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("trustcheck")) / "trustllm"


class DataSource:
    """A dataset directory or zip; each file is parsed once per process and then shared."""

    def __init__(self, location: Path) -> None:
        self.location = location
        self._zip: zipfile.ZipFile | None = None
        self._members: dict[str, str] = {}
        self._parsed: dict[str, list[dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"DataSource({str(self.location)!r})"

    @property
    def directory(self) -> Path:
        """Where companions such as task_prompt.json are looked up."""
        return self.location.parent if self.location.is_file() else self.location

    def _open_zip(self) -> zipfile.ZipFile:
        if self._zip is None:
            try:
                self._zip = zipfile.ZipFile(self.location)
            except (zipfile.BadZipFile, OSError) as error:
                raise DataError(str(self.location), f"not a readable zip archive ({error})") from None
            for name in self._zip.namelist():
                parts = PurePosixPath(name).parts
                # Index by every suffix so "safety/jailbreak.json" finds "dataset/safety/jailbreak.json".
                for start in range(len(parts)):
                    self._members.setdefault("/".join(parts[start:]), name)
        return self._zip

    def _read_bytes(self, relative: str) -> tuple[bytes, str]:
        if self.location.is_file():
            archive = self._open_zip()
            member = self._members.get(relative)
            if member is None:
                raise DataError(f"{self.location}!{relative}", f"no such file in the archive; {FETCH_HINT}")
            if archive.getinfo(member).file_size > MAX_BYTES:
                raise DataError(f"{self.location}!{member}", f"expected a file of at most {MAX_BYTES} bytes, found a larger one")
            try:
                return archive.read(member), f"{self.location}!{member}"
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as error:
                raise DataError(f"{self.location}!{member}", f"unreadable ({error})") from None
        for base in (self.location, self.location / "dataset"):
            candidate = base / relative
            if candidate.is_file():
                try:
                    if candidate.stat().st_size > MAX_BYTES:
                        raise DataError(str(candidate), f"expected a file of at most {MAX_BYTES} bytes, found a larger one")
                    return candidate.read_bytes(), str(candidate)
                except OSError as error:
                    raise DataError(str(candidate), f"unreadable ({error.strerror or error})") from None
        raise DataError(str(self.location / relative), f"no such dataset file; {FETCH_HINT}")

    def load(self, relative: str) -> list[dict[str, Any]]:
        """The items of one dataset file (a JSON list of objects), parsed once."""
        with self._lock:
            if relative not in self._parsed:
                raw, display = self._read_bytes(relative)
                self._parsed[relative] = parse_items(raw, display)
            return self._parsed[relative]

    def fingerprint(self) -> str | None:
        """sha256 of the zip, or None for a directory (too costly to hash on every run)."""
        if not self.location.is_file():
            return None
        digest = hashlib.sha256()
        with open(self.location, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest()


def parse_items(raw: bytes, display: str) -> list[dict[str, Any]]:
    """A dataset file's items. NaN and Infinity (pandas' missing values, in TrustLLM's own files)
    are read as null, so every value kept from an item can be written as strict JSON."""
    try:
        document = parse_json(raw, display, non_finite="null")
    except JsonFileError as error:
        raise DataError(display, error.problem) from None
    if not isinstance(document, list):
        raise DataError(display, f"expected a JSON list of items, found {type(document).__name__}")
    for index, item in enumerate(document):
        if not isinstance(item, dict):
            raise DataError(display, f"expected an object, found {type(item).__name__}", index)
    return document


def resolve_location(option: str | None, rootdir: Path) -> Path | None:
    """--trust-data, else $TRUSTCHECK_DATA, else the fetched copy in the user cache; None if none."""
    for candidate in (option, os.environ.get(ENV_VAR)):
        if candidate:
            path = Path(candidate).expanduser()
            return path if path.is_absolute() else (rootdir / path)
    fetched = user_data_dir() / "dataset.zip"
    return fetched if fetched.exists() else None


_SOURCES: dict[Path, DataSource] = {}


def data_source(location: Path) -> DataSource:
    """One DataSource per location per process, so the zip is opened and parsed once."""
    key = location.resolve()
    if key not in _SOURCES:
        if not key.exists():
            raise DataError(str(location), f"does not exist; {FETCH_HINT}")
        _SOURCES[key] = DataSource(key)
    return _SOURCES[key]
