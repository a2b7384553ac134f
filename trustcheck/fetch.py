"""`trustcheck data fetch`: install TrustLLM's dataset (and judge prompts) into the user cache."""

from __future__ import annotations

import shutil
import tempfile
import urllib.request
import zipfile
from pathlib import Path

from .data import user_data_dir
from .errors import DataError

DATASET_URL = "https://github.com/HowieHwong/TrustLLM/raw/main/dataset/dataset.zip"
TASK_PROMPT_URL = "https://raw.githubusercontent.com/HowieHwong/TrustLLM/main/trustllm_pkg/trustllm/prompt/task_prompt.json"


def _copy(source: str, target: Path) -> None:
    """Copy a local path or download a URL to `target`, atomically."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as handle:
        temporary = Path(handle.name)
        try:
            if "://" in source:
                with urllib.request.urlopen(source, timeout=60) as response:
                    shutil.copyfileobj(response, handle)
            else:
                with open(Path(source).expanduser(), "rb") as local:
                    shutil.copyfileobj(local, handle)
        except (OSError, ValueError) as error:
            temporary.unlink(missing_ok=True)
            raise DataError(source, f"could not fetch ({error})") from None
    temporary.replace(target)


def _check_zip(path: Path, source: str) -> int:
    try:
        with zipfile.ZipFile(path) as archive:
            bad = archive.testzip()
            count = sum(1 for n in archive.namelist() if n.endswith(".json"))
    except zipfile.BadZipFile as error:
        path.unlink(missing_ok=True)
        raise DataError(source, f"not a zip archive ({error})") from None
    if bad is not None:
        path.unlink(missing_ok=True)
        raise DataError(source, f"corrupt member {bad}")
    return count


def fetch_dataset(source: str | None = None, target_dir: Path | None = None) -> Path:
    """Fetch dataset.zip from a URL, a zip file or a directory holding it; returns the zip path.

    task_prompt.json is fetched from beside the source when it is there, else from TrustLLM's
    repository; a failure to get it only matters for tasks that need an LLM judge.
    """
    target_dir = target_dir or user_data_dir()
    source = source or DATASET_URL
    local = Path(source).expanduser()
    zip_source = str(local / "dataset.zip") if "://" not in source and local.is_dir() else source
    target = target_dir / "dataset.zip"
    _copy(zip_source, target)
    _check_zip(target, zip_source)
    prompt_source = zip_source.rsplit("/", 1)[0] + "/task_prompt.json" if "://" in zip_source else str(Path(zip_source).with_name("task_prompt.json"))
    for candidate in (prompt_source, TASK_PROMPT_URL):
        try:
            _copy(candidate, target_dir / "task_prompt.json")
            break
        except DataError:
            continue
    return target
