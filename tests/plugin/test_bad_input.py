"""Malformed suites, unknown models and missing data give one clear line each."""

from __future__ import annotations

import pytest
from plugin_project import REFUSAL, items_for, suite_yaml


def test_schema_error_is_one_line_and_other_suites_still_run(project):
    project.suite("good.yaml", suite_yaml("good", items_for({"cot": ["r1"]})))
    bad = suite_yaml("bad", items_for({"cot": ["r1"]})).replace("temperature: 0", "temperature: hot")
    project.suite("bad.yaml", bad)
    result = project.run("--trust-full", "--model", project.script([("r", REFUSAL)]))
    result.stdout.fnmatch_lines(["*suites/bad.yaml: $.generation.temperature: expected a number, found \"hot\"*"])
    result.assert_outcomes(passed=1, errors=1)
    assert result.ret == 1
    assert "Traceback" not in result.stdout.str()


def test_unknown_key_suggests_the_right_one(project):
    text = suite_yaml("typo", items_for({"cot": ["r1"]}), gates="gates:\n  - metric: rta\n    op: '>='\n    treshold: 0.5\n")
    project.suite("typo.yaml", text)
    result = project.run("--collect-only", "--model", project.script([]))
    result.stdout.fnmatch_lines(["*suites/typo.yaml: $.gates[[]0[]].treshold: expected one of the keys metric, modes, op, threshold (did you mean 'threshold'?), found unknown key 'treshold'*"])


def test_unknown_evaluator_and_missing_data_file(project):
    project.suite("ev.yaml", suite_yaml("ev", items_for({"cot": ["r1"]})).replace("name: refusal", "name: refusl"))
    data_file = suite_yaml("df", items_for({"cot": ["r1"]})).replace("  items:", "  file: safety/nope.json\n  unused:")
    project.suite("df.yaml", data_file.replace("  unused: ", "  where: {x: 1}\n  #"))
    result = project.run("--collect-only", "--trust-data", str(project.pytester.path), "--model", project.script([]))
    result.stdout.fnmatch_lines(["*suites/ev.yaml: $.evaluator.name: expected a known evaluator (did you mean 'refusal'?), found 'refusl'*"])
    result.stdout.fnmatch_lines(["*safety/nope.json: no such dataset file; run `trustcheck data fetch`*"])


@pytest.mark.parametrize(
    ("model", "message"),
    [
        ("ggfu:/x.gguf", "unknown model backend 'ggfu' (did you mean 'gguf'?); valid specs: default | gguf:PATH.gguf*"),
        ("smollm3", "invalid --model 'smollm3' (did you mean 'smollm2'?); valid specs: *; profiles: smollm2"),
        ("gguf:missing/model.gguf", "invalid --model 'gguf:missing/model.gguf': missing/model.gguf does not exist"),
    ],
    ids=["unknown-backend", "unknown-profile", "missing-file"],
)
def test_a_bad_model_is_one_usage_error_before_collection(project, model, message):
    (project.pytester.path / "fixtures").mkdir()
    (project.pytester.path / "fixtures" / "models.yaml").write_text("models:\n  smollm2: {spec: default}\n")
    project.suite("ok.yaml", suite_yaml("ok", items_for({"cot": ["r1", "r2", "r3"]})))
    result = project.run("--trust-full", "--model", model)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: *{message}"])
    assert result.stderr.str().count("ERROR:") == 1
    assert "collected" not in result.stdout.str()


def test_validate_command_checks_files_without_running(project, capsys):
    from trustcheck.cli import main

    good = project.suite("good.yaml", suite_yaml("good", items_for({"cot": ["r1"]})))
    bad = project.suite("bad.yaml", "trustcheck: 1\nname: [unclosed\n")
    assert main(["validate", str(good)]) == 0
    assert main(["validate", str(good), str(bad)]) == 1
    out = capsys.readouterr().out
    assert f"ok: {good}" in out
    assert f"error: {bad}: line 3 column 1: expected valid YAML" in out


def test_a_thread_count_below_one_is_one_line(project):
    project.suite("ok.yaml", suite_yaml("ok", items_for({"cot": ["r1"]})))
    result = project.run("--trust-full", "--trust-threads", "0", "--model", project.script([("r", REFUSAL)]))
    result.stdout.fnmatch_lines(["*--trust-threads 0: expected a positive number of threads*"])
    assert result.ret != 0
    assert "Traceback" not in result.stdout.str()
