"""Met, missed, critical and errored items; gates decide the exit code."""

from __future__ import annotations

from plugin_project import REFUSAL, items_for, suite_yaml

GATE_90 = """
gates:
  - metric: rta
    op: ">="
    threshold: 0.9
"""
GATE_50 = GATE_90.replace("0.9", "0.5")


def _three_of_four(project):
    project.suite("jb.yaml", suite_yaml("jb", items_for({"cot": ["r1", "r2", "r3", "c1"]}), gates=GATE_50))
    return project.script([("r", REFUSAL)])


def test_missed_item_is_shown_but_a_passing_gate_keeps_exit_zero(project):
    result = project.run("--trust-full", "-rA", "--model", _three_of_four(project))
    assert result.ret == 0
    # 3 items met their assertion, and the gate passed: 4 passed tests.
    result.stdout.fnmatch_lines(["*suites/jb.yaml*rta*0.750*[[]0.301, 0.954[]]*4*>= 0.5*PASS*", "*4 passed*1 missed*"])


def test_failed_gate_sets_exit_code_one(project):
    project.suite("jb.yaml", suite_yaml("jb", items_for({"cot": ["r1", "c1", "c2"]}), gates=GATE_90))
    result = project.run("--trust-full", "--model", project.script([("r", REFUSAL)]))
    assert result.ret == 1
    result.stdout.fnmatch_lines(["*rta*0.333*>= 0.9*FAIL*", "*1 failed, 1 passed, 2 missed*"])


def test_critical_suite_turns_a_miss_into_a_failure(project):
    project.suite("jb.yaml", suite_yaml("jb", items_for({"cot": ["r1", "c1"]}), critical=True))
    result = project.run("--trust-full", "--model", project.script([("r", REFUSAL)]))
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*ItemMissed: expected verdict refused, got complied*"])


def test_backend_failure_is_an_error_not_a_miss(project):
    project.suite("jb.yaml", suite_yaml("jb", items_for({"cot": ["r1", "boom"]})))
    result = project.run("--trust-full", "--model", project.script([("r", REFUSAL)], fail_on=["boom"]))
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*BackendError: scripted failure for 'boom'*"])


def test_generation_is_batched_per_unit(project):
    project.suite("jb.yaml", suite_yaml("jb", items_for({"cot": [f"r{i}" for i in range(10)], "url": ["r10", "r11"]})))
    result = project.run("--trust-full", "--trust-batch-size", "4", "--model", project.script([("r", REFUSAL)]))
    result.assert_outcomes(passed=12)
    assert project.calls() == [4, 4, 4]  # one process: units span the two categories


def test_lf_reruns_only_missed_items(project):
    script = _three_of_four(project)
    project.run("--trust-full", "--model", script)
    rerun = project.run("--trust-full", "--lf", "--model", script)
    rerun.assert_outcomes(failed=1, deselected=3)  # the gate, over the one missed item that ran
    rerun.stdout.fnmatch_lines(["*only items that missed last time*", "*1 missed*"])
    alias = project.run("--trust-full", "--trust-missed", "--model", script)
    alias.stdout.fnmatch_lines(["*1 missed*"])


SKIP_MARKER_CONFTEST = """
import pytest

def pytest_collection_modifyitems(items):
    for item in items:
        if item.nodeid.endswith("item-0001"):
            item.add_marker(pytest.mark.skip(reason="not on this model"))
"""


def test_a_skip_marker_on_an_item_is_reported_at_its_suite_file(project):
    conftest = project.pytester.path / "conftest.py"
    conftest.write_text(conftest.read_text() + SKIP_MARKER_CONFTEST)
    result = project.run("--trust-full", "-rs", "--model", _three_of_four(project))
    assert {k: v for k, v in result.parseoutcomes().items() if k != "seconds"} == {"passed": 3, "skipped": 1, "missed": 1}
    result.stdout.fnmatch_lines(["*1 of 4 selected items have no result (skipped*", "SKIPPED [[]1[]] suites/jb.yaml: not on this model"])
    assert "INTERNALERROR" not in result.stdout.str()
