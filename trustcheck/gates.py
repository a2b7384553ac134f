"""Suite metrics and gates, computed on the controller from the records items sent."""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .metrics.base import MetricResult, Record
from .metrics.registry import metric_function
from .profiles import gate_problem
from .selection import field_value
from .suite import GateSpec, MetricSpec, Suite
from .terminal_text import printable

OPERATORS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
}


@dataclass(frozen=True)
class GateResult:
    gate: GateSpec
    result: MetricResult
    verdict: str  # "pass" | "fail" | "no-data"

    def as_dict(self, partial: bool) -> dict[str, Any]:
        return {
            "metric": self.gate.metric,
            "op": self.gate.op,
            "threshold": self.gate.threshold,
            "value": self.result.value,
            "low": self.result.low,
            "high": self.result.high,
            "n": self.result.n,
            "verdict": self.verdict,
            "partial": partial,
        }


@dataclass
class SuiteOutcome:
    suite: Suite
    records: list[Record]
    metrics: dict[str, MetricResult] = field(default_factory=dict)
    gates: list[GateResult] = field(default_factory=list)
    expected: int = 0
    missing: list[str] = field(default_factory=list)
    metric_errors: set[str] = field(default_factory=set)

    @property
    def failed(self) -> bool:
        return any(g.verdict == "fail" for g in self.gates)


def record_value(record: Record, path: str) -> Any:
    """What a metric's `where`/`group_by` names: the record's category, verdict or passed, else a
    dotted path into its kept dataset fields."""
    if path in ("category", "verdict", "passed"):
        return record.get(path)
    return field_value(record.get("fields", {}), path)


def _filter(records: Sequence[Record], where: Mapping[str, Any]) -> list[Record]:
    def keep(record: Record) -> bool:
        for path, wanted in where.items():
            value = record_value(record, path)
            if (value not in wanted) if isinstance(wanted, list) else (value != wanted):
                return False
        return True

    return [r for r in records if keep(r)] if where else list(records)


def compute_metric(spec: MetricSpec, records: Sequence[Record], mode: str) -> dict[str, MetricResult]:
    """The metric over the records, and per group when the spec says `group_by`."""
    fn = metric_function(spec.fn)
    selected = _filter(records, spec.where)
    results = {spec.name: fn(selected, mode=mode, **spec.params)}
    if spec.group_by:
        groups: dict[str, list[Record]] = {}
        for record in selected:
            groups.setdefault(str(record_value(record, spec.group_by)), []).append(record)
        for group in sorted(groups):
            results[f"{spec.name}[{group}]"] = fn(groups[group], mode=mode, **spec.params)
    return results


def evaluate_gate(gate: GateSpec, metrics: Mapping[str, MetricResult]) -> GateResult:
    result = metrics.get(gate.metric, MetricResult(value=None))
    if result.value is None:
        return GateResult(gate, result, "no-data")
    passed = OPERATORS[gate.op](result.value, gate.threshold)
    return GateResult(gate, result, "pass" if passed else "fail")


def _compute_safely(spec: MetricSpec, records: Sequence[Record], mode: str, outcome: SuiteOutcome) -> None:
    """A metric that raises (a label of an unexpected type, a bad parameter value) fails its
    gates with the reason as the note, instead of ending the run and losing every result."""
    try:
        outcome.metrics.update(compute_metric(spec, records, mode))
    except Exception as error:  # noqa: BLE001 - reported in the gate table and results
        message = printable(" ".join(f"{type(error).__name__}: {error}".split()), 300)
        culprit = next((r.get("nodeid") for r in records if _raises(spec, r, mode)), None)
        where = f" (first item it fails on alone: {culprit})" if culprit else ""
        outcome.metrics[spec.name] = MetricResult(value=None, note=f"could not be computed: {message}{where}")
        outcome.metric_errors.add(spec.name)


def _raises(spec: MetricSpec, record: Record, mode: str) -> bool:
    try:
        compute_metric(spec, [record], mode)
    except Exception:  # noqa: BLE001 - only looking for the record that breaks the metric
        return True
    return False


def score_suite(suite: Suite, records: list[Record], mode: str, gates: Sequence[GateSpec] | None = None) -> SuiteOutcome:
    outcome = SuiteOutcome(suite=suite, records=records)
    ordered = sorted(records, key=lambda r: r["nodeid"])  # same order with or without xdist
    for spec in suite.metrics:
        if mode in spec.modes:
            _compute_safely(spec, ordered, mode, outcome)
    for gate in gates if gates is not None else suite.gates:
        problem = gate_problem(suite, gate) if gates is not None else None
        if mode in gate.modes and problem:
            # A profile's gate on a metric this suite lacks: a failing row that says why.
            outcome.gates.append(GateResult(gate, MetricResult(value=None, note=problem), "fail"))
        elif mode in gate.modes:
            result = evaluate_gate(gate, outcome.metrics)
            if gate.metric.split("[", 1)[0] in outcome.metric_errors:
                result = GateResult(gate, outcome.metrics.get(gate.metric.split("[", 1)[0], result.result), "fail")
            outcome.gates.append(result)
    return outcome
