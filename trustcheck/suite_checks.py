"""Checks on a schema-valid suite that JSON Schema cannot express: names that must resolve."""

from __future__ import annotations

import difflib
import inspect
from pathlib import PurePosixPath

from .errors import SuiteError
from .evaluators.registry import check_evaluator_options, known_evaluators
from .metrics.registry import known_metrics, metric_function
from .suite import Suite
from .terminal_text import bounded_repr


def _did_you_mean(name: str, options: list[str]) -> str:
    close = difflib.get_close_matches(name, options, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _check_data_path(suite: Suite) -> None:
    if suite.data.file is None:
        return
    parts = PurePosixPath(suite.data.file).parts
    if suite.data.file.startswith("/") or ".." in parts:
        raise SuiteError(suite.path, "$.data.file", "a path inside the data directory", bounded_repr(suite.data.file))


def _check_evaluator(suite: Suite) -> None:
    names = known_evaluators()
    if suite.evaluator not in names:
        raise SuiteError(
            suite.path, "$.evaluator.name",
            f"a known evaluator{_did_you_mean(suite.evaluator, names)}", bounded_repr(suite.evaluator),
        )
    try:
        check_evaluator_options(suite.evaluator, suite.evaluator_options)
    except (ValueError, TypeError) as error:
        raise SuiteError(suite.path, "$.evaluator.options", "options the evaluator accepts", str(error)) from None


def _check_metrics(suite: Suite) -> None:
    functions = known_metrics()
    seen: set[str] = set()
    for index, metric in enumerate(suite.metrics):
        if metric.fn not in functions:
            raise SuiteError(
                suite.path, f"$.metrics[{index}].fn",
                f"a known metric function{_did_you_mean(metric.fn, functions)}", bounded_repr(metric.fn),
            )
        _check_metric_params(suite, index, metric.fn)
        key = (metric.name, metric.modes)
        if key in seen:
            raise SuiteError(suite.path, f"$.metrics[{index}].name", "a metric name used once per mode", f"duplicate {metric.name!r}")
        seen.add(key)


def _check_metric_params(suite: Suite, index: int, fn_name: str) -> None:
    """Parameters must match the metric function's keywords: a typo would otherwise crash scoring."""
    parameters = list(inspect.signature(metric_function(fn_name)).parameters.values())[1:]
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return
    names = sorted(p.name for p in parameters if p.name != "mode")
    given = suite.metrics[index].params
    for key in given:
        if key not in names:
            raise SuiteError(
                suite.path, f"$.metrics[{index}].params.{key}",
                f"a parameter of {fn_name} ({', '.join(names) or 'none'}){_did_you_mean(str(key), names)}", f"unknown parameter {key!r}",
            )
    for parameter in parameters:
        if parameter.default is inspect.Parameter.empty and parameter.name not in given and parameter.name != "mode":
            raise SuiteError(suite.path, f"$.metrics[{index}].params.{parameter.name}", f"a value (required by {fn_name})", "nothing")


def _check_gates(suite: Suite) -> None:
    names = sorted({m.name for m in suite.metrics})
    for index, gate in enumerate(suite.gates):
        metric = suite.metric(gate.metric)
        if metric is None:
            raise SuiteError(
                suite.path, f"$.gates[{index}].metric",
                f"one of the suite's metrics {names}{_did_you_mean(gate.metric, names)}", bounded_repr(gate.metric),
            )
        if "[" in gate.metric and metric.group_by is None:
            raise SuiteError(suite.path, f"$.gates[{index}].metric", f"a grouped metric for {gate.metric!r}", f"{metric.name!r} has no group_by")
        value_range = getattr(metric_function(metric.fn), "value_range", None)
        if value_range and not value_range[0] <= gate.threshold <= value_range[1]:
            raise SuiteError(
                suite.path, f"$.gates[{index}].threshold",
                f"a number in [{value_range[0]}, {value_range[1]}] for {metric.fn}", bounded_repr(gate.threshold),
            )


def check_suite(suite: Suite) -> None:
    _check_data_path(suite)
    _check_evaluator(suite)
    _check_metrics(suite)
    _check_gates(suite)
