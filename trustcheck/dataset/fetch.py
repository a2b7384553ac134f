"""`trustcheck data fetch`: install TrustLLM's dataset (and judge prompts) into the user cache.

Everything is downloaded into temporary files beside the installed copy and checked there; only
then does each file replace the installed one, in one atomic rename. A source that is missing,
not a zip, a corrupt zip or cut short by a full disk leaves the installed dataset and judge
prompts exactly as they were.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import urllib.request
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..common.errors import DataError
from ..common.json_files import JsonFileError, expect_type, read_json_file
from .data import user_data_dir
from .dataset_pin import (
    DATASET_SHA256,
    DATASET_URL,
    PINNED,
    TASK_PROMPT_URL,
    pin_mismatch,
)

DATASET_FILE = "dataset.zip"
TASK_PROMPT_FILE = "task_prompt.json"


@dataclass(frozen=True)
class Installed:
    """What a fetch installed; `task_prompts_problem` says why the judge prompts were not updated,
    `dataset_note` how a dataset from another source differs from the pinned TrustLLM release."""

    dataset: Path
    task_prompts: Path | None
    task_prompts_problem: str | None = None
    dataset_note: str | None = None


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error) or type(error).__name__


@contextlib.contextmanager
def _staging(target: Path) -> Iterator[Path]:
    """A temporary file beside `target` (same file system, so the final rename is atomic);
    removed unless the caller has moved it into place."""
    try:
        descriptor, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    except OSError as error:
        raise DataError(str(target.parent), f"cannot write there ({_reason(error)})") from None
    os.close(descriptor)
    staged = Path(name)
    try:
        yield staged
    finally:
        staged.unlink(missing_ok=True)


def _download(source: str, destination: Path) -> None:
    """Copy a local path or download a URL into `destination`, flushed to disk."""
    try:
        with open(destination, "wb") as handle:
            if "://" in source:
                with urllib.request.urlopen(source, timeout=60) as response:
                    shutil.copyfileobj(response, handle)
            else:
                with open(Path(source).expanduser(), "rb") as local:
                    shutil.copyfileobj(local, handle)
            handle.flush()
            os.fsync(handle.fileno())
    except (OSError, ValueError) as error:
        raise DataError(source, f"could not fetch ({_reason(error)})") from None


def _check_zip(path: Path, source: str) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            bad = archive.testzip()
            count = sum(1 for name in archive.namelist() if name.endswith(".json"))
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError) as error:
        raise DataError(source, f"not a readable zip archive ({_reason(error)})") from None
    if bad is not None:
        raise DataError(source, f"corrupt zip archive: member {bad} fails its checksum")
    if count == 0:
        raise DataError(source, "expected TrustLLM's dataset.zip, found a zip archive without JSON files")


def _check_pin(path: Path, source: str) -> str | None:
    """A pinned download must be the pinned bytes; a copy the user names may differ, with a note."""
    expected = PINNED.get(source)
    if expected is None:
        return pin_mismatch(path, DATASET_SHA256)
    mismatch = pin_mismatch(path, expected)
    if mismatch:
        raise DataError(source, f"{mismatch}: not installed")
    return None


def _check_task_prompts(path: Path, source: str) -> None:
    try:
        expect_type(read_json_file(path, source=source), dict, source, "$")
    except JsonFileError as error:
        raise DataError(source, error.problem) from None
    mismatch = pin_mismatch(path, PINNED[source]) if source in PINNED else None
    if mismatch:
        raise DataError(source, f"{mismatch}: not installed")


def _zip_source(source: str) -> str:
    local = Path(source).expanduser()
    return str(local / DATASET_FILE) if "://" not in source and local.is_dir() else source


def _beside(zip_source: str) -> str:
    if "://" in zip_source:
        return zip_source.rsplit("/", 1)[0] + "/" + TASK_PROMPT_FILE
    return str(Path(zip_source).expanduser().with_name(TASK_PROMPT_FILE))


def fetch_dataset(
    source: str | None = None, target_dir: Path | None = None, task_prompt_sources: Sequence[str] | None = None
) -> Installed:
    """Fetch dataset.zip from a URL, a zip file or a directory holding it, and the judge prompts.

    task_prompt.json is taken from beside the source when it is there, else from TrustLLM's
    repository (or from `task_prompt_sources`, in order). The dataset is required; the prompts
    only matter for tasks that need an LLM judge, so failing to get them keeps the installed ones.
    """
    target_dir = target_dir or user_data_dir()
    try:
        target_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DataError(str(target_dir), f"cannot create the data directory ({_reason(error)})") from None
    zip_source = _zip_source(source or DATASET_URL)
    with contextlib.ExitStack() as stack:
        staged_zip = stack.enter_context(_staging(target_dir / DATASET_FILE))
        _download(zip_source, staged_zip)
        _check_zip(staged_zip, zip_source)
        note = _check_pin(staged_zip, zip_source)
        staged_prompts, problem = _stage_task_prompts(stack, task_prompt_sources or (_beside(zip_source), TASK_PROMPT_URL), target_dir)
        # Both files are complete and checked: only now is anything installed replaced.
        os.replace(staged_zip, target_dir / DATASET_FILE)
        if staged_prompts is not None:
            os.replace(staged_prompts, target_dir / TASK_PROMPT_FILE)
    return Installed(target_dir / DATASET_FILE, target_dir / TASK_PROMPT_FILE if staged_prompts else None, problem, note)


def _stage_task_prompts(stack: contextlib.ExitStack, sources: Sequence[str], target_dir: Path) -> tuple[Path | None, str | None]:
    """The first source's judge prompts that download and read as a JSON object, staged."""
    problems = []
    for candidate in sources:
        staged = stack.enter_context(_staging(target_dir / TASK_PROMPT_FILE))
        try:
            _download(candidate, staged)
            _check_task_prompts(staged, candidate)
        except DataError as error:
            problems.append(str(error))
            continue
        return staged, None
    return None, "; ".join(problems)
