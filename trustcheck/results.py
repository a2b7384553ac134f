"""The results file (`--trust-json`): the machine-readable form of a run, and a baseline's input."""

from __future__ import annotations

import datetime as _dt
import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .evaluators.refusal_error import known_error
from .gates import GateResult, SuiteOutcome
from .suite import MetricSpec

FORMAT = "trustcheck-results/1"


def _version() -> str:
    from . import __version__

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


def _gate_entry(gate: GateResult, task: str, partial: bool, refusal: str | None) -> dict[str, Any]:
    """A gate, with the known error of the refusal detector when the detector decides it."""
    entry = gate.as_dict(partial)
    error = known_error(task, gate.gate.metric, refusal)
    return {**entry, "evaluator_error": error} if error else entry


def suite_entry(outcome: SuiteOutcome, partial: bool, refusal: str | None = None) -> dict[str, Any]:
    suite = outcome.suite
    metrics = {}
    for name, result in outcome.metrics.items():
        spec = suite.metric(name)
        metrics[name] = {**result.as_dict(), **_definition(name, spec)}
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
        "gates": [_gate_entry(gate, suite.task, partial or bool(outcome.missing), refusal) for gate in outcome.gates],
    }


def build_results(
    outcomes: Sequence[SuiteOutcome],
    items: Sequence[Mapping[str, Any]],
    model: Mapping[str, Any],
    dataset: Mapping[str, Any],
    settings: Mapping[str, Any],
) -> dict[str, Any]:
    partial = bool(settings.get("selection", {}).get("partial"))
    return {
        "format": FORMAT,
        "trustcheck_version": _version(),
        "created": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "model": dict(model),
        "dataset": dict(dataset),
        "settings": dict(settings),
        "suites": [suite_entry(o, partial, settings.get("refusal")) for o in outcomes],
        "items": [dict(item) for item in items],
    }


def write_results(path: Path, results: Mapping[str, Any]) -> None:
    """Write atomically, so an interrupted run never leaves half a file behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "w", encoding="utf-8", errors="surrogatepass") as handle:
        json.dump(results, handle, ensure_ascii=True, indent=1)
    os.replace(temporary, path)


def argv() -> list[str]:
    return list(sys.argv[1:])
