"""The gate table at the end of the terminal output."""

from __future__ import annotations

from collections.abc import Sequence

from ..gates.gates import SuiteOutcome


def format_value(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if abs(value) < 1000 else f"{value:.4g}"


def format_interval(low: float | None, high: float | None) -> str:
    return "-" if low is None or high is None else f"[{format_value(low)}, {format_value(high)}]"


def gate_rows(outcomes: Sequence[SuiteOutcome]) -> list[list[str]]:
    rows = []
    for outcome in outcomes:
        for gate in outcome.gates:
            result = gate.result
            rows.append([
                outcome.suite.path,
                gate.gate.metric,
                format_value(result.value),
                format_interval(result.low, result.high),
                str(result.n),
                f"{gate.gate.op} {gate.gate.threshold:g}",
                gate.verdict.upper(),
            ])
    return rows


def format_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(str(c)) for c in column) for column in zip(header, *rows)]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    return [line.format(*header), line.format(*("-" * w for w in widths))] + [line.format(*row) for row in rows]


GATE_HEADER = ("suite", "metric", "value", "95% interval", "n", "threshold", "verdict")


def gate_table_lines(outcomes: Sequence[SuiteOutcome], partial_reasons: Sequence[str]) -> list[str]:
    rows = gate_rows(outcomes)
    lines = format_table(GATE_HEADER, rows) if rows else ["(no gates: the selected suites declare none)"]
    for outcome in outcomes:
        if outcome.missing:
            shown = ", ".join(outcome.missing[:3]) + (f" and {len(outcome.missing) - 3} more" if len(outcome.missing) > 3 else "")
            lines.append(f"note: {outcome.suite.path}: {len(outcome.missing)} of {outcome.expected} selected items have no result (skipped, errors or lost workers): {shown}")
        if any(r.get("verdict") == "unscored" for r in outcome.records):
            count = sum(1 for r in outcome.records if r.get("verdict") == "unscored")
            lines.append(f"note: {outcome.suite.path}: {count} items unscored; metrics over them are partial")
        explained = set()
        for gate in outcome.gates:
            if gate.verdict != "pass" and gate.result.value is None and gate.reason:
                # Undefined, no data, or a gate that cannot apply: the table cannot say why.
                kind = "error" if gate.verdict == "fail" else "note"
                lines.append(f"{kind}: {outcome.suite.path}: {gate.gate.metric}: {gate.reason}")
                explained.add(gate.gate.metric)
        for metric, result in outcome.metrics.items():
            if metric in explained:
                continue
            if result.note and (metric in outcome.metric_errors or any(g.gate.metric == metric for g in outcome.gates)):
                lines.append(f"note: {outcome.suite.path}: {metric}: {result.note}")
    if partial_reasons:
        lines.append("note: partial selection (" + "; ".join(partial_reasons) + "): gates describe the selected items only")
    failed = sum(1 for o in outcomes for g in o.gates if g.verdict == "fail")
    no_data = sum(1 for o in outcomes for g in o.gates if g.verdict == "no-data")
    total = sum(len(o.gates) for o in outcomes)
    lines.append(f"gates: {total - failed - no_data} passed, {failed} failed, {no_data} without data")
    return lines
