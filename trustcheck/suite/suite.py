"""Suite files: safe YAML, JSON Schema validation, and the typed Suite they describe (suite_spec.py)."""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from ..common.errors import SuiteError
from ..common.safe_yaml import load_yaml
from .schema_errors import all_schema_errors, describe_value, json_path
from .suite_checks import suite_problems
from .suite_spec import (
    DataSpec,
    GateSpec,
    GenerationSpec,
    MetricSpec,
    SampleSpec,
    Suite,
)

DEFAULT_GENERATION = {"temperature": 0.0, "max_new_tokens": 256, "mode": "chat", "stop": []}


@functools.cache
def _validator(schema_name: str) -> Draft202012Validator:
    text = resources.files("trustcheck.schema").joinpath(schema_name).read_text(encoding="utf-8")
    return Draft202012Validator(json.loads(text))


def read_yaml(path: Path, display: str) -> Any:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise SuiteError(display, "$", "a readable YAML file", error.strerror or type(error).__name__) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise SuiteError(display, f"line {line}", "UTF-8 text", f"byte 0x{raw[error.start]:02x} at offset {error.start}") from None
    try:
        return load_yaml(text)
    except yaml.YAMLError as error:
        where, problem = _yaml_problem(error, text)
        raise SuiteError(display, where, "valid YAML", problem) from None


def _yaml_problem(error: yaml.YAMLError, text: str) -> tuple[str, str]:
    """(where, what) of a YAML error: a line and column where PyYAML knows them."""
    if isinstance(error, yaml.reader.ReaderError):
        line = text.count("\n", 0, error.position) + 1
        return f"line {line}", f"the control character U+{error.character:04X}" if isinstance(error.character, int) else str(error.reason)
    mark = getattr(error, "problem_mark", None)
    where = f"line {mark.line + 1} column {mark.column + 1}" if mark else "$"
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    return where, problem.removeprefix("but ").removeprefix("found ")


def _non_string_key(value: Any, path: list[Any]) -> tuple[list[Any], Any] | None:
    """The JSON path and key of the first mapping key that is not a string, if any."""
    if isinstance(value, dict):
        for key, child in value.items():
            if not isinstance(key, str):
                return path, key
            found = _non_string_key(child, [*path, key])
            if found:
                return found
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found = _non_string_key(child, [*path, index])
            if found:
                return found
    return None


def _key_error(document: Any, display: str) -> SuiteError | None:
    """Suites are JSON-shaped: YAML's int, null and boolean keys (unquoted yes/no/on/off) are mistakes."""
    found = _non_string_key(document, [])
    if not found:
        return None
    path, key = found
    hint = " (YAML reads unquoted yes/no/on/off as true/false: quote it)" if isinstance(key, bool) else ""
    return SuiteError(display, json_path(path), "keys that are strings", f"the key {describe_value(key)}{hint}")


def document_problems(document: Any, display: str, schema_name: str = "suite.schema.json") -> list[SuiteError]:
    """Every schema problem of a parsed document (one per JSON path), most general first."""
    if not isinstance(document, dict):
        return [SuiteError(display, "$", "a mapping with the suite's keys", describe_value(document) if document is not None else "an empty file")]
    early = _key_error(document, display) or _number_error(document, display)
    if early is not None:
        return [early]
    return all_schema_errors(display, _validator(schema_name), document)


def _non_finite_number(document: Any) -> tuple[list[Any], float] | None:
    """The JSON path and value of the first NaN or infinity anywhere in the document, if any."""
    stack: list[tuple[Any, list[Any]]] = [(document, [])]
    while stack:
        value, path = stack.pop()
        if isinstance(value, float) and not math.isfinite(value):
            return path, value
        if isinstance(value, dict):
            stack.extend((child, [*path, key]) for key, child in reversed(list(value.items())))
        elif isinstance(value, list):
            stack.extend((child, [*path, index]) for index, child in reversed(list(enumerate(value))))
    return None


def _number_error(document: Any, display: str) -> SuiteError | None:
    """Suites are JSON-shaped: YAML's .nan and .inf (or a float past 1.8e308) are no values there.

    Checked before the schema because NaN passes every minimum and maximum (all comparisons with
    it are false): `temperature: .nan` would reach the model.
    """
    found = _non_finite_number(document)
    if not found:
        return None
    path, value = found
    return SuiteError(display, json_path(path), "a finite number", describe_value(value))


def _as_tuple(value: Any) -> tuple:
    if value is None:
        return ()
    return tuple(value) if isinstance(value, list) else (value,)


def data_spec(raw: Mapping[str, Any]) -> DataSpec:
    items = raw.get("items")
    return DataSpec(
        file=raw.get("file"),
        items=tuple(items) if items is not None else None,
        prompt=raw.get("prompt", "prompt"),
        id=raw.get("id"),
        category=raw.get("category"),
        keep=tuple(raw.get("keep", ())),
        where=dict(raw.get("where", {})),
    )


def _metric_spec(raw: Mapping[str, Any]) -> MetricSpec:
    return MetricSpec(
        name=raw["name"],
        fn=raw["fn"],
        params=dict(raw.get("params", {})),
        group_by=raw.get("group_by"),
        where=dict(raw.get("where", {})),
        modes=tuple(raw.get("modes", ("toolkit", "paper"))),
        direction=raw.get("direction", "higher"),
        paper_name=raw.get("paper_name"),
    )


def generation_spec(document: Mapping[str, Any]) -> GenerationSpec:
    """A suite or property document's `generation` section over the defaults."""
    generation = {**DEFAULT_GENERATION, **document.get("generation", {})}
    return GenerationSpec(
        temperature=float(generation["temperature"]),
        max_new_tokens=int(generation["max_new_tokens"]),
        mode=generation["mode"],
        stop=tuple(generation["stop"]),
    )


def sample_spec(document: Mapping[str, Any]) -> SampleSpec:
    sample = document.get("sample", {})
    return SampleSpec(
        strata=tuple(sample["strata"]) if "strata" in sample else None,
        per_stratum=sample.get("per_stratum"),
        group_by=sample.get("group_by"),
    )


def gate_specs(document: Mapping[str, Any]) -> tuple[GateSpec, ...]:
    return tuple(
        GateSpec(g["metric"], g["op"], float(g["threshold"]), tuple(g.get("modes", ("toolkit", "paper"))))
        for g in document.get("gates", [])
    )


def build_suite(document: Mapping[str, Any], display: str) -> Suite:
    return Suite(
        path=display,
        name=document["name"],
        dimension=document["dimension"],
        task=document["task"],
        description=document.get("description", ""),
        data=data_spec(document["data"]),
        generation=generation_spec(document),
        evaluator=document["evaluator"]["name"],
        evaluator_options=dict(document["evaluator"].get("options", {})),
        expect=_as_tuple(document["expect"]["verdict"]),
        critical=bool(document.get("critical", False)),
        sample=sample_spec(document),
        metrics=tuple(_metric_spec(m) for m in document.get("metrics", [])),
        gates=gate_specs(document),
    )


def suite_file_problems(path: Path, display: str) -> tuple[Suite | None, list[SuiteError]]:
    """The suite a file declares (None when its schema problems leave none) and all its problems."""
    try:
        document = read_yaml(path, display)
    except SuiteError as error:
        return None, [error]
    problems = document_problems(document, display)
    if problems:
        return None, problems
    suite = build_suite(document, display)
    return suite, suite_problems(suite)


def load_suite(path: Path, display: str | None = None) -> Suite:
    """Read, validate and check one suite file; raises SuiteError with a one-line message."""
    suite, problems = suite_file_problems(path, display or str(path))
    if problems:
        raise problems[0]
    assert suite is not None
    return suite
