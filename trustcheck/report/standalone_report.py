"""A self-contained HTML report rendered from a results file, without pytest.

One page: the verdict banner, the gate table, the overview picture, an optional baseline
comparison, then one collapsible section per suite listing its items (missed ones first, with
their evidence). No script and a Content-Security-Policy that forbids scripts, so nothing a
model wrote can run even if it slipped past escaping.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..common.credentials import redact_spec
from .html_parts import (
    CSS,
    comparison_html,
    esc,
    evidence_html,
    evidence_note_html,
    outcome_label,
    resolve_evidence,
    summary_html,
    wants_evidence,
)

_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
_PAGE_CSS = """
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:16px 24px;color:#212121}
details.tc-suite{border:1px solid #ddd;border-radius:4px;margin:6px 0;padding:4px 8px}
details.tc-suite>summary{cursor:pointer;font-weight:bold}
details.tc-item>summary{cursor:pointer}
.tc-outcome-MISSED,.tc-outcome-FAILED,.tc-outcome-ERROR{color:#b71c1c;font-weight:bold}
"""
_NOT_PASSED_FIRST = {"FAILED": 0, "ERROR": 1, "MISSED": 2, "SKIPPED": 3, "passed": 4}


def _item_row(record: Mapping[str, Any], evidence: str) -> str:
    status = outcome_label(record)
    score = record.get("score")
    name = esc(record.get("item"))
    if wants_evidence(record, evidence):
        name = f'<details class="tc-item"><summary>{name}</summary>{evidence_html(record)}</details>'
    return (f'<tr><td>{name}</td><td class="tc-outcome-{esc(status)}">{esc(status)}</td>'
            f'<td>{esc(record.get("verdict"))}</td><td class="tc-num">{"–" if score is None else esc(f"{score:.4g}")}'
            f'</td><td>{esc(record.get("category"))}</td></tr>')


def _suite_section(suite: Mapping[str, Any], records: Sequence[Mapping[str, Any]], evidence: str) -> str:
    ordered = sorted(records, key=lambda r: (_NOT_PASSED_FIRST.get(outcome_label(r), 5), r.get("nodeid", "")))
    not_passed = sum(1 for r in records if outcome_label(r) != "passed")
    missing = suite.get("missing") or []
    gates = suite.get("gates") or []
    failing = sum(1 for g in gates if g.get("verdict") == "fail")
    heading = (f"{suite.get('name')} ({suite.get('dimension')}): {len(records)} items, {not_passed} not passed"
               + (f", {len(missing)} without result" if missing else "")
               + (f"; {failing} of {len(gates)} gates fail" if failing else ""))
    head = "<tr><th>Item</th><th>Outcome</th><th>Verdict</th><th>Score</th><th>Category</th></tr>"
    rows = "".join(_item_row(r, evidence) for r in ordered)
    lost = "".join(f"<li>{esc(n)}</li>" for n in missing)
    lost_html = f"<p>Expected but without result:</p><ul>{lost}</ul>" if missing else ""
    return (f'<details class="tc-suite"{" open" if failing else ""}><summary>{esc(heading)}</summary>'
            f'<p>{esc(suite.get("suite"))}</p>{lost_html}'
            f'<table class="tc-table tc-items"><thead>{head}</thead><tbody>{rows}</tbody></table></details>')


def _items_by_suite(items: Iterable[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    grouped: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for record in items:
        grouped[str(record.get("suite"))].append(record)
    return grouped


def render_report(results: Mapping[str, Any], *, evidence: str = "auto", comparison: Any = None,
                  title: str | None = None) -> str:
    """The whole page as a string; `evidence` is auto, all, missed or none."""
    items = results.get("items", [])
    mode = resolve_evidence(evidence, len(items))
    model = results.get("model") or {}
    title = title or f"trustcheck report: {redact_spec(str(model.get('display_name') or model.get('spec', 'model')))}"
    grouped = _items_by_suite(items)
    sections = [_suite_section(suite, grouped.pop(str(suite.get("suite")), []), mode)
                for suite in results.get("suites", [])]
    sections += [_suite_section({"suite": path, "name": path, "dimension": "?"}, records, mode)
                 for path, records in sorted(grouped.items())]
    parts = [
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>",
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}"/>',
        f"<title>{esc(title)}</title><style>{CSS}{_PAGE_CSS}</style></head><body>",
        f'<h1 id="tc-title">{esc(title)}</h1>',
        f'<p>Results created {esc(results.get("created"))}.</p>',
        summary_html(results),
        comparison_html(comparison) if comparison is not None else "",
        '<section id="tc-items"><h2>Items</h2>',
        evidence_note_html(mode, "--evidence"),
        *sections,
        "</section></body></html>\n",
    ]
    return "".join(parts)


def write_report(results: Mapping[str, Any], out: str | Path, **options: Any) -> int:
    """Write the page; returns its size in bytes."""
    data = render_report(results, **options).encode("utf-8")
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return len(data)
