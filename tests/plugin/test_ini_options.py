"""Every trustcheck option can be set as an ini key; the command line wins; help shows defaults."""

from __future__ import annotations

import json

import pytest
from plugin_project import REFUSAL, items_for, suite_yaml

from trustcheck.run.options import OPTIONS


def _suite(project) -> None:
    project.suite("a.yaml", suite_yaml("a", items_for({"x": ["r1", "r2", "r3"], "y": ["r4", "r5"]})))


def _ids(result) -> list[str]:
    return [line.split()[0] for line in result.outlines if "suites/a.yaml::" in line and ("PASSED" in line or "MISSED" in line)]


def test_every_option_has_an_ini_key_and_help_names_it(pytester):
    help_text = pytester.runpytest("--help").stdout.str()
    ini_section = help_text.split("[pytest] ", 1)[1]
    for option in OPTIONS:
        assert option.flag in help_text
        assert f"ini {option.dest})" in " ".join(help_text.split()), option.dest
        assert option.dest in ini_section, option.dest


def test_an_ini_key_sets_the_option_and_the_command_line_wins(project):
    _suite(project)
    project.pytester.makeini("[pytest]\ntrust_sample = 1\n")
    script = project.script([("r", REFUSAL)])
    from_ini = project.run("--model", script, "-v")
    assert len(_ids(from_ini)) == 2  # one per stratum
    from_cli = project.run("--model", script, "-v", "--trust-sample", "2")
    assert len(_ids(from_cli)) == 4


def test_a_boolean_option_and_a_model_through_dash_o(project):
    _suite(project)
    script = project.script([("r", REFUSAL)])
    result = project.run("-o", f"trust_model={script}", "-o", "trust_full=true", "-o", "trust_json=out.json", "-v")
    assert len(_ids(result)) == 5
    results = json.loads((project.pytester.path / "out.json").read_text())
    assert results["settings"]["full"] is True


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("trust_sample", "many", "ini trust_sample: expected int, found 'many'"),
        ("trust_scoring", "vibes", "ini trust_scoring: expected one of toolkit, paper, found 'vibes'"),
        ("trust_baseline_level", "1e", "ini trust_baseline_level: expected float, found '1e'"),
    ],
)
def test_a_bad_ini_value_is_one_usage_error(project, key, value, message):
    _suite(project)
    result = project.run("-o", f"{key}={value}", subprocess=True)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*{message}*"])
    assert "Traceback" not in result.stderr.str()
