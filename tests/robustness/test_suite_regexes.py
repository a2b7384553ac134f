"""Regexes and values a suite supplies: no pattern hangs a run, no error renders an unbounded value."""

from __future__ import annotations

import textwrap

import pytest
from plugin_project import REFUSAL, items_for, suite_yaml

from trustcheck.cli import main
from trustcheck.common.errors import ConfigError
from trustcheck.common.safe_regex import compile_suite_pattern
from trustcheck.gates.profiles import parse_profile

CATASTROPHIC = [
    r"(a+)+$",
    r"(a*)*b",
    r"(\w+\s?)*$",
    r"(a|aa)+$",
    r"(.*,){12}x",
    r"^(([a-z])+.)+[A-Z]([a-z])+$",
    r"(x+x+)+y",
    r"(\d+|\w+)+!",
    r"((ab)*)+c",
    r"(?:sorry|apolog\w*)(?:\s*\w+\s*)*cannot",
]
SAFE = [
    r"i cannot",
    r"(?:\w+ )+refuse",
    r"\bsorry\b.*\bcannot\b",
    r"(?>a+)+b",
    r"(?:no, )+",
    r"(\s*,)*x",
    r"(?:i|we) (?:cannot|will not)",
]


def _suite_with(options: str) -> str:
    return suite_yaml("jb", items_for({"cot": ["r1", "r2"]})).replace(
        "evaluator:\n  name: refusal\n", "evaluator:\n  name: refusal\n  options:\n" + textwrap.indent(options, "    ")
    )


@pytest.mark.parametrize("pattern", CATASTROPHIC)
def test_validate_rejects_a_pattern_that_can_backtrack_catastrophically(pattern, tmp_path, capsys):
    suite = tmp_path / "x.yaml"
    suite.write_text(_suite_with(f"extra_patterns: ['{pattern}']\n"))
    assert main(["validate", str(suite)]) == 1
    [line, summary] = capsys.readouterr().out.splitlines()
    assert line.startswith(f"error: {suite}: $.evaluator.options: expected options the evaluator accepts, found ")
    assert "extra_patterns[0]:" in line and "so matching can take exponential time" in line
    assert summary == "0 valid, 1 invalid"


@pytest.mark.parametrize("pattern", SAFE)
def test_validate_accepts_patterns_whose_repetitions_are_unambiguous(pattern, tmp_path, capsys):
    suite = tmp_path / "x.yaml"
    suite.write_text(_suite_with(f"extra_patterns: ['{pattern}']\n"))
    assert main(["validate", str(suite)]) == 0, capsys.readouterr().out


def test_a_run_with_a_catastrophic_pattern_is_one_collection_error(project):
    project.suite("jb.yaml", _suite_with("extra_patterns: ['(\\w+\\s?)*$']\n"))
    result = project.run("--trust-full", "--model", project.script([]))
    result.stdout.re_match_lines([r".*\$\.evaluator\.options: expected options the evaluator accepts, found .*exponential time.*"])
    assert "Traceback" not in result.stdout.str() and project.calls() == []


def test_a_slow_pattern_the_check_cannot_see_times_out_on_one_item(project):
    # Adjacent overlapping repeats: polynomial, not exponential, so the check lets it through;
    # on 600 letters without a digit it would take longer than anyone waits.
    pattern = r"\w*\w*\w*\w*\w*\w*\w*\d"
    assert compile_suite_pattern(pattern).pattern == pattern
    project.suite("jb.yaml", _suite_with(f"extra_patterns: ['{pattern}']\n"))
    script = project.script([("r1", "a" * 600)], default=REFUSAL)
    result = project.run("--trust-full", "-rA", "--model", script)
    output = result.stdout.str()
    assert sum("PatternTimeout: pattern" in line and "ran longer than 1 s on one text" in line for line in output.splitlines()) >= 1
    result.assert_outcomes(passed=1, errors=1)


def _aliased_suite(option: str) -> str:
    anchors = "\n".join(
        [
            f"    - {{prompt: p1, attack: cot, pad: &s '{'y' * 2000}'}}",
            "    - {prompt: p2, attack: cot, l1: &l1 [" + ", ".join(["*s"] * 10) + "]}",
            "    - {prompt: p3, attack: cot, l2: &l2 [" + ", ".join(["*l1"] * 10) + "]}",
            "    - {prompt: p4, attack: cot, l3: &l3 [" + ", ".join(["*l2"] * 10) + "]}",
        ]
    )
    text = suite_yaml("jb", []).replace("  items: []\n", "  items:\n" + anchors + "\n")
    return text.replace("evaluator:\n  name: refusal\n", f"evaluator:\n  name: refusal\n  options:\n    {option}: *l3\n")


@pytest.mark.parametrize("option", ["extra_patterns", "empty_label", "prefix_chars"])
def test_an_aliased_value_in_an_error_is_shown_bounded(option, tmp_path, capsys):
    # 1,000 strings of 2,000 characters: 2 MB as data, under the alias limit; its repr is
    # what an unbounded message would build (and a deeper alias would make it gigabytes).
    suite = tmp_path / "x.yaml"
    suite.write_text(_aliased_suite(option))
    assert main(["validate", str(suite)]) == 1
    line = capsys.readouterr().out.splitlines()[0]
    assert line.startswith(f"error: {suite}: $.evaluator.options: ") and f"option {option}" in line and len(line) < 700


def test_a_4000_digit_integer_in_an_option_is_named_by_its_size(tmp_path, capsys):
    suite = tmp_path / "x.yaml"
    suite.write_text(_suite_with(f"empty_label: {'9' * 4000}\n"))
    assert main(["validate", str(suite)]) == 1
    line = capsys.readouterr().out.splitlines()[0]
    assert line.endswith("got <an integer of 4000 digits>") and len(line) < 400


@pytest.mark.parametrize("field", ["metric", "op", "threshold", "modes"])
def test_an_aliased_value_in_a_gate_profile_is_shown_bounded(field):
    gate = {"metric": "rta", "op": "'>='", "threshold": 0.5, field: "*l3"}
    entries = ", ".join(f"{key}: {value}" for key, value in gate.items())
    levels = ((1, "s"), (2, "l1"), (3, "l2"))
    anchors = [f"&s '{'y' * 2000}'"] + [f"&l{level} [{', '.join([f'*{name}'] * 10)}]" for level, name in levels]
    text = f"description: [{', '.join(anchors)}]\nsuites: {{jb: [{{{entries}}}]}}\n"
    with pytest.raises(ConfigError) as raised:
        parse_profile(text, "p.yaml")
    message = str(raised.value)
    assert message.startswith(f"p.yaml: $.suites.jb[0].{field}: expected ") and len(message) < 400
