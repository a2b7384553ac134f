"""TrustLLM's judge prompts, read from `task_prompt.json` beside the dataset (dir or zip)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..common.errors import DataError
from ..common.json_files import JsonFileError, read_json_file

FILE_NAME = "task_prompt.json"
ENV_VAR = "TRUSTCHECK_DATA"


@dataclass(frozen=True)
class TaskPrompt:
    """One judge prompt: appended-to (concat mode) or with `[[placeholders]]` (mapping mode)."""

    key: str
    prompt: str
    mapping: dict[str, str] = field(default_factory=dict)

    def render(self, fields: Mapping[str, Any]) -> str:
        """The judge input for one item: the toolkit's concat or mapping rule."""
        if not self.mapping:
            return self.prompt + str(fields["res"])
        text = self.prompt
        for placeholder, name in self.mapping.items():
            text = text.replace(placeholder, str(fields[name]))
        return text


def find_task_prompt_file(data_dir: str | os.PathLike[str] | None) -> Path:
    """`task_prompt.json` in the data directory, or next to the dataset zip."""
    location = data_dir if data_dir is not None else os.environ.get(ENV_VAR)
    if not location:
        raise DataError(
            FILE_NAME, f"no data directory to find it in: pass --trust-data or set {ENV_VAR}"
        )
    path = Path(location).expanduser()
    directory = path.parent if path.is_file() else path
    # An unpacked zip's folder may be named as the data directory: the prompts sit beside it.
    candidates = [directory / FILE_NAME, directory.parent / FILE_NAME]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise DataError(
        str(candidates[0]),
        f"no such file (TrustLLM's judge prompts; also looked in {candidates[1].parent})",
    )


def load_task_prompt_specs(data_dir: str | os.PathLike[str] | None) -> dict[str, TaskPrompt]:
    path = find_task_prompt_file(data_dir)
    try:
        document = read_json_file(path, what="judge prompts")
    except JsonFileError as error:
        raise DataError(str(path), error.problem) from None
    if not isinstance(document, dict):
        raise DataError(str(path), f"expected a JSON object of prompts, found {_kind(document)}")
    return {key: _parse_entry(str(path), key, value) for key, value in document.items()}


def load_task_prompts(data_dir: str | os.PathLike[str] | None) -> dict[str, str]:
    """Task key -> judge prompt text (e.g. "ETHICS", "advfact", "squad")."""
    return {key: spec.prompt for key, spec in load_task_prompt_specs(data_dir).items()}


def _parse_entry(path: str, key: str, value: Any) -> TaskPrompt:
    if isinstance(value, str):
        return TaskPrompt(key, value)
    expected = f"{key}: expected an object with a string 'prompt'"
    if not isinstance(value, dict):
        raise DataError(path, f"{expected}, found {_kind(value)}")
    if not isinstance(value.get("prompt"), str):
        found = "no 'prompt'" if "prompt" not in value else f"'prompt' as {_kind(value['prompt'])}"
        raise DataError(path, f"{expected}, found {found}")
    mapping = value.get("mapping", {})
    if not isinstance(mapping, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()
    ):
        raise DataError(
            path,
            f"{key}.mapping: expected an object of placeholder -> field name strings, "
            f"found {_kind(mapping)}",
        )
    return TaskPrompt(key, value["prompt"], dict(mapping))


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", type(None): "null"}
    return names.get(type(value), type(value).__name__)
