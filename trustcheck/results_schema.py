"""Reading and validating results files against the published JSON Schema."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

RESULTS_FORMAT = "trustcheck-results/1"


class ResultsFileError(ValueError):
    """A results file that cannot be read or does not match the schema; the message is one line."""


@lru_cache(maxsize=1)
def results_schema() -> dict[str, Any]:
    text = resources.files("trustcheck").joinpath("schema/results.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


def _json_path(path: Any) -> str:
    out = "$"
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _found(instance: Any) -> str:
    text = json.dumps(instance, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def schema_errors(data: Any) -> list[str]:
    """Every schema violation as 'JSON path: what was expected (found: value)', in document order."""
    validator = jsonschema.Draft202012Validator(results_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    return [f"{_json_path(e.absolute_path)}: {e.message.split(chr(10))[0][:200]}" for e in errors]


def validate_results(data: Any, source: str = "results") -> None:
    """Raise ResultsFileError naming the source, the first bad JSON path and the problem."""
    if isinstance(data, dict) and data.get("format") not in (None, RESULTS_FORMAT):
        raise ResultsFileError(
            f"{source}: $.format: expected {RESULTS_FORMAT!r}, found {_found(data.get('format'))}"
        )
    errors = schema_errors(data)
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ResultsFileError(f"{source}: {errors[0]}{more}")


def load_results(path: str | Path) -> dict[str, Any]:
    """Read a results file and validate it; errors are one line naming the file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ResultsFileError(f"{path}: cannot read results file ({exc.strerror or exc})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ResultsFileError(f"{path}: not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    validate_results(data, str(path))
    return data
