"""Plain-text and Markdown summaries of a results file: `trustcheck report FILE`, `compare --format md`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from ..common.credentials import redact_spec
from ..common.terminal_text import printable
from .report import GATE_HEADER, format_interval, format_table, format_value

OUTCOME_ORDER = ("passed", "missed", "failed", "error", "skipped")


def _gate_row(suite: Mapping[str, Any], gate: Mapping[str, Any]) -> list[str]:
    threshold = gate.get("threshold")
    return [
        printable(str(suite.get("suite", "?")), 120),
        printable(str(gate.get("metric", "?")), 60),
        format_value(gate.get("value")),  # a loaded results file is schema-checked: numbers or null
        format_interval(gate.get("low"), gate.get("high")),
        str(gate.get("n", "-")),
        f"{gate.get('op', '?')} {threshold:g}" if isinstance(threshold, (int, float)) else "-",
        printable(str(gate.get("verdict", "?")).upper(), 20),
    ]


def gate_rows(results: Mapping[str, Any]) -> list[list[str]]:
    return [_gate_row(suite, gate) for suite in results.get("suites", []) for gate in suite.get("gates", [])]


def verdict_line(results: Mapping[str, Any]) -> str:
    verdicts = [str(row[-1]) for row in gate_rows(results)]
    failed = sum(v == "FAIL" for v in verdicts)
    counts = ", ".join(f"{verdicts.count(v)} {v.lower()}" for v in sorted(set(verdicts)))
    return f"{'FAIL' if failed else 'PASS'}: {len(verdicts)} gates ({counts or 'none'})"


def _model_line(results: Mapping[str, Any]) -> str:
    model = results.get("model", {})
    name = redact_spec(str(model.get("display_name") or model.get("spec") or "?"))
    label = results.get("label")
    run = f"run: {printable(str(label), 120)}, " if label else ""
    return f"{run}model: {printable(name, 120)}"


def text_summary(results: Mapping[str, Any]) -> str:
    """The gate table of a results file, as the terminal shows it at the end of a run."""
    rows = gate_rows(results)
    lines = [_model_line(results), ""]
    lines += format_table(GATE_HEADER, rows) if rows else ["(no gates in these results)"]
    items = results.get("items", [])
    outcomes = Counter(str(item.get("outcome", "?")) for item in items)
    order = [o for o in OUTCOME_ORDER if o in outcomes] + sorted(set(outcomes) - set(OUTCOME_ORDER))
    counts = ", ".join(f"{outcomes[o]} {printable(o, 20)}" for o in order)
    lines += ["", f"{len(items)} items" + (f": {counts}" if counts else ""), verdict_line(results)]
    return "\n".join(lines)


def markdown_table(rows: Sequence[Sequence[str]]) -> list[str]:
    """A GitHub-flavoured Markdown table; the first row is the header. Pipes in cells are escaped."""
    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(c).replace("|", "\\|").replace("\n", " ") for c in cells) + " |"

    return [line(rows[0]), line(["---"] * len(rows[0])), *(line(row) for row in rows[1:])]
