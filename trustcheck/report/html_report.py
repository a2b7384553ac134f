"""pytest-html integration: the gate summary, the overview picture and per-item evidence.

The core plugin wires it in two calls:

    html_report.add_options(parser)                            # in pytest_addoption
    html_report.register(config, get_results, get_comparison)  # in pytest_configure

`get_results()` is called once, when pytest-html writes the report at the end of the session on
the controller, and returns the results dict (the --trust-json shape: `suites`, `settings`,
`model`, `dataset` are read; `items` is not needed) or None. `get_comparison()` (optional)
returns a `trustcheck.gates.baseline.Comparison` or None. Evidence is attached on the controller from
the record in each call report's `user_properties`, so `-n` gives the same report as a serial run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest

from ..gates.aggregate import record_of
from .gate_reports import gate_verdict
from .html_parts import (
    comparison_html,
    esc,
    evidence_html,
    evidence_note_html,
    outcome_label,
    resolve_evidence,
    summary_html,
    wants_evidence,
)

PLUGIN_NAME = "trustcheck-html"
EVIDENCE_FLAG = "--trust-html-evidence"

ResultsGetter = Callable[[], "Mapping[str, Any] | None"]
ComparisonGetter = Callable[[], Any]


def item_extras(record: Mapping[str, Any], evidence: str = "all") -> list[dict[str, Any]]:
    """pytest-html extras for one item: one escaped HTML block, or nothing."""
    if not wants_evidence(record, evidence):
        return []
    from pytest_html import extras

    return [extras.html(evidence_html(record))]


def verdict_cell(report: Any) -> str:
    record = record_of(report)
    gate = gate_verdict(report)
    if gate is not None:
        css = "col-verdict" if gate.endswith(" PASS") else "col-verdict tc-not-passed"
        return f'<td class="{css}">{esc(gate)}</td>'
    if record is None:
        failed_outside_call = getattr(report, "when", "call") != "call" and getattr(report, "failed", False)
        return f'<td class="col-verdict">{"error" if failed_outside_call else ""}</td>'
    status = outcome_label(record)
    label = str(record.get("verdict", ""))
    if status == "passed":
        return f'<td class="col-verdict">{esc(label)}</td>'
    return f'<td class="col-verdict tc-not-passed">{esc(f"{status}: {label}")}</td>'


class HtmlReportPlugin:
    """Registered on the controller when pytest-html writes a report."""

    def __init__(self, get_results: ResultsGetter, evidence: str = "auto",
                 get_comparison: ComparisonGetter | None = None) -> None:
        resolve_evidence(evidence, 0)  # rejects an unknown mode now, not at the first item
        self._get_results = get_results
        self._get_comparison = get_comparison
        self._mode = evidence
        self._session: pytest.Session | None = None
        self._evidence: str | None = None
        self._report_data: Any = None
        self._missed_rows = 0

    @property
    def evidence(self) -> str:
        """The resolved mode; 'auto' is settled once the number of collected items is known."""
        if self._evidence is None:
            collected = self._session.testscollected if self._session is not None else 0
            self._evidence = resolve_evidence(self._mode, collected)
        return self._evidence

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self._session = session

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when != "call":
            return
        record = record_of(report)
        if record is not None:
            report.extras = list(getattr(report, "extras", [])) + item_extras(record, self.evidence)

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_table_header(self, cells: list[str]) -> None:
        cells.insert(2, '<th class="sortable" data-column-type="verdict">Verdict</th>')

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_report_title(self, report: Any) -> None:
        self._report_data = report  # its outcome counters, corrected for missed items at the end

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_table_row(self, report: Any, cells: list[str]) -> None:
        cells.insert(2, verdict_cell(report))
        record = record_of(report)
        if record is not None and report.passed and not record.get("passed", True) and cells[0].startswith('<td class="col-result">'):
            # A missed item passed pytest, but it is not a green "Passed": it is a tolerated
            # failure, which pytest-html knows as an expected failure (orange, its own filter).
            cells[0] = '<td class="col-result">XFailed</td>'
            self._missed_rows += 1

    def _count_missed_rows(self) -> None:
        """Move the missed rows from pytest-html's "Passed" counter to the one they show under."""
        outcomes = getattr(self._report_data, "outcomes", None)
        if not self._missed_rows or not isinstance(outcomes, dict) or not {"passed", "xfailed"} <= outcomes.keys():
            return
        outcomes["passed"]["value"] -= self._missed_rows
        outcomes["xfailed"]["value"] += self._missed_rows
        outcomes["xfailed"]["label"] = "Missed or expected failures"
        self._missed_rows = 0

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_summary(self, prefix: list[str], summary: list[str], postfix: list[str],
                                    session: pytest.Session) -> None:
        self._count_missed_rows()
        results = self._get_results()
        comparison = self._get_comparison() if self._get_comparison is not None else None
        regressions = [f"{m.suite} {m.metric}" for m in comparison.regressions] if comparison is not None else []
        if results is not None:
            prefix.append(summary_html(results, regressions=regressions))
        if comparison is not None:
            prefix.append(comparison_html(comparison))
        prefix.append(evidence_note_html(self.evidence, EVIDENCE_FLAG))


def register(config: pytest.Config, get_results: ResultsGetter,
             get_comparison: ComparisonGetter | None = None) -> HtmlReportPlugin | None:
    """Register the integration where this process writes a pytest-html report; else do nothing.

    Safe to call on xdist workers and without pytest-html: it returns None there.
    """
    if hasattr(config, "workerinput") or not config.pluginmanager.hasplugin("html"):
        return None
    if not config.getoption("htmlpath", None):
        return None
    existing = config.pluginmanager.get_plugin(PLUGIN_NAME)
    if existing is not None:
        return existing
    evidence = config.getoption("trust_html_evidence", None) or "auto"  # None: the core plugin did not fill it in
    plugin = HtmlReportPlugin(get_results, evidence, get_comparison)
    config.pluginmanager.register(plugin, PLUGIN_NAME)
    return plugin
