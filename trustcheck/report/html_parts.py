"""HTML fragments shared by the pytest-html integration and the standalone report.

Every string that comes from a results file or a record (model output, prompts, reasons,
suite and metric names) goes through `esc`; nothing here trusts its input.
"""

from __future__ import annotations

import base64
import html
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..backends.base import system_prompt_label
from ..common.credentials import redact_spec
from ..run.options import EVIDENCE_CHOICES
from .chart import render_chart

CSS = """
.tc-verdict-pass{color:#1b5e20;font-weight:bold}.tc-verdict-fail{color:#b71c1c;font-weight:bold}
.tc-verdict-no-data{color:#616161;font-weight:bold}
table.tc-table{border-collapse:collapse;margin:0.5em 0;font-size:13px}
table.tc-table th,table.tc-table td{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}
table.tc-table th{background:#f1f1f1}
table.tc-table td.tc-num{text-align:right;font-variant-numeric:tabular-nums}
.tc-banner{font-size:18px;font-weight:bold;padding:8px 12px;margin:8px 0;border-radius:4px}
.tc-banner.tc-pass{background:#e8f5e9;color:#1b5e20}.tc-banner.tc-fail{background:#ffebee;color:#b71c1c}
.tc-banner.tc-no-data{background:#f5f5f5;color:#424242}
.tc-note{background:#fff8e1;border-left:4px solid #ffb300;padding:4px 8px;margin:6px 0}
.tc-evidence dt{font-weight:bold;margin-top:4px}.tc-evidence dd{margin-left:1em}
.tc-evidence pre{white-space:pre-wrap;word-break:break-word;background:#fafafa;border:1px solid #eee;
padding:4px;margin:2px 0;max-height:24em;overflow:auto}
td.tc-not-passed{color:#b71c1c;font-weight:bold}
img.tc-chart{max-width:100%;height:auto;border:1px solid #eee}
"""

# Above this many items "auto" keeps evidence for missed items only: the full benchmark with
# every response inlined makes a page browsers struggle with.
AUTO_EVIDENCE_LIMIT = 2000

_OUTCOME_LABELS = {"missed": "MISSED", "failed": "FAILED", "error": "ERROR", "skipped": "SKIPPED"}


def esc(value: Any) -> str:
    """Text for HTML: None is empty, everything else is escaped (quotes included)."""
    return "" if value is None else html.escape(str(value), quote=True)


def number(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def interval(low: float | None, high: float | None) -> str:
    return "–" if low is None or high is None else f"[{low:.3f}, {high:.3f}]"


def _cell(value: str, css: str = "") -> str:
    return f'<td class="{css}">{value}</td>' if css else f"<td>{value}</td>"


def _shown(names: Sequence[str]) -> str:
    return ", ".join(names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")


def overall_verdict(suites: Sequence[Mapping[str, Any]], regressions: Sequence[str] = ()) -> tuple[str, str]:
    """('pass'|'fail'|'no-data', one-line sentence) over all gates of the run and the metrics
    significantly worse than a baseline (`suite metric` names)."""
    gates = [(s["name"], g) for s in suites for g in s.get("gates", [])]
    failed = [f"{name} {g['metric']}" for name, g in gates if g["verdict"] == "fail"]
    no_data = [g for _, g in gates if g["verdict"] == "no-data"]
    regressed = f"{len(regressions)} metric(s) significantly worse than the baseline ({_shown(regressions)})." if regressions else ""
    if failed:
        return "fail", " ".join(filter(None, [f"FAIL: {len(failed)} of {len(gates)} gates fail ({_shown(failed)}).", regressed]))
    if regressions:
        return "fail", f"FAIL: {regressed}"
    if not gates:
        return "no-data", "No gates were evaluated in this run."
    if no_data:
        return "no-data", f"NO VERDICT: {len(no_data)} of {len(gates)} gates have no data."
    return "pass", f"PASS: all {len(gates)} gates pass."


def banner_html(suites: Sequence[Mapping[str, Any]], regressions: Sequence[str] = ()) -> str:
    verdict, sentence = overall_verdict(suites, regressions)
    return f'<div class="tc-banner tc-{verdict}" id="tc-verdict">{esc(sentence)}</div>'


def gate_table_html(suites: Sequence[Mapping[str, Any]]) -> str:
    head = "".join(f"<th>{h}</th>" for h in
                   ("Suite", "Metric", "Value", "95% interval", "n", "Threshold", "Verdict"))
    rows = []
    for suite in suites:
        for gate in suite.get("gates", []):
            verdict = str(gate["verdict"]) + (" (partial)" if gate.get("partial") else "")
            rows.append("<tr>" + "".join([
                _cell(esc(suite["name"])),
                _cell(esc(gate["metric"])),
                _cell(number(gate.get("value")), "tc-num"),
                _cell(interval(gate.get("low"), gate.get("high")), "tc-num"),
                _cell(esc(gate.get("n", 0)), "tc-num"),
                _cell(esc(f"{gate['op']} {gate['threshold']:g}")),
                _cell(esc(verdict), f"tc-verdict-{esc(gate['verdict'])}"),
            ]) + "</tr>")
    if not rows:
        rows.append('<tr><td colspan="7">No gates were evaluated.</td></tr>')
    return f'<table class="tc-table" id="tc-gates"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def selection_note_html(settings: Mapping[str, Any]) -> str:
    selection = settings.get("selection") or {}
    if not selection.get("partial"):
        return ""
    reasons = "; ".join(str(r) for r in selection.get("reasons", [])) or "a subset of the items was run"
    return (f'<p class="tc-note" id="tc-partial">Partial selection ({esc(reasons)}): gate verdicts '
            "describe the items that ran, not the whole benchmark.</p>")


def chart_img_html(suites: Sequence[Mapping[str, Any]]) -> str:
    encoded = base64.b64encode(render_chart(suites)).decode("ascii")
    return ('<img class="tc-chart" id="tc-chart" alt="Gated metrics per TrustLLM dimension against their '
            f'thresholds" src="data:image/png;base64,{encoded}"/>')


def model_line_html(results: Mapping[str, Any]) -> str:
    model = results.get("model") or {}
    dataset = results.get("dataset") or {}
    settings = results.get("settings") or {}
    shown = redact_spec(str(model.get('display_name') or model.get('spec', '?')))  # a file of an older version may hold one
    parts = [f"Model: {shown} ({model.get('backend', '?')} "
             f"{model.get('backend_version', '')})".rstrip(),
             f"scoring: {settings.get('scoring', '?')}",
             # Files written before the condition was recorded ran with it blank.
             f"system prompt: {system_prompt_label(str(settings.get('system_prompt', 'empty')))}",
             f"dataset: {dataset.get('source') or 'inline items only'}"]
    if results.get("trustcheck_version"):
        parts.append(f"trustcheck {results['trustcheck_version']}")
    if results.get("label"):
        parts.insert(0, f"Run: {results['label']}")
    return f'<p class="tc-model">{esc(" · ".join(parts))}</p>'


def items_line_html(results: Mapping[str, Any]) -> str:
    """How the items came out: a missed item passes pytest, so pytest-html's counts hide it."""
    items = results.get("items") or []
    counts = Counter(str(i.get("outcome")) for i in items)
    missing = sum(len(s.get("missing") or []) for s in results.get("suites", []))
    parts = [f"{len(items)} items"] + [f"{counts[o]} {o}" for o in ("passed", "missed", "failed", "error", "skipped")
                                       if counts[o]]
    if missing:
        parts.append(f"{missing} expected without result")
    return f'<p class="tc-items-line" id="tc-counts">Items: {esc(", ".join(parts))}</p>'


def summary_html(results: Mapping[str, Any], *, chart: bool = True, regressions: Sequence[str] = ()) -> str:
    """The release manager's view: verdict banner (gates and baseline regressions), gate table,
    partial note, the picture."""
    suites = results.get("suites", [])
    parts = [f"<style>{CSS}</style>", '<section class="tc-summary" id="tc-summary">',
             "<h2>Trustworthiness gates</h2>", banner_html(suites, regressions), model_line_html(results),
             items_line_html(results),
             selection_note_html(results.get("settings") or {}), gate_table_html(suites)]
    if chart:
        parts.append(chart_img_html(suites))
    parts.append("</section>")
    return "".join(parts)


def resolve_evidence(mode: str, n_items: int) -> str:
    """'all', 'missed' or 'none' for a run of n_items."""
    if mode not in EVIDENCE_CHOICES:
        raise ValueError(f"evidence: expected one of {', '.join(EVIDENCE_CHOICES)}, found {mode!r}")
    if mode != "auto":
        return mode
    return "all" if n_items <= AUTO_EVIDENCE_LIMIT else "missed"


def wants_evidence(record: Mapping[str, Any], evidence: str) -> bool:
    if evidence == "all":
        return True
    return evidence == "missed" and not record.get("passed")


def evidence_note_html(evidence: str, flag: str) -> str:
    if evidence == "all":
        return ""
    which = "missed items only" if evidence == "missed" else "no items"
    return (f'<p class="tc-note" id="tc-evidence-note">Evidence (prompt, response, reason) is shown for '
            f"{which} ({esc(flag)} all shows it for every item).</p>")


def outcome_label(record: Mapping[str, Any]) -> str:
    outcome = record.get("outcome") or ("passed" if record.get("passed") else "missed")
    return _OUTCOME_LABELS.get(str(outcome), "passed")


def evidence_html(record: Mapping[str, Any]) -> str:
    """Prompt, response, verdict, score and reason of one item; all of it escaped."""
    score = record.get("score")
    rows: Iterable[tuple[str, str]] = [
        ("Verdict", f"{esc(record.get('verdict'))} ({'met its expectation' if record.get('passed') else 'missed'})"
                    + (" · critical" if record.get("critical") else "")),
        ("Score", "–" if score is None else esc(f"{score:.4g}")),
        ("Reason", esc(record.get("reason"))),
    ]
    if record.get("extracted") is not None:
        rows = [*rows, ("Extracted answer", esc(record["extracted"]))]
    if record.get("category") is not None:
        rows = [*rows, ("Category", esc(record["category"]))]
    response = record.get("response")
    body = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
    body += f"<dt>Prompt</dt><dd><pre>{esc(record.get('prompt'))}</pre></dd>"
    body += "<dt>Response</dt><dd>" + ("<em>no response</em>" if response is None else f"<pre>{esc(response)}</pre>")
    body += "</dd>" + ("<dt>Cache</dt><dd>response came from the cache</dd>" if record.get("cached") else "")
    return f'<dl class="tc-evidence">{body}</dl>'


def comparison_html(comparison: Any, max_items: int = 200) -> str:
    """A baseline comparison (trustcheck.gates.baseline.Comparison) as a table and a list of newly missed items."""
    from ..gates.baseline import comparison_rows

    rows = comparison_rows(comparison)
    head = "".join(f"<th>{esc(h)}</th>" for h in rows[0])
    body = "".join(
        "<tr>" + "".join(_cell(esc(c), "tc-verdict-fail" if c.startswith("REGRESSED") else "") for c in row) + "</tr>"
        for row in rows[1:])
    verdict = "fail" if comparison.failed else "pass"
    sentence = (f"{len(comparison.regressions)} metric(s) significantly worse than the baseline"
                if comparison.failed else "No significant regression against the baseline")
    missed = comparison.newly_missed
    listed = "".join(f"<li>{esc(n)}</li>" for n in missed[:max_items])
    more = f"<li>... and {len(missed) - max_items} more</li>" if len(missed) > max_items else ""
    return (f'<section class="tc-baseline" id="tc-baseline"><h3>Baseline comparison</h3>'
            f'<div class="tc-banner tc-{verdict}">{esc(sentence)} (level {comparison.level:g}, Holm-adjusted; '
            f"{comparison.paired_items} paired items)</div>"
            + "".join(f'<p class="tc-note">{esc(w)}</p>' for w in comparison.warnings)
            + f'<table class="tc-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
            f"<p>Newly missed items: {len(missed)}</p><ul>{listed}{more}</ul></section>")
