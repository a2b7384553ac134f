"""Gates as pytest results: one test report per gate (and per metric significantly worse than a
`--trust-baseline`), sent through pytest's own reporting hooks.

The reports are built on the controller after the run loop, from the suite outcomes the item
reports produced, so `-n 4` reports the same gates as `-n 0`. They go through
`pytest_runtest_logstart/logreport/logfinish` like any test's, so the terminal's final line,
`-r`, JUnit XML and pytest-html count them. They are never collected items: `-k`, `--lf` and
`--dist load` see only benchmark items.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ..gates.gates import GateResult, SuiteOutcome, describe_value

GATE_PROPERTY = "trustcheck.gate"


@dataclass(frozen=True)
class GateTest:
    """One gate as a test: its node id, the suite it belongs to and its result."""

    nodeid: str
    suite_path: str
    suite_name: str
    gate: GateResult
    partial: str  # why the selection was partial, or ""

    @property
    def name(self) -> str:
        return self.nodeid.split("::", 1)[1]

    @property
    def verdict(self) -> str:
        return self.gate.verdict

    def properties(self) -> list[tuple[str, object]]:
        result = self.gate.result
        return [
            (GATE_PROPERTY, self.gate.gate.metric),
            ("trustcheck.verdict", self.gate.verdict),
            ("trustcheck.value", result.value),
            ("trustcheck.low", result.low),
            ("trustcheck.high", result.high),
            ("trustcheck.n", result.n),
            ("trustcheck.threshold", f"{self.gate.gate.op} {self.gate.gate.threshold:g}"),
        ]

    def message(self) -> str:
        """One line: what was decided on, against what, and why it failed or has no data."""
        gate = self.gate
        head = f"{gate.gate.metric} = {describe_value(gate.result)}, threshold {gate.gate.op} {gate.gate.threshold:g}"
        tail = f" (partial selection: {self.partial})" if self.partial else ""
        if gate.verdict == "pass":
            return head + tail
        return f"{head}: {gate.reason or gate.verdict}{tail}"


def gate_test_name(gate: GateResult) -> str:
    """`gate[rta>=0.813]`, `gate[rta[leetspeak]>=0.9]`: the metric (with its group), op, threshold."""
    return f"gate[{gate.gate.metric}{gate.gate.op}{gate.gate.threshold:g}]"


@dataclass(frozen=True)
class RegressionTest:
    """A metric significantly worse than in the baseline results: a failed test of its own."""

    nodeid: str
    suite_path: str
    suite_name: str
    comparison: Any  # trustcheck.gates.baseline.MetricComparison

    @property
    def name(self) -> str:
        return self.nodeid.split("::", 1)[1]

    @property
    def verdict(self) -> str:
        return "fail"

    def properties(self) -> list[tuple[str, object]]:
        m = self.comparison
        return [(GATE_PROPERTY, f"baseline {m.metric}"), ("trustcheck.verdict", "fail"), ("trustcheck.baseline", m.baseline),
                ("trustcheck.value", m.current), ("trustcheck.n", m.paired_n), ("trustcheck.p_adjusted", m.p_adjusted)]

    def message(self) -> str:
        m = self.comparison
        values = " -> ".join("-" if v is None else f"{v:.3f}" for v in (m.baseline, m.current))
        p = "-" if m.p_adjusted is None else f"{m.p_adjusted:.3g}"
        return f"{m.metric} {values} on {m.paired_n} paired items: significantly worse than the baseline ({m.test}, Holm-adjusted p {p})"


def regression_tests(comparison: Any, outcomes: Sequence[SuiteOutcome]) -> list[RegressionTest]:
    """`suites/x.yaml::baseline[rta]` for each regressed metric of a suite in this run."""
    paths = {outcome.suite.name: outcome.suite.path for outcome in outcomes}
    return [
        RegressionTest(f"{paths[m.suite]}::baseline[{m.metric}]", paths[m.suite], m.suite, m)
        for m in (comparison.regressions if comparison is not None else ())
        if m.suite in paths
    ]


def gate_tests(outcomes: Sequence[SuiteOutcome], partial_reasons: Sequence[str]) -> list[GateTest]:
    """A unique node id per gate: a second gate of the same spelling gets `-2`, `-3`."""
    tests = []
    for outcome in outcomes:
        seen: dict[str, int] = {}
        partial = "; ".join(partial_reasons) or (f"{len(outcome.missing)} selected items without result" if outcome.missing else "")
        for gate in outcome.gates:
            name = gate_test_name(gate)
            seen[name] = seen.get(name, 0) + 1
            if seen[name] > 1:
                name = f"{name[:-1]}-{seen[name]}]"
            nodeid = f"{outcome.suite.path}::{name}"
            tests.append(GateTest(nodeid, outcome.suite.path, outcome.suite.name, gate, partial))
    return tests


def gates_line(path: Path) -> int | None:
    """The 1-based line of a suite file's `gates:` key, where a skipped gate is reported."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    return next((number for number, line in enumerate(lines, 1) if line.startswith("gates:")), None)


def gate_reports(test: GateTest | RegressionTest, rootpath: Path) -> Iterator[pytest.TestReport]:
    """Setup, call and teardown reports, as a real test has; the call report carries the verdict."""
    location = (test.suite_path, None, f"{test.suite_name}::{test.name}")
    properties = test.properties()
    verdict = test.verdict
    outcome = {"pass": "passed", "fail": "failed"}.get(verdict, "skipped")
    longrepr: object = None
    if outcome == "failed":
        longrepr = test.message()
    elif outcome == "skipped":
        path = rootpath / test.suite_path
        longrepr = (str(path), gates_line(path), f"no data: {test.message()}")
    keywords = {test.name: 1, "trustcheck_gate": 1}
    for when, this_outcome, this_longrepr in (("setup", "passed", None), ("call", outcome, longrepr), ("teardown", "passed", None)):
        yield pytest.TestReport(
            nodeid=test.nodeid,
            location=location,  # type: ignore[arg-type]
            keywords=keywords,
            outcome=this_outcome,  # type: ignore[arg-type]
            longrepr=this_longrepr,  # type: ignore[arg-type]
            when=when,  # type: ignore[arg-type]
            sections=[],
            duration=0.0,
            start=0.0,
            stop=0.0,
            user_properties=properties,
        )


def is_gate_report(report: object) -> bool:
    return any(len(entry) == 2 and entry[0] == GATE_PROPERTY for entry in getattr(report, "user_properties", ()))


def gate_verdict(report: object) -> str | None:
    """`gate PASS`, `gate FAIL`, `gate NO-DATA` or `baseline FAIL` for a gate's report; None for others."""
    if not is_gate_report(report):
        return None
    properties = dict(report.user_properties)  # type: ignore[attr-defined]
    kind = "baseline" if str(properties.get(GATE_PROPERTY)).startswith("baseline ") else "gate"
    return f"{kind} {str(properties.get('trustcheck.verdict')).upper()}"


def emit_gate_reports(session: pytest.Session, tests: Sequence[GateTest | RegressionTest]) -> None:
    """Send each gate's reports through the hooks every reporter listens to.

    The run is over: a failed gate must not read as `-x` stopping it (maxfail is off meanwhile),
    and a gate is no test to re-run or step to: `--lf` and `--sw` do not hear of it.
    """
    config = session.config
    hook = config.hook
    rerun_plugins = [config.pluginmanager.get_plugin(name) for name in ("lfplugin", "stepwiseplugin")]
    logreport = config.pluginmanager.subset_hook_caller("pytest_runtest_logreport", [p for p in rerun_plugins if p])
    maxfail = config.option.maxfail
    config.option.maxfail = 0
    for test in tests:
        hook.pytest_runtest_logstart(nodeid=test.nodeid, location=(test.suite_path, None, test.name))
        for report in gate_reports(test, Path(config.rootpath)):
            logreport(report=report)
        hook.pytest_runtest_logfinish(nodeid=test.nodeid, location=(test.suite_path, None, test.name))
    config.option.maxfail = maxfail
