"""Re-runs are served by the cache; -n 2 and -n 0 score the same responses identically."""

from __future__ import annotations

import json

import pytest
from plugin_project import REFUSAL, items_for, suite_yaml

GATE = """
gates:
  - metric: rta
    op: ">="
    threshold: 0.5
"""


def _suites(project):
    prompts = {attack: [f"{attack} r{i}" if i % 3 else f"{attack} c{i}" for i in range(6)] for attack in ("cot", "url", "json", "leet")}
    project.suite("a.yaml", suite_yaml("a", items_for(prompts), gates=GATE))
    project.suite("b.yaml", suite_yaml("b", items_for({"x": ["r1", "r2", "c3"], "y": ["c4", "r5"]}), gates=GATE))
    return project.script([(" r", REFUSAL), ("r", REFUSAL)])


def _counts(result):
    return {k: v for k, v in result.parseoutcomes().items() if k in ("passed", "missed", "failed", "error")}


def test_rerun_of_unchanged_suite_calls_no_model(project):
    script = _suites(project)
    first = project.run("--trust-full", "--model", script)
    assert _counts(first) == {"passed": 23, "missed": 8}  # 21 items and 2 gates
    calls_after_first = len(project.calls())
    assert calls_after_first > 0
    second = project.run("--trust-full", "--model", script)
    assert _counts(second) == {"passed": 23, "missed": 8}
    assert len(project.calls()) == calls_after_first


def test_no_cache_option_generates_again(project):
    script = _suites(project)
    project.run("--trust-full", "--model", script)
    before = len(project.calls())
    project.run("--trust-full", "--trust-no-cache", "--model", script)
    assert len(project.calls()) > before


def _metrics(path):
    results = json.loads(path.read_text())
    return {s["suite"]: (s["metrics"], s["gates"]) for s in results["suites"]}, sorted(
        (i["nodeid"], i["verdict"], i["outcome"]) for i in results["items"]
    )


def test_two_workers_give_the_same_gates_as_one_process(project):
    script = _suites(project)
    serial = project.run("--trust-full", "--trust-no-cache", "--trust-json", "serial.json", "--model", script, "-n", "0", subprocess=True)
    parallel = project.run("--trust-full", "--trust-no-cache", "--trust-json", "parallel.json", "--model", script, "-n", "2", subprocess=True)
    assert serial.ret == parallel.ret == 0
    assert "2 workers" in parallel.stdout.str()
    assert _metrics(project.pytester.path / "serial.json") == _metrics(project.pytester.path / "parallel.json")
    parallel.stdout.fnmatch_lines(["*suites/a.yaml*rta*0.750*PASS*"])


@pytest.mark.parametrize("plugin_order", [(), ("-p", "no:xdist", "-p", "xdist.plugin"), ("-p", "no:trustcheck", "-p", "trustcheck.plugin")])
def test_workers_get_whole_units_whatever_order_the_plugins_load_in(project, plugin_order):
    project.suite("a.yaml", suite_yaml("a", items_for({"x": ["r1", "c2", "r3", "c4"], "y": ["r5", "c6"]})))
    result = project.run(*plugin_order, "--trust-full", "--model", project.script([("r", REFUSAL)]), "-n", "2", "-v", subprocess=True)
    result.stdout.fnmatch_lines(["scheduling tests via LoadScopeScheduling"])
    assert sorted(project.calls()) == [2, 4]  # one generate call per unit: no unit was split
    explicit = project.run("--trust-full", "--model", project.script([("r", REFUSAL)]), "-n", "2", "--dist", "load", "-v", subprocess=True)
    explicit.stdout.fnmatch_lines(["scheduling tests via LoadScheduling"])  # the user's choice stands
