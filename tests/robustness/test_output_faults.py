"""Where the results cannot be written: a usage error before the run, or one line after it."""

from __future__ import annotations

from plugin_project import REFUSAL, items_for, suite_yaml

GATE = """
gates:
  - metric: rta
    op: ">="
    threshold: 0.5
"""


def test_a_directory_as_the_results_file_is_a_usage_error_before_any_model_runs(project):
    project.suite("jb.yaml", suite_yaml("jb", items_for({"cot": ["r1"]})))
    (project.pytester.path / "out").mkdir()

    result = project.run("--trust-full", "--trust-json", "out", "--model", project.script([("r", REFUSAL)]))

    assert result.ret == 4
    result.stderr.fnmatch_lines(["ERROR: --trust-json must be a file name, given the directory out"])
    assert project.calls() == []


def test_results_that_cannot_be_written_fail_the_run_with_one_line_and_other_reports_stay(project):
    project.suite("jb.yaml", suite_yaml("jb", items_for({"cot": ["r1", "r2"]}), gates=GATE))
    (project.pytester.path / "blocker").write_text("a file where a directory should be")

    result = project.run("--trust-full", "--trust-json", "blocker/results.json", "--junitxml", "junit.xml",
                         "--model", project.script([("r", REFUSAL)]))

    assert result.ret == 1
    result.stdout.fnmatch_lines(["*rta*PASS*", "error: could not write --trust-json blocker/results.json: *"])
    assert "Traceback" not in result.stdout.str() and "INTERNALERROR" not in result.stdout.str()
    assert (project.pytester.path / "junit.xml").exists()
