"""Suite metrics and gates, computed on the controller from the records items sent."""

from __future__ import annotations

import operator
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..common.terminal_text import printable
from ..dataset.selection import field_value
from ..metrics.base import MetricResult, Record
from ..metrics.registry import metric_function
from ..suite.suite import GateSpec, MetricSpec, Suite
from .profiles import gate_problem

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
    reason: str = ""  # why a gate failed or has no data, in one line

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
            "reason": self.reason,
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
    """Pass or fail on the value; a value the answers leave undefined fails; no answers is no data."""
    result = metrics.get(gate.metric)
    if result is None:
        return GateResult(gate, MetricResult(value=None), "no-data", _absent_reason(gate.metric, metrics))
    if result.value is None and result.n > 0:
        # The model's own answers made the metric undefined (a Pearson r over constant ratings):
        # that is evidence against the model, never a pass and never "no data".
        why = result.note or "the metric is undefined on these answers"
        return GateResult(gate, result, "fail", f"{gate.metric} is undefined on the {result.n} scored answers: {why}")
    if result.value is None:
        return GateResult(gate, result, "no-data", f"no scored items for {gate.metric}" + (f": {result.note}" if result.note else ""))
    if OPERATORS[gate.op](result.value, gate.threshold):
        return GateResult(gate, result, "pass")
    side = "below" if gate.op.startswith(">") else "above"
    return GateResult(gate, result, "fail", f"{result.value:.3f} is {side} the threshold {gate.op} {gate.threshold:g}")


def _absent_reason(metric: str, metrics: Mapping[str, MetricResult]) -> str:
    base, _, group = metric.partition("[")
    if group and base in metrics:
        return f"no scored item of group {group.rstrip(']')!r} among the selected items"
    return f"metric {metric} was not computed in this run"


def describe_value(result: MetricResult) -> str:
    """`0.000 [0.000, 0.084] n=42`: what a gate decided on (`-` for no value)."""
    interval = "" if result.low is None or result.high is None else f" [{result.low:.3f}, {result.high:.3f}]"
    value = "-" if result.value is None else f"{result.value:.3f}"
    return f"{value}{interval} n={result.n}"


def strict_gate(gate: GateResult) -> GateResult:
    """Under --trust-strict a gate without data fails, with the same reason."""
    if gate.verdict != "no-data":
        return gate
    return GateResult(gate.gate, gate.result, "fail", f"{gate.reason} (no data fails under --trust-strict)")


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
            outcome.gates.append(GateResult(gate, MetricResult(value=None, note=problem), "fail", problem))
        elif mode in gate.modes:
            result = evaluate_gate(gate, outcome.metrics)
            base = gate.metric.split("[", 1)[0]
            if base in outcome.metric_errors:
                broken = outcome.metrics.get(base, result.result)
                result = GateResult(gate, broken, "fail", broken.note)
            outcome.gates.append(_with_unscored_reason(result, ordered))
    return outcome


def _with_unscored_reason(gate: GateResult, records: Sequence[Record]) -> GateResult:
    """A gate without data over unscored items says why they were unscored (most often: no judge)."""
    reasons = Counter(str(r.get("reason")) for r in records if r.get("verdict") == "unscored" and r.get("reason"))
    if gate.verdict != "no-data" or not reasons:
        return gate
    reason, count = reasons.most_common(1)[0]
    return GateResult(gate.gate, gate.result, gate.verdict, f"{gate.reason} ({count} unscored: {printable(reason, 200)})")
