"""TrustLLM's judge prompts (`task_prompt.json`) and the judge inputs built from them.

`task_prompt.json` ships beside the dataset, not inside the zip: it is looked up in the data
directory and then in its parent (for a dataset zip, in the zip's directory and its parent).
Parsing and validation are `judge_prompts`'s; this module adds the lookup and the toolkit's
two ways of building a judge input (spec §1.3):

* concat mode: the prompt immediately followed by the response, with no separator;
* mapping mode: each placeholder replaced, in the file's order, by ``str(item[field])``.

A missing or malformed file makes the items that need a judge unscored, with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ...common.errors import DataError
from ..judge_prompts import FILE_NAME, TaskPrompt, load_task_prompt_specs
from .unscorable import Unscorable


def prompt_file_candidates(data_dir: str | None) -> tuple[Path, ...]:
    if not data_dir:
        return ()
    base = Path(data_dir).expanduser()
    if base.is_file() or base.suffix == ".zip":
        base = base.parent
    return (base / FILE_NAME, base.parent / FILE_NAME)


class TaskPrompts:
    """The judge prompts of one data directory, read on first use."""

    def __init__(self, candidates: tuple[Path, ...] = (), prompts: Mapping[str, TaskPrompt] | None = None) -> None:
        self._candidates = candidates
        self._prompts = dict(prompts) if prompts is not None else None
        self._problem = ""

    @classmethod
    def for_data_dir(cls, data_dir: str | None) -> TaskPrompts:
        return cls(prompt_file_candidates(data_dir))

    def get(self, task: str) -> TaskPrompt:
        prompts = self._load()
        if task not in prompts:
            raise Unscorable(f"{FILE_NAME} has no judge prompt for task {task!r}")
        return prompts[task]

    def concat(self, task: str, response: str) -> str:
        return self.get(task).prompt + response

    def replaced(self, task: str, replacements: Sequence[tuple[str, str]]) -> str:
        """Plain `str.replace` in the given order (the OOD-generalization prompt's `[res]`, `[label]`)."""
        text = self.get(task).prompt
        for placeholder, value in replacements:
            text = text.replace(placeholder, value)
        return text

    def mapped(self, task: str, values: Mapping[str, Any]) -> str:
        prompt = self.get(task)
        text = prompt.prompt
        for placeholder, field in prompt.mapping.items():
            if field not in values:
                raise Unscorable(f"judge prompt {task!r} maps {placeholder} to {field!r}, which this item lacks")
            text = text.replace(placeholder, str(values[field]))
        return text

    def _load(self) -> dict[str, TaskPrompt]:
        if self._prompts is None and not self._problem:
            self._problem = self._read()
        if self._prompts is None:
            raise Unscorable(self._problem)
        return self._prompts

    def _read(self) -> str:
        found = next((path for path in self._candidates if path.is_file()), None)
        if found is None:
            where = " or ".join(str(p.parent) for p in self._candidates) or "no data directory"
            return f"needs the judge prompts: {FILE_NAME} not found in {where}"
        try:
            self._prompts = load_task_prompt_specs(found.parent)
        except DataError as error:
            return str(error)
        return ""
