"""The controller side: collects item records from reports (with or without xdist) and scores suites."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from ..common.errors import TrustcheckError
from ..metrics.base import Record
from ..suite.suite import Suite
from ..suite.suite_files import load_any_suite
from .gates import SuiteOutcome, score_suite

RECORD_KEY = "trustcheck"


def record_of(report: pytest.TestReport) -> Record | None:
    """The item record in a call report; entries arrive as lists after crossing execnet."""
    for entry in getattr(report, "user_properties", ()):
        if len(entry) == 2 and entry[0] == RECORD_KEY and isinstance(entry[1], dict):
            return entry[1]
    return None


def outcome_of(report: pytest.TestReport, record: Record | None) -> str:
    if report.skipped:
        return "skipped"
    if report.failed:
        return "failed" if report.when == "call" else "error"
    if record is not None and not record.get("passed", True):
        return "missed"
    return "passed"


class Aggregator:
    """Listens to every test report on the controller; scores each suite after the run."""

    def __init__(self, rootpath: Path) -> None:
        self.rootpath = rootpath
        self.records: dict[str, dict[str, Record]] = {}
        self.outcomes: dict[str, str] = {}
        self.selected: set[str] = set()
        self.errors: dict[str, str] = {}
        self._suites: dict[str, Suite] = {}

    def add_selected(self, nodeids: Iterable[str]) -> None:
        self.selected.update(n for n in nodeids if is_suite_node(n))

    def add_report(self, report: pytest.TestReport) -> None:
        record = record_of(report)
        if record is not None:
            self.records.setdefault(record["suite"], {})[report.nodeid] = {**record, "outcome": outcome_of(report, record)}
        if is_suite_node(report.nodeid) and (report.when == "call" or report.failed or report.skipped):
            self.outcomes[report.nodeid] = outcome_of(report, record)

    def suite(self, path: str) -> Suite | None:
        if path not in self._suites:
            try:
                self._suites[path] = load_any_suite(self.rootpath / path, path)
            except TrustcheckError as error:
                self.errors[path] = str(error)
                return None
        return self._suites[path]

    def score(self, mode: str, gate_overrides=None) -> list[SuiteOutcome]:
        outcomes = []
        selected_by_suite: dict[str, set[str]] = {}
        for nodeid in self.selected:
            selected_by_suite.setdefault(nodeid.split("::", 1)[0], set()).add(nodeid)
        for path in sorted(set(self.records) | set(selected_by_suite)):
            suite = self.suite(path)
            if suite is None:
                continue
            records = list(self.records.get(path, {}).values())
            gates = gate_overrides(suite) if gate_overrides else None
            outcome = score_suite(suite, records, mode, gates)
            expected = selected_by_suite.get(path, set())
            outcome.expected = len(expected)
            outcome.missing = sorted(expected - set(self.records.get(path, {})))
            outcomes.append(outcome)
        return outcomes

    def all_records(self) -> list[dict[str, Any]]:
        return [record for path in sorted(self.records) for _, record in sorted(self.records[path].items())]


def is_suite_node(nodeid: str) -> bool:
    head = nodeid.split("::", 1)[0]
    return head.endswith((".yaml", ".yml"))
