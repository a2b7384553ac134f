"""Suites become pytest items with readable ids, markers, -k and sampling."""

from __future__ import annotations

from plugin_project import REFUSAL, items_for, suite_yaml


def test_ids_have_suite_category_and_item(project):
    project.suite("jb.yaml", suite_yaml("jb", items_for({"leetspeak": ["a", "b"], "bad words": ["c"]})))
    result = project.run("--collect-only", "-q", "--model", project.script([]))
    result.stdout.fnmatch_lines([
        "suites/jb.yaml::leetspeak::item-0000",
        "suites/jb.yaml::leetspeak::item-0001",
        "suites/jb.yaml::bad_words::item-0002",
    ])


def test_keyword_selects_a_category_and_marks_the_gate_partial(project):
    project.suite("jb.yaml", suite_yaml("jb", items_for({"leetspeak": ["a", "b"], "cot": ["c"]})))
    result = project.run("-k", "leetspeak", "--trust-full", "--model", project.script([("a", REFUSAL), ("b", REFUSAL)]))
    result.assert_outcomes(passed=2, deselected=1)
    result.stdout.fnmatch_lines(["*partial selection (-k 'leetspeak')*"])


def test_marker_selects_by_dimension_under_strict_markers(project):
    project.suite("jb.yaml", suite_yaml("jb", items_for({"cot": ["a"]})))
    script = project.script([("a", REFUSAL)])
    selected = project.run("--strict-markers", "-m", "trustcheck(dimension='safety')", "--trust-full", "--model", script)
    selected.assert_outcomes(passed=1)
    other = project.run("--strict-markers", "-m", "trustcheck(dimension='privacy')", "--trust-full", "--model", script)
    other.assert_outcomes(deselected=1)


def test_sampling_is_stratified_and_deterministic(project):
    prompts = {"cot": [f"cot {i}" for i in range(10)], "url": [f"url {i}" for i in range(10)]}
    project.suite("jb.yaml", suite_yaml("jb", items_for(prompts)))
    script = project.script([])
    first = project.run("--collect-only", "-q", "--trust-sample", "2", "--model", script)
    second = project.run("--collect-only", "-q", "--trust-sample", "2", "--model", script)
    ids = [line for line in first.outlines if "::item-" in line]
    assert len(ids) == 4
    assert sum("::cot::" in i for i in ids) == 2 and sum("::url::" in i for i in ids) == 2
    assert ids == [line for line in second.outlines if "::item-" in line]
    reseeded = project.run("--collect-only", "-q", "--trust-sample", "2", "--trust-seed", "7", "--model", script)
    assert ids != [line for line in reseeded.outlines if "::item-" in line]
