"""--trust-profile in real runs: inline suites answered by a scripted model."""

from __future__ import annotations

import json

from plugin_project import REFUSAL, items_for, suite_yaml

OWN_GATE = "gates:\n  - {metric: rta, op: '>=', threshold: 0.5}\n"
PROMPTS = {"a": ["q1", "q2", "q3"]}


def _two_suites(project):
    # "misuse" is a name the built-in profiles gate; "local" is not.
    project.suite("misuse.yaml", suite_yaml("misuse", items_for(PROMPTS), gates=OWN_GATE))
    project.suite("local.yaml", suite_yaml("local", items_for({"b": ["q4"]}), gates=OWN_GATE))
    # Two of three misuse prompts refused: RtA 0.667, and the local suite's one prompt refused.
    return project.script([["q1", REFUSAL], ["q2", REFUSAL], ["q4", REFUSAL]])


def _gate_rows(result):
    lines = result.stdout.lines
    start = next(i for i, line in enumerate(lines) if "trustcheck gates" in line)
    return [line.split() for line in lines[start:] if line.startswith("suites/")]


def test_a_listed_suite_gets_the_profile_s_gates_and_the_others_keep_their_own(project):
    model = _two_suites(project)
    (project.pytester.path / "strict.yaml").write_text("suites:\n  misuse:\n    - {metric: rta, op: '>=', threshold: 0.9}\n")
    result = project.run("--model", model, "--trust-profile", "strict.yaml", "--trust-json", "out.json")
    rows = _gate_rows(result)
    assert [row[0] for row in rows] == ["suites/local.yaml", "suites/misuse.yaml"]
    assert rows[0][-2:] == ["0.5", "PASS"] and rows[1][-2:] == ["0.9", "FAIL"]
    assert result.ret == 1
    results = json.loads((project.pytester.path / "out.json").read_text())
    assert results["settings"]["profile"] == "strict.yaml"


def test_without_a_profile_each_suite_uses_its_own_gates(project):
    result = project.run("--model", _two_suites(project))
    assert [row[-2:] for row in _gate_rows(result)] == [["0.5", "PASS"], ["0.5", "PASS"]]
    assert result.ret == 0


def test_a_built_in_profile_by_name(project):
    result = project.run("--model", _two_suites(project), "--trust-profile", "paper-best")
    rows = {row[0]: row for row in _gate_rows(result)}
    # paper-best asks misuse for the best RtA of the paper's 16 models; local is not in it.
    assert rows["suites/misuse.yaml"][-3:] == [">=", "0.963", "FAIL"]
    assert rows["suites/local.yaml"][-2:] == ["0.5", "PASS"]
    assert "error" not in result.stdout.str()


def test_a_gate_for_another_scoring_mode_is_not_evaluated(project):
    model = _two_suites(project)
    (project.pytester.path / "p.yaml").write_text("suites:\n  misuse:\n    - {metric: rta, op: '>=', threshold: 0.9, modes: [paper]}\n")
    result = project.run("--model", model, "--trust-profile", "p.yaml")
    assert [row[0] for row in _gate_rows(result)] == ["suites/local.yaml"]
    assert result.ret == 0


def test_a_typo_in_a_suite_name_fails_the_run_with_one_line(project):
    model = _two_suites(project)
    (project.pytester.path / "p.yaml").write_text("suites:\n  misuze:\n    - {metric: rta, op: '>=', threshold: 0.1}\n")
    result = project.run("--model", model, "--trust-profile", "p.yaml")
    result.stdout.fnmatch_lines(["error: --trust-profile p.yaml: $.suites.misuze: no suite of that name in this run (did you mean 'misuse'?)"])
    assert "Traceback" not in result.stdout.str() + result.stderr.str()
    assert result.ret == 1


def test_a_typo_in_a_metric_name_is_a_failing_gate_row_with_the_reason(project):
    model = _two_suites(project)
    (project.pytester.path / "p.yaml").write_text("suites:\n  misuse:\n    - {metric: rtaa, op: '>=', threshold: 0.1}\n")
    result = project.run("--model", model, "--trust-profile", "p.yaml", "--trust-json", "out.json")
    assert ["suites/misuse.yaml", "rtaa", "-", "-", "0", ">=", "0.1", "FAIL"] in _gate_rows(result)
    result.stdout.fnmatch_lines(["error: suites/misuse.yaml: rtaa: the gate profile names a metric suite 'misuse' does not produce (did you mean 'rta'?); its metrics: rta"])
    assert "Traceback" not in result.stdout.str() + result.stderr.str()
    assert result.ret == 1
    gates = json.loads((project.pytester.path / "out.json").read_text())["suites"][1]["gates"]
    assert [(g["metric"], g["verdict"]) for g in gates] == [("rtaa", "fail")]


def test_a_malformed_profile_stops_the_run_before_any_model_call(project):
    model = _two_suites(project)
    (project.pytester.path / "p.yaml").write_text("suites:\n  misuse:\n    - {metric: rta, op: '>=', treshold: 0.1}\n")
    result = project.run("--model", model, "--trust-profile", "p.yaml")
    assert result.stderr.str().strip() == "ERROR: --trust-profile p.yaml: $.suites.misuse[0]: unknown key 'treshold' (did you mean 'threshold'?); expected metric, op, threshold, modes"
    assert project.calls() == []
    assert result.ret == 4
