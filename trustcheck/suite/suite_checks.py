"""Checks on a schema-valid suite that JSON Schema cannot express: names that must resolve.

Each check yields every problem it finds, so `trustcheck validate` can list them all; loading a
suite raises the first.
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Iterator
from pathlib import PurePosixPath

from ..common.errors import SuiteError
from ..common.terminal_text import bounded_repr
from ..evaluators.registry import check_evaluator_options, known_evaluators
from ..metrics.registry import known_metrics, metric_function
from .suite_spec import Suite

# What a metric's `where` and `group_by` can name besides the fields listed in `data.keep`.
RECORD_NAMES = ("category", "verdict", "passed")
# What a metric function's `*_field` parameter can name besides them (trustllm_stats.value_of).
VALUE_NAMES = ("category", "verdict", "extracted", "score", "response")


def _did_you_mean(name: str, options: list[str]) -> str:
    close = difflib.get_close_matches(name, options, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def data_path_problems(path: str, data_file: str | None) -> Iterator[SuiteError]:
    if data_file is None:
        return
    parts = PurePosixPath(data_file).parts
    if data_file.startswith("/") or ".." in parts:
        yield SuiteError(path, "$.data.file", "a path inside the data directory", bounded_repr(data_file))


def evaluator_problems(path: str, evaluator: str, options: dict | None = None) -> Iterator[SuiteError]:
    names = known_evaluators()
    if evaluator not in names:
        yield SuiteError(path, "$.evaluator.name", f"a known evaluator{_did_you_mean(evaluator, names)}", bounded_repr(evaluator))
        return
    try:
        check_evaluator_options(evaluator, options or {})
    except (ValueError, TypeError) as error:
        yield SuiteError(path, "$.evaluator.options", "options the evaluator accepts", str(error))


def _metric_problems(suite: Suite) -> Iterator[SuiteError]:
    functions = known_metrics()
    seen: set[tuple[str, tuple[str, ...]]] = set()
    for index, metric in enumerate(suite.metrics):
        if metric.fn not in functions:
            yield SuiteError(
                suite.path, f"$.metrics[{index}].fn",
                f"a known metric function{_did_you_mean(metric.fn, functions)}", bounded_repr(metric.fn),
            )
        else:
            yield from _metric_param_problems(suite, index, metric.fn)
        yield from _record_path_problems(suite, index)
        yield from _field_param_problems(suite, index)
        key = (metric.name, metric.modes)
        if key in seen:
            yield SuiteError(suite.path, f"$.metrics[{index}].name", "a metric name used once per mode", f"duplicate {metric.name!r}")
        seen.add(key)


def _metric_param_problems(suite: Suite, index: int, fn_name: str) -> Iterator[SuiteError]:
    """Parameters must match the metric function's keywords: a typo would otherwise crash scoring."""
    parameters = list(inspect.signature(metric_function(fn_name)).parameters.values())[1:]
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return
    names = sorted(p.name for p in parameters if p.name != "mode")
    given = suite.metrics[index].params
    for key in given:
        if key not in names:
            yield SuiteError(
                suite.path, f"$.metrics[{index}].params.{key}",
                f"a parameter of {fn_name} ({', '.join(names) or 'none'}){_did_you_mean(str(key), names)}", f"unknown parameter {key!r}",
            )
    for parameter in parameters:
        if parameter.default is inspect.Parameter.empty and parameter.name not in given and parameter.name != "mode":
            yield SuiteError(suite.path, f"$.metrics[{index}].params.{parameter.name}", f"a value (required by {fn_name})", "nothing")


def _record_path_problems(suite: Suite, index: int) -> Iterator[SuiteError]:
    """`group_by` and `where` read the records items send: a field not kept is never there."""
    metric = suite.metrics[index]
    kept = list(suite.data.keep)
    named = [("group_by", metric.group_by)] if metric.group_by else []
    named += [(f"where.{key}", key) for key in metric.where]
    for where, path in named:
        head = path.split(".", 1)[0]
        if head not in RECORD_NAMES and head not in kept:
            options = [*RECORD_NAMES, *kept]
            yield SuiteError(
                suite.path, f"$.metrics[{index}].{where}",
                f"category, verdict, passed or a field listed in data.keep ({', '.join(kept) or 'none'}){_did_you_mean(head, options)}",
                bounded_repr(path),
            )


def _field_param_problems(suite: Suite, index: int) -> Iterator[SuiteError]:
    """A `*_field` parameter names a field the metric reads from records: one not kept is never there."""
    kept = list(suite.data.keep)
    for key, value in suite.metrics[index].params.items():
        if str(key).endswith("_field") and isinstance(value, str) and value not in VALUE_NAMES and value not in kept:
            yield SuiteError(
                suite.path, f"$.metrics[{index}].params.{key}",
                f"a field listed in data.keep ({', '.join(kept) or 'none'}) or one of {', '.join(VALUE_NAMES)}{_did_you_mean(value, [*kept, *VALUE_NAMES])}",
                bounded_repr(value),
            )


def _gate_problems(suite: Suite) -> Iterator[SuiteError]:
    names = sorted({m.name for m in suite.metrics})
    for index, gate in enumerate(suite.gates):
        metric = suite.metric(gate.metric)
        if metric is None:
            yield SuiteError(
                suite.path, f"$.gates[{index}].metric",
                f"one of the suite's metrics {names}{_did_you_mean(gate.metric, names)}", bounded_repr(gate.metric),
            )
            continue
        if "[" in gate.metric and metric.group_by is None:
            yield SuiteError(suite.path, f"$.gates[{index}].metric", f"a grouped metric for {gate.metric!r}", f"{metric.name!r} has no group_by")
        if metric.fn not in known_metrics():
            continue
        value_range = getattr(metric_function(metric.fn), "value_range", None)
        if value_range and not value_range[0] <= gate.threshold <= value_range[1]:
            yield SuiteError(
                suite.path, f"$.gates[{index}].threshold",
                f"a number in [{value_range[0]}, {value_range[1]}] for {metric.fn}", bounded_repr(gate.threshold),
            )


def suite_problems(suite: Suite) -> list[SuiteError]:
    """Every problem of a schema-valid suite, in file order of the checks."""
    return [
        *data_path_problems(suite.path, suite.data.file),
        *evaluator_problems(suite.path, suite.evaluator, suite.evaluator_options),
        *_metric_problems(suite),
        *_gate_problems(suite),
    ]
