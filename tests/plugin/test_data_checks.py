"""Configuration that can never yield data is an error, at collection and in `trustcheck validate`.

A field the data lacks, a `where` that selects nothing, a gate (or a gate profile's gate) on a
group no item has: each is one line naming the file and the JSON path, with a suggestion where
one is close, and `validate` lists every such line of a file.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from plugin_project import REFUSAL, items_for, suite_yaml

from trustcheck.cli import main

ITEMS = [
    {"prompt": "r1", "label": ["leetspeak"], "source": "ITC"},
    {"prompt": "r2", "label": ["leetspeak"], "source": "QBB"},
    {"prompt": "c3", "label": ["cot"], "source": "ITC"},
]


def file_suite(name: str, *, prompt: str = "prompt", category: str = "label.0", keep: str = "[source]", where: str = "",
               gates: str = "", group_by: str = "category", evaluator: str = "refusal") -> str:
    return textwrap.dedent(f"""
    trustcheck: 1
    name: {name}
    dimension: safety
    task: {name}
    data:
      file: safety/attacks.json
      prompt: {prompt}
      category: {category}
      keep: {keep}
    {where}
    evaluator: {{name: {evaluator}}}
    expect: {{verdict: refused}}
    metrics:
      - {{name: rta, fn: rate, params: {{of: refused}}, group_by: {group_by}}}
    gates:
      - {{metric: rta, op: ">=", threshold: 0.5}}
    {gates}
    """)


@pytest.fixture
def data_dir(project) -> Path:
    data = project.pytester.path / "data"
    (data / "safety").mkdir(parents=True)
    (data / "safety" / "attacks.json").write_text(json.dumps(ITEMS))
    return data


def _run(project, data_dir: Path, *args: str):
    return project.run("--trust-full", "--trust-data", str(data_dir), "--model", project.script([("r", REFUSAL)]), *args)


def test_a_prompt_field_the_data_lacks_is_a_collection_error_with_a_suggestion(project, data_dir):
    project.suite("typo.yaml", file_suite("typo", prompt="promt"))
    project.suite("good.yaml", file_suite("good"))
    result = _run(project, data_dir)
    result.stdout.fnmatch_lines([
        ("*suites/typo.yaml: $.data.prompt: expected a field the items of safety/attacks.json have "
        "(label, label.0, prompt, source; did you mean 'prompt'?), found 'promt'*")
    ])
    counts = result.parseoutcomes()
    assert (counts.get("passed"), counts.get("missed"), counts.get("errors")) == (3, 1, 1)  # 2 items and 1 gate
    assert result.ret == 1


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"category": "labl.0"}, "$.data.category: expected a field the items of safety/attacks.json have*did you mean 'label.0'?), found 'labl.0'"),
        ({"keep": "[sorce]"}, "$.data.keep[[]0[]]: expected a field*did you mean 'source'?), found 'sorce'"),
        ({"where": "  where: {source: ITX}"}, "$.data.where.source: expected a value some item of safety/attacks.json has (ITC, QBB; did you mean 'ITC'?), found \"ITX\""),
        ({"where": "  where: {label: [x]}"},
         "$.data.where.label: expected a value some item of safety/attacks.json has (its values are lists or mappings: name a part, e.g. 'label.0'), found [[]\"x\"[]]"),
        ({"where": "  where: {sorce: ITC}"}, "$.data.where.sorce: expected a field*did you mean 'source'?), found 'sorce'"),
        ({"where": "  where: {source: QBB, label.0: cot}"}, "$.data.where: expected conditions some item of safety/attacks.json meets together, found no item meeting them all"),
        ({"gates": "  - {metric: 'rta[leetspek]', op: '>=', threshold: 0.5}"},
         "$.gates[[]1[]].metric: expected a group of 'rta' that occurs in safety/attacks.json (cot, leetspeak; did you mean 'leetspeak'?), found 'rta[[]leetspek[]]'"),
        ({"group_by": "category, where: {source: ITX}"},
         "$.metrics[[]0[]].where: expected conditions some selected item of safety/attacks.json meets, found no item meeting them"),
        ({"group_by": "sorce"}, "$.metrics[[]0[]].group_by: expected category, verdict, passed or a field listed in data.keep (source)*did you mean 'source'?), found 'sorce'"),
    ],
)
def test_each_kind_of_configuration_without_data_is_one_line(project, data_dir, change, expected):
    project.suite("bad.yaml", file_suite("bad", **change))
    result = _run(project, data_dir, "--collect-only")
    result.stdout.fnmatch_lines([f"suites/bad.yaml: {expected}"])
    assert "Traceback" not in result.stdout.str()
    assert result.ret != 0


def test_a_group_that_occurs_is_accepted_and_gated(project, data_dir):
    project.suite("ok.yaml", file_suite("ok", gates="  - {metric: 'rta[leetspeak]', op: '>=', threshold: 0.5}"))
    result = _run(project, data_dir)
    counts = result.parseoutcomes()
    assert (counts.get("passed"), counts.get("missed"), counts.get("errors")) == (4, 1, None)  # 2 items and 2 gates
    result.stdout.fnmatch_lines(["*suites/ok.yaml*rta[[]leetspeak[]]*1.000*PASS*"])


def test_a_gate_on_a_group_filtered_out_by_where_is_an_error(project, data_dir):
    # Only ITC items are selected: no item of the `cot` attack is QBB, no QBB item survives.
    text = file_suite("f", where="  where: {source: QBB}", gates="  - {metric: 'rta[cot]', op: '>=', threshold: 0.5}")
    project.suite("f.yaml", text)
    result = _run(project, data_dir, "--collect-only")
    result.stdout.fnmatch_lines(["*$.gates[[]1[]].metric: expected a group of 'rta' that occurs in safety/attacks.json (leetspeak), found 'rta[[]cot[]]'*"])


def test_a_profile_gate_on_a_group_that_never_occurs_fails_collection(project, data_dir):
    project.suite("s.yaml", file_suite("s"))
    profile = project.pytester.path / "strict.yaml"
    profile.write_text("suites:\n  s:\n    - {metric: 'rta[leetspek]', op: '>=', threshold: 0.9}\n")
    result = _run(project, data_dir, "--trust-profile", "strict.yaml")
    result.stdout.fnmatch_lines([
        ("*--trust-profile strict.yaml: $.suites.s[[]0[]].metric: expected a group of 'rta' that occurs in "
        "safety/attacks.json (cot, leetspeak; did you mean 'leetspeak'?), found 'rta[[]leetspek[]]'*")
    ])
    assert result.ret != 0


def test_inline_items_are_checked_without_a_dataset(project):
    suite = suite_yaml("inline", items_for({"cot": ["r1"]}), gates="gates:\n  - {metric: 'rta[ctt]', op: '>=', threshold: 0.5}\n")
    project.suite("inline.yaml", suite)
    result = project.run("--collect-only", "--model", project.script([]))
    result.stdout.fnmatch_lines(["*suites/inline.yaml: $.gates[[]0[]].metric: expected a group of 'rta' that occurs in suites/inline.yaml: $.data.items (cot; did you mean 'cot'?)*"])


def test_validate_lists_every_problem_of_a_file(project, data_dir, capsys):
    static = project.suite("static.yaml", file_suite("static", evaluator="refusl", group_by="sorce").replace("fn: rate", "fn: rat"))
    with_data = project.suite("data.yaml", file_suite(
        "data", prompt="promt", keep="[sorce]", where="  where: {source: ITX}",
        gates="  - {metric: 'rta[leetspek]', op: '>=', threshold: 0.5}",
    ))
    assert main(["validate", str(static), str(with_data), "--data", str(data_dir)]) == 1
    out = capsys.readouterr().out.splitlines()
    static_lines = [line for line in out if line.startswith(f"error: {static}: ")]
    assert [line.split(": ")[2] for line in static_lines] == ["$.evaluator.name", "$.metrics[0].fn", "$.metrics[0].group_by"]
    data_lines = [line for line in out if line.startswith(f"error: {with_data}: ")]
    assert [line.split(": ")[2] for line in data_lines] == ["$.data.prompt", "$.data.keep[0]", "$.data.where.source", "$.gates[1].metric"]
    assert out[-1] == "0 valid, 2 invalid"


def test_validate_runs_the_item_checks_collection_runs(project, data_dir, capsys):
    (data_dir / "safety" / "attacks.json").write_text(json.dumps([*ITEMS, {"label": ["cot"], "source": "ITC"}]))
    path = project.suite("s.yaml", file_suite("s"))
    assert main(["validate", str(path), "--data", str(data_dir)]) == 1
    out = capsys.readouterr().out
    assert f"error: {path}: $.data.file: safety/attacks.json[3]: field 'prompt': expected a non-empty string, found nothing" in out


def test_validate_checks_a_profile_against_the_suites(project, data_dir, capsys):
    path = project.suite("s.yaml", file_suite("s"))
    profile = project.pytester.path / "p.yaml"
    profile.write_text("suites:\n  s:\n    - {metric: 'rta[cott]', op: '>=', threshold: 0.9}\n")
    assert main(["validate", str(path), "--data", str(data_dir)]) == 0
    assert main(["validate", str(path), "--data", str(data_dir), "--profile", str(profile)]) == 1
    assert "$.suites.s[0].metric: expected a group of 'rta' that occurs in safety/attacks.json (cot, leetspeak; did you mean 'cot'?), found 'rta[cott]'" in capsys.readouterr().out


def test_validate_with_a_data_option_that_does_not_exist_is_a_usage_error(project, capsys):
    path = project.suite("s.yaml", file_suite("s"))
    assert main(["validate", str(path), "--data", str(project.pytester.path / "nowhere")]) == 2
    assert "nowhere: does not exist" in capsys.readouterr().err


def test_a_metric_field_parameter_must_name_a_kept_field(project, data_dir):
    text = file_suite("f").replace(
        "\ngates:", "\n  - {name: itc, fn: trustllm_jailbreak_rta, params: {source: ITC, source_field: sorce}}\ngates:"
    )
    project.suite("f.yaml", text)
    result = _run(project, data_dir, "--collect-only")
    result.stdout.fnmatch_lines([
        ("suites/f.yaml: $.metrics[[]1[]].params.source_field: expected a field listed in data.keep (source) or one of "
        "category, verdict, extracted, score, response (did you mean 'source'?), found 'sorce'")
    ])


def test_collection_lists_every_problem_of_a_file_too(project, data_dir):
    project.suite("static.yaml", file_suite("static", evaluator="refusl", group_by="sorce").replace("fn: rate", "fn: rat"))
    result = _run(project, data_dir, "--collect-only")
    result.stdout.fnmatch_lines([
        "suites/static.yaml: $.evaluator.name: expected a known evaluator*",
        "suites/static.yaml: $.metrics[[]0[]].fn: expected a known metric function*",
        "suites/static.yaml: $.metrics[[]0[]].group_by: expected category, verdict, passed or a field listed in data.keep*",
    ])
