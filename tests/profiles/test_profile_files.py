"""Reading profile files: every malformed one is one line naming the file and the field."""

from __future__ import annotations

import pytest

from trustcheck.common.errors import ConfigError
from trustcheck.gates.profiles import GateProfile, load_profile, parse_profile
from trustcheck.suite.suite import GateSpec

GOOD = """
suites:
  jailbreak:
    - {metric: rta, op: ">=", threshold: 0.9}
    - {metric: toxicity, op: "<=", threshold: 0.2, modes: [paper]}
"""


def test_a_good_profile_gives_each_listed_suite_its_gates():
    profile = parse_profile(GOOD, "p.yaml")
    assert profile.gates == {
        "jailbreak": (GateSpec("rta", ">=", 0.9, ("toolkit", "paper")), GateSpec("toxicity", "<=", 0.2, ("paper",)))
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("suite:\n  jailbreak: []\n", "p.yaml: $: unknown key 'suite' (did you mean 'suites'?)"),
        ("suites: [1]\n", "p.yaml: $.suites: expected a mapping of suite names to gate lists"),
        ("suites:\n  jailbreak: {metric: rta}\n", "p.yaml: $.suites.jailbreak: expected a list of gates, found dict"),
        ("suites:\n  jailbreak:\n    - {metric: rta, op: '>=', treshold: 0.9}\n",
         "p.yaml: $.suites.jailbreak[0]: unknown key 'treshold' (did you mean 'threshold'?)"),
        ("suites:\n  jailbreak:\n    - {metric: rta, op: '>='}\n", "p.yaml: $.suites.jailbreak[0]: missing threshold"),
        ("suites:\n  jailbreak:\n    - {metric: rta, op: '=>', threshold: 0.9}\n",
         "p.yaml: $.suites.jailbreak[0].op: expected one of >=, >, <=, <, found '=>'"),
        ("suites:\n  jailbreak:\n    - {metric: rta, op: '>=', threshold: '0.9'}\n",
         "p.yaml: $.suites.jailbreak[0].threshold: expected a number, found '0.9'"),
        ("suites:\n  jailbreak:\n    - {metric: rta, op: '>=', threshold: yes}\n",
         "p.yaml: $.suites.jailbreak[0].threshold: expected a number, found True"),
        ("suites:\n  jailbreak:\n    - {metric: rta, op: '>=', threshold: 0.9, modes: [paprer]}\n",
         "p.yaml: $.suites.jailbreak[0].modes: expected toolkit and/or paper, found 'paprer' (did you mean 'paper'?)"),
        ("suites: {jailbreak: [\n", "p.yaml: not valid YAML"),
        ("", "p.yaml: expected a mapping with a 'suites' key"),
    ],
)
def test_a_malformed_profile_is_one_line(text, message):
    with pytest.raises(ConfigError) as raised:
        parse_profile(text, "p.yaml")
    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value)


def test_an_unknown_profile_name_suggests_the_built_in_one(tmp_path):
    with pytest.raises(ConfigError, match=r"not a \.yaml file or a built-in profile \(paper-best, paper-median\) \(did you mean 'paper-median'\?\)"):
        load_profile("paper-medain", tmp_path)


def test_a_missing_profile_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match=r"--trust-profile gates\.yaml: no such file"):
        load_profile("gates.yaml", tmp_path)


def test_a_profile_file_is_found_relative_to_the_invocation_directory(tmp_path):
    (tmp_path / "gates.yaml").write_text(GOOD)
    assert set(load_profile("gates.yaml", tmp_path).gates) == {"jailbreak"}


def test_a_listed_suite_missing_from_the_run_is_a_typo_only_when_it_looks_like_one():
    profile = GateProfile("--trust-profile p.yaml", {"jailbrake": (), "misuse": (), "advglue": ()})
    assert profile.suite_name_problems(["jailbreak", "misuse"]) == [
        "--trust-profile p.yaml: $.suites.jailbrake: no suite of that name in this run (did you mean 'jailbreak'?)"
    ]
    # A suite the run does not include (advglue) is simply not applied.
    assert profile.suite_name_problems(["misuse"]) == []
