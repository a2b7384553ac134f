"""Reading and validating results files against the published JSON Schema."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from ..common.json_files import JsonFileError, read_json_file

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


# Exact Python types of decoded JSON values (type(True) is bool, so booleans are no numbers here).
_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,), "number": (int, float), "integer": (int,), "boolean": (bool,),
    "null": (type(None),), "object": (dict,), "array": (list,),
}
_FLAT_KEYWORDS = {"type", "enum", "minLength", "description"}


def _resolve(node: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = node.get("$ref", "")
    return results_schema()["$defs"][ref.rsplit("/", 1)[-1]] if ref.startswith("#/$defs/") else node


def _property_check(node: Mapping[str, Any]) -> Callable[[Any], bool]:
    names = node.get("type", list(_JSON_TYPES))
    types = frozenset(t for name in ([names] if isinstance(names, str) else names) for t in _JSON_TYPES[name])
    enum = node.get("enum")
    min_length = node.get("minLength", 0)
    if enum is not None:
        return lambda value: type(value) in types and any(value == option for option in enum)
    if min_length:
        return lambda value: type(value) in types and not (type(value) is str and len(value) < min_length)
    return lambda value: type(value) in types


@lru_cache(maxsize=1)
def _item_checker() -> Callable[[Any], bool] | None:
    """A quick accept-or-unsure test for one item, read off the schema's flat item definition.

    jsonschema needs ~0.5 ms per item and a full run has 18,000. Items this accepts are valid;
    the rest go through jsonschema for an exact message. None if the definition is not flat.
    """
    item = results_schema()["$defs"]["item"]
    nodes = {name: _resolve(node) for name, node in item["properties"].items()}
    if item.get("additionalProperties") is not False or any(set(n) - _FLAT_KEYWORDS for n in nodes.values()):
        return None
    checks = {name: _property_check(node) for name, node in nodes.items()}
    required = frozenset(item["required"])

    def accepts(value: Any) -> bool:
        if type(value) is not dict or not required <= value.keys():
            return False
        for key, field in value.items():
            check = checks.get(key)
            if check is None or not check(field):
                return False
        return True

    return accepts


def _errors(validator: Any, data: Any) -> list[Any]:
    checker = _item_checker()
    items = data.get("items") if isinstance(data, dict) else None
    if checker is None or not isinstance(items, list):
        return list(validator.iter_errors(data))
    errors = list(validator.iter_errors({**data, "items": []}))
    root = results_schema()
    item_validator = validator.evolve(schema={"$schema": root["$schema"], "$defs": root["$defs"],
                                              "$ref": "#/$defs/item"})
    for index, item in enumerate(items):
        if not checker(item):
            for error in item_validator.iter_errors(item):
                error.path.extendleft(["items", index][::-1])
                errors.append(error)
    return errors


def schema_errors(data: Any) -> list[str]:
    """Every schema violation as 'JSON path: problem', sorted by path (array positions numerically)."""
    validator = jsonschema.Draft202012Validator(results_schema())
    errors = sorted(_errors(validator, data), key=lambda e: [(0, p, "") if isinstance(p, int) else (1, 0, p)
                                                             for p in e.absolute_path])
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
        data = read_json_file(path, what="results file")
    except JsonFileError as error:
        raise ResultsFileError(str(error)) from None
    validate_results(data, str(path))
    return data
