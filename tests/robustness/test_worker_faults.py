"""A pytest-xdist worker that dies mid-generation, or Ctrl-C: the results so far are kept and the
gates say what is missing."""

from __future__ import annotations

import contextlib
import json
import signal
from collections.abc import Iterator

import pytest
from plugin_project import REFUSAL, items_for, suite_yaml

GATE = """
gates:
  - metric: rta
    op: ">="
    threshold: 0.5
"""


def _script(project, **extra) -> str:
    path = project.pytester.path / "script.json"
    path.write_text(json.dumps({"rules": [["r", REFUSAL]], "default": "Sure.", "log": str(project.log), **extra}))
    return f"scripted:{path}"


def _suites(project, doomed: str, at: int = 1) -> None:
    prompts = {attack: [f"{attack} r{i}" for i in range(3)] for attack in ("cot", "url", "json", "leet")}
    prompts["url"][at] = f"url r{at} {doomed}"
    project.suite("a.yaml", suite_yaml("a", items_for(prompts), gates=GATE))
    project.suite("b.yaml", suite_yaml("b", items_for({"x": ["r1", "r2"], "y": ["r3"]}), gates=GATE))


def _run(project, script: str, restarts: str):
    return project.run(
        "--trust-full", "--trust-json", "results.json", "--model", script,
        "-n", "2", "--max-worker-restart", restarts, subprocess=True,
    )


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _suites_in(project) -> dict:
    results = json.loads((project.pytester.path / "results.json").read_text())
    return {s["suite"]: s for s in results["suites"]}


def test_a_worker_that_dies_once_is_replaced_and_no_result_is_lost(project):
    _suites(project, "die-once")
    flag = project.pytester.path / "died.flag"

    result = _run(project, _script(project, exit_on=[["die-once", str(flag)]]), "2")

    assert flag.exists(), "the backend never died: the test proves nothing"
    result.stdout.fnmatch_lines(["*replacing crashed worker*", "worker 'gw*' crashed while running 'suites/a.yaml::url::*'"])
    # --dist loadscope hands the dead worker's unfinished scope, crashed item included, to its
    # replacement: every item still gets its result and the gates are whole.
    suites = _suites_in(project)
    assert [(s["n_items"], s["missing"]) for s in suites.values()] == [(12, []), (3, [])]
    result.stdout.fnmatch_lines(["*suites/a.yaml*rta*1.000*12*PASS*", "*suites/b.yaml*rta*1.000*3*PASS*"])
    assert result.ret == 1  # the crash itself stays visible as a failure


def test_a_worker_that_keeps_dying_loses_only_its_items_and_the_gate_table_names_them(project):
    _suites(project, "die-always")

    result = _run(project, _script(project, exit_on=[["die-always", None]]), "1")

    output = result.stdout.str()
    assert "crashed while running" in output and "INTERNALERROR" not in output
    suites = _suites_in(project)
    lost = suites["suites/a.yaml"]["missing"]
    assert lost and all(nodeid.startswith("suites/a.yaml::url::") for nodeid in lost)
    assert suites["suites/a.yaml"]["n_items"] + len(lost) == 12
    assert suites["suites/b.yaml"]["missing"] == [] and suites["suites/b.yaml"]["n_items"] == 3
    assert [g["partial"] for g in suites["suites/a.yaml"]["gates"]] == [True]
    assert [g["partial"] for g in suites["suites/b.yaml"]["gates"]] == [False]
    result.stdout.fnmatch_lines([
        "*suites/b.yaml*rta*1.000*3*PASS*",
        f"note: suites/a.yaml: {len(lost)} of 12 selected items have no result (skipped, errors or lost workers): {lost[0]}*",
    ])
    assert result.ret == 1


def test_ctrl_c_mid_run_keeps_the_results_and_responses_so_far_and_names_the_rest(project):
    _suites(project, "interrupt-here", at=2)

    # Units of four in run order: cot r0-r2 with url r0, then url r1, url r2 (the interrupt), json r0, json r1.
    options = ("--trust-full", "--trust-batch-size", "4", "--trust-json", "results.json")
    # The child inherits SIGINT ignored, as it does when a runner starts the tests in the background:
    # the interrupt must still fire. (In-process, the Ctrl-C would stop this session too.)
    with _sigint_ignored():
        result = project.run(*options, "--model", _script(project, interrupt_on=["interrupt-here"]), subprocess=True)

    assert result.ret == pytest.ExitCode.INTERRUPTED
    suite = _suites_in(project)["suites/a.yaml"]
    assert suite["n_items"] == 4 and len(suite["missing"]) == 8  # the first unit finished, across two categories
    assert [g["partial"] for g in suite["gates"]] == [True]
    result.stdout.fnmatch_lines(["*suites/a.yaml*rta*1.000*4*PASS*", "note: suites/a.yaml: 8 of 12 selected items have no result*", "*KeyboardInterrupt*"])
    interrupted_calls = len(project.calls())

    rerun = project.run(*options, "--model", _script(project))

    assert rerun.ret == 0
    # url r1 was answered in the interrupted call before the interrupt: it came from the cache.
    assert project.calls()[interrupted_calls:] == [3, 4, 3]
    assert "url r1" not in project.batches()[interrupted_calls]["prompts"]
