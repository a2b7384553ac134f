"""jsonschema errors turned into one line: JSON path, what was expected, what was found."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from ..common.errors import SuiteError

_TYPE_NAMES = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}


def json_path(parts: Iterable[Any]) -> str:
    path = "$"
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def describe_value(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping" if value else "an empty mapping"
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    if isinstance(value, bool):
        return "true" if value else "false"
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _describe_type(expected: Any) -> str:
    if isinstance(expected, list):
        return " or ".join(_TYPE_NAMES.get(t, t) for t in expected)
    return _TYPE_NAMES.get(expected, str(expected))


def _unknown_keys(error: ValidationError) -> list[str]:
    allowed = set(error.schema.get("properties", {}))
    return sorted(set(error.instance) - allowed) or ["?"]


def _unknown_key_error(path: str, error: ValidationError, key: str | None = None) -> SuiteError:
    allowed = sorted(error.schema.get("properties", {}))
    key = key if key is not None else _unknown_keys(error)[0]
    close = difflib.get_close_matches(key, allowed, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return SuiteError(path, f"{json_path([*error.absolute_path, key])}", f"one of the keys {', '.join(allowed)}{hint}", f"unknown key {key!r}")


def _misspelt(error: ValidationError) -> set[tuple[str, str]]:
    """(parent path, key) of each allowed key an unknown key looks like a typo of."""
    allowed = list(error.schema.get("properties", {}))
    parent = json_path(error.absolute_path)
    return {(parent, close[0]) for key in _unknown_keys(error) if (close := difflib.get_close_matches(key, allowed, n=1))}


def _one_of_error(path: str, error: ValidationError) -> SuiteError:
    # Report the branch that came closest, e.g. "data needs file or items".
    required = [set(s.get("required", [])) for s in error.schema.get("oneOf", [])]
    if required and all(required) and isinstance(error.instance, dict):
        present = [sorted(r) for r in required if r <= set(error.instance)]
        names = " or ".join(next(iter(r)) for r in required)
        found = "both" if len(present) > 1 else "neither"
        return SuiteError(path, json_path(error.absolute_path), f"exactly one of {names}", found)
    # Prefer the branch whose type matched: its complaint (e.g. an empty list) is the real one.
    sub = min(error.context, key=lambda e: (len(list(e.absolute_path)), e.validator == "type"), default=None) if error.context else None
    if sub is not None:
        return to_suite_error(path, sub)
    return SuiteError(path, json_path(error.absolute_path), error.message, describe_value(error.instance))


def to_suite_error(path: str, error: ValidationError) -> SuiteError:
    where = json_path(error.absolute_path)
    found = describe_value(error.instance)
    keyword = error.validator
    if keyword == "additionalProperties":
        return _unknown_key_error(path, error)
    if keyword == "required":
        return SuiteError(path, json_path([*error.absolute_path, _required_key(error)]), "a value (required key)", "nothing")
    if keyword == "type":
        return SuiteError(path, where, _describe_type(error.validator_value), found)
    if keyword == "enum":
        options = ", ".join(map(str, error.validator_value))
        words = isinstance(error.instance, str) and error.instance[:1].isalpha()  # no hint for operators
        close = difflib.get_close_matches(error.instance, list(map(str, error.validator_value)), n=1) if words else []
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return SuiteError(path, where, f"one of {options}{hint}", found)
    if keyword == "const":
        return SuiteError(path, where, describe_value(error.validator_value), found)
    if keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        sign = {"minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}[keyword]
        return SuiteError(path, where, f"a number {sign} {error.validator_value}", found)
    if keyword == "oneOf":
        return _one_of_error(path, error)
    if keyword == "pattern":
        return SuiteError(path, where, error.schema.get("description") or f"a string matching {error.validator_value}", found)
    if keyword in ("minItems", "minLength"):
        return SuiteError(path, where, "a non-empty value", found)
    return SuiteError(path, where, error.message, found)


def all_schema_errors(path: str, validator: Draft202012Validator, document: Any) -> list[SuiteError]:
    """One error per JSON path where the document breaks the schema, shallowest first.

    A required key that is missing because it was misspelt is reported once, as the typo.
    """
    errors = sorted(validator.iter_errors(document), key=lambda e: (len(list(e.absolute_path)), list(map(str, e.absolute_path))))
    misspelt = set().union(*(_misspelt(e) for e in errors if e.validator == "additionalProperties"))
    described: list[SuiteError] = []
    for error in errors:
        if error.validator == "additionalProperties":
            described.extend(_unknown_key_error(path, error, key) for key in _unknown_keys(error))
        elif error.validator != "required" or (json_path(error.absolute_path), _required_key(error)) not in misspelt:
            described.append(to_suite_error(path, error))
    seen: set[str] = set()
    return [e for e in described if not (e.json_path in seen or seen.add(e.json_path))]


def _required_key(error: ValidationError) -> str:
    return error.message.split("'")[1] if "'" in error.message else error.message
