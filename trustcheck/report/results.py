"""The results file (`--trust-json`): the machine-readable form of a run, and a baseline's input."""

from __future__ import annotations

import datetime as _dt
import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..common.credentials import redact, redact_argv, redact_spec
from ..common.json_files import finite_or_null
from ..evaluators.refusal_error import known_error
from ..gates.gates import GateResult, SuiteOutcome
from ..metrics.base import tidy_numbers
from ..metrics.registry import UnknownMetricError, metric_function
from ..suite.suite import MetricSpec
from .gate_reports import gate_tests

FORMAT = "trustcheck-results/1"


def _version() -> str:
    from .. import __version__

    return __version__


def _definition(name: str, spec: MetricSpec | None) -> dict[str, Any]:
    """How the metric was computed, so a baseline comparison can recompute it on paired items."""
    if spec is None:
        return {"direction": "higher", "paper_name": None}
    return {
        "direction": spec.direction,
        "paper_name": spec.paper_name,
        "fn": spec.fn,
        "params": dict(spec.params),
        "where": dict(spec.where) or None,
        "group_by": spec.group_by,
        "group": name[len(spec.name) + 1 : -1] if name != spec.name else None,
    }


def _value_range(spec: MetricSpec | None) -> tuple[float, float] | None:
    try:
        return getattr(metric_function(spec.fn), "value_range", None) if spec is not None else None
    except UnknownMetricError:
        return None


def _tidied(entry: dict[str, Any], spec: MetricSpec | None) -> dict[str, Any]:
    """value, low and high without float noise (the gates and the table use the exact numbers)."""
    value, low, high = tidy_numbers(entry["value"], entry["low"], entry["high"], _value_range(spec))
    return {**entry, "value": value, "low": low, "high": high}


def _gate_entry(gate: GateResult, spec: MetricSpec | None, task: str, partial: bool, refusal: str | None) -> dict[str, Any]:
    """A gate without float noise, with the known error of the refusal detector when it decides the gate."""
    entry = _tidied(gate.as_dict(partial), spec)
    error = known_error(task, gate.gate.metric, refusal)
    return {**entry, "evaluator_error": error} if error else entry


def suite_entry(outcome: SuiteOutcome, partial: bool, refusal: str | None = None) -> dict[str, Any]:
    suite = outcome.suite
    metrics = {}
    for name, result in outcome.metrics.items():
        spec = suite.metric(name)
        metrics[name] = _tidied({**result.as_dict(), **_definition(name, spec)}, spec)
    return {
        "suite": suite.path,
        "name": suite.name,
        "dimension": suite.dimension,
        "task": suite.task,
        "n_items": len(outcome.records),
        "n_expected": outcome.expected,
        "missing": outcome.missing,
        "metrics": metrics,
        # Items lost to errors or dead workers make a gate partial just as a narrowed selection does.
        "gates": [
            {**_gate_entry(gate, suite.metric(gate.gate.metric), suite.task, partial or bool(outcome.missing), refusal), "id": test.nodeid}
            for gate, test in zip(outcome.gates, gate_tests([outcome], []))
        ],
    }


def build_results(
    outcomes: Sequence[SuiteOutcome],
    items: Sequence[Mapping[str, Any]],
    model: Mapping[str, Any],
    dataset: Mapping[str, Any],
    settings: Mapping[str, Any],
    label: str | None = None,
) -> dict[str, Any]:
    partial = bool(settings.get("selection", {}).get("partial"))
    return {
        "format": FORMAT,
        "trustcheck_version": _version(),
        "created": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        **({"label": label} if label else {}),
        "model": dict(model),
        "dataset": dict(dataset),
        "settings": dict(settings),
        "suites": [suite_entry(o, partial, settings.get("refusal")) for o in outcomes],
        "items": [dict(item) for item in items],
    }


def write_results(path: Path, results: Mapping[str, Any]) -> None:
    """Write atomically, so an interrupted run never leaves half a file behind.

    The file is strict JSON: a NaN or infinite number (a metric without a value, a missing value
    in a kept dataset field) is written as null.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "w", encoding="utf-8", errors="surrogatepass") as handle:
            json.dump(finite_or_null(results), handle, ensure_ascii=True, indent=1, allow_nan=False)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def redact_model(model: Mapping[str, Any]) -> dict[str, Any]:
    """The results' model section with credentials masked: specs read as specs, the rest as text."""
    spec_like = ("spec", "display_name")
    return {
        key: (redact_spec(value) if key in spec_like else redact(value)) if isinstance(value, str) else value
        for key, value in model.items()
    }


def argv() -> list[str]:
    """The command line, with any credential in it masked."""
    return redact_argv(sys.argv[1:])
