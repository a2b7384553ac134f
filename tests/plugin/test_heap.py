"""The collected tree is frozen away from the garbage collector during a run, and given back after."""

from __future__ import annotations

import gc

from plugin_project import items_for, suite_yaml

FREEZE_PROBE = """
import gc
FROZEN = []

def pytest_runtest_call(item):
    FROZEN.append(gc.get_freeze_count())

def pytest_sessionfinish(session):
    session.config.frozen_during_items = list(FROZEN)
"""


def _run(project, *args):
    (project.pytester.path / "conftest.py").write_text((project.pytester.path / "conftest.py").read_text() + FREEZE_PROBE)
    project.suite("a.yaml", suite_yaml("a", items_for({"cot": ["r1", "c2", "r3"]})))
    return project.run("--trust-full", "--model", project.script([("r", "I'm sorry, I can't.")]), *args)


def test_items_run_frozen_and_the_heap_is_unfrozen_after_the_session(project):
    assert gc.get_freeze_count() == 0
    result = _run(project)
    assert result.parseoutcomes()["passed"] == 2
    recorded = result.reprec.getcalls("pytest_sessionfinish")[0].session.config.frozen_during_items
    assert len(recorded) == 3 and all(count > 0 for count in recorded)
    assert gc.get_freeze_count() == 0


def test_a_heap_frozen_by_somebody_else_stays_frozen(project):
    gc.freeze()
    try:
        _run(project)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_a_run_without_benchmark_items_leaves_the_collector_alone(pytester):
    pytester.makepyfile(test_plain="import gc\n\ndef test_plain():\n    assert gc.get_freeze_count() == 0\n")
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=1)
    assert gc.get_freeze_count() == 0
