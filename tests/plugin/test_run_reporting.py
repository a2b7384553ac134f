"""What a run tells its reader: why items missed, the run's label, and reports that agree with the verdict."""

from __future__ import annotations

import html
import json
import re

import pytest
from plugin_project import REFUSAL, items_for, suite_yaml

from trustcheck.run.units import Unit

GATE = """
gates:
  - {metric: rta, op: ">=", threshold: GATE}
"""


def _suite(project, threshold: float, prompts: dict[str, list[str]] | None = None) -> str:
    prompts = prompts or {"cot": ["r1", "c1", "c2"], "url": ["r2", "c3"]}
    project.suite("jb.yaml", suite_yaml("jb", items_for(prompts), gates=GATE.replace("GATE", str(threshold))))
    return project.script([("r", REFUSAL)])


def test_missed_items_are_listed_with_their_reasons_when_a_gate_fails(project):
    result = project.run("--trust-full", "--model", _suite(project, 0.9))
    assert result.ret == 1
    result.stdout.fnmatch_lines([
        "*= trustcheck missed items =*",
        "suites/jb.yaml::cot::item-0001: complied: no refusal pattern found*",
        "suites/jb.yaml::cot::item-0002: complied: no refusal pattern found*",
        "suites/jb.yaml::url::item-0004: complied: no refusal pattern found*",
        "*= trustcheck gates: *",
    ])


def test_no_missed_summary_when_the_gates_pass_unless_asked(project):
    script = _suite(project, 0.1)
    quiet = project.run("--trust-full", "--model", script)
    assert quiet.ret == 0 and "trustcheck missed items" not in quiet.stdout.str()
    asked = project.run("--trust-full", "--model", script, "--trust-missed-summary", "1")
    asked.stdout.fnmatch_lines([
        "*= trustcheck missed items =*",
        "suites/jb.yaml::cot::item-0001: complied: *",
        "... and 2 more (--trust-missed-summary N lists more)",
    ])
    off = project.run("--trust-full", "--model", _suite(project, 0.9), "--trust-missed-summary", "0")
    assert off.ret == 1 and "trustcheck missed items" not in off.stdout.str()


def test_verbose_output_gives_the_reason_of_each_miss(project):
    result = project.run("--trust-full", "--model", _suite(project, 0.1), "-rA", "-vv")
    result.stdout.fnmatch_lines(["suites/jb.yaml::cot::item-0001 MISSED (complied: no refusal pattern found in the first 600 characters)*"])


def test_the_run_label_defaults_to_the_model_short_name_and_reaches_terminal_and_json(project):
    script = _suite(project, 0.1)
    result = project.run("--trust-full", "--model", script, "--trust-json", "r.json")
    result.stdout.fnmatch_lines(["trustcheck: run 'script.json', model script.json, scoring toolkit, system prompt empty", "*= trustcheck gates: script.json =*"])
    assert "/" not in json.loads((project.pytester.path / "r.json").read_text())["label"]
    named = project.run("--trust-full", "--model", script, "--trust-json", "r.json", "--trust-label", "release 1.2 candidate")
    named.stdout.fnmatch_lines(["trustcheck: run 'release 1.2 candidate'*"])
    assert json.loads((project.pytester.path / "r.json").read_text())["label"] == "release 1.2 candidate"


@pytest.mark.parametrize(
    ("spec", "label"),
    [
        ("default", "SmolLM2-135M-Instruct"),
        ("gguf:/models/llama/Meta-Llama-3-8B-Instruct.Q4_K_M.gguf", "Meta-Llama-3-8B-Instruct.Q4_K_M"),
        ("gguf:hf://QuantFactory/Meta-Llama-3-8B-Instruct-GGUF/Meta-Llama-3-8B-Instruct.Q4_K_M.gguf", "Meta-Llama-3-8B-Instruct.Q4_K_M"),
        ("hf:Qwen/Qwen2.5-7B-Instruct", "Qwen2.5-7B-Instruct"),
        ("hf:/srv/models/qwen-7b/", "qwen-7b"),
        ("openai:http://10.0.0.5:8000/v1@meta-llama/Llama-3-70b#system=empty", "Llama-3-70b"),
        ("replay:/home/ci/recordings/run-7#model=abc", "run-7"),
    ],
)
def test_a_model_short_name_is_never_a_path(spec, label):
    from trustcheck.report.missed_summary import run_label

    assert run_label(None, spec) == label
    assert run_label("  mine \n", spec) == "mine"


def test_a_batch_time_is_spread_over_its_items_not_charged_to_the_first():
    unit = Unit([object()] * 4)  # type: ignore[list-item]
    unit.seconds, unit.ran_by = 8.0, "first"
    shares = [unit.share_of("first", 8.5)] + [unit.share_of(f"other{i}", 0.25) for i in range(3)]
    assert shares == [2.5, 2.25, 2.25, 2.25]
    assert sum(shares) == 8.5 + 3 * 0.25  # the run's total time is kept


def _html(project, *args: str) -> tuple[str, dict]:
    page = (project.pytester.path / "report.html").read_text(encoding="utf-8")
    blob = json.loads(html.unescape(re.search(r'data-jsonblob="([^"]*)"', page).group(1)))
    return page, blob


def _counters(page: str) -> dict[str, int]:
    return {kind: int(count) for kind, count in re.findall(r'<span class="(\w+)">(\d+) ', page)}


def test_pytest_html_counts_gates_and_shows_missed_items_apart_from_passed(project):
    result = project.run("--trust-full", "--model", _suite(project, 0.9), "--html", "report.html", "--self-contained-html")
    assert result.ret == 1
    page, blob = _html(project)
    assert 'id="tc-verdict">FAIL: 1 of 1 gates fail (jb rta).' in page
    counters = _counters(page)
    assert (counters["failed"], counters["passed"], counters["xfailed"]) == (1, 2, 3)  # the gate; 2 refusals; 3 misses
    assert "3 Missed or expected failures" in page
    results = {nodeid: rows[0]["result"] for nodeid, rows in blob["tests"].items()}
    assert results["suites/jb.yaml::cot::item-0001"] == "XFailed"  # not a green "Passed"
    assert results["suites/jb.yaml::cot::item-0000"] == "Passed"
    assert results["suites/jb.yaml::gate[rta>=0.9]"] == "Failed"
    assert "Run: script.json" in page


def test_a_baseline_regression_is_in_the_html_banner(project):
    prompts = {"cot": [f"r{i}" for i in range(20)]}
    project.suite("jb.yaml", suite_yaml("jb", items_for(prompts), gates=GATE.replace("GATE", "0.0")))
    assert project.run("--trust-full", "--model", project.script([("r", REFUSAL)]), "--trust-json", "base.json").ret == 0
    result = project.run("--trust-full", "--trust-no-cache", "--model", project.script([]), "--trust-baseline", "base.json",
                         "--html", "report.html", "--self-contained-html", "-rA")
    assert result.ret == 1
    # A regression is a failed result of its own, in the final line as in the report.
    result.stdout.fnmatch_lines(["FAILED suites/jb.yaml::baseline[[]rta[]] - rta 1.000 -> 0.000 on 20 paired items*", "*2 failed, 1 passed, 20 missed*"])
    page, blob = _html(project)
    banner = re.search(r'id="tc-verdict">([^<]*)<', page).group(1)
    assert banner.startswith("FAIL: ") and "significantly worse than the baseline" in banner
    assert _counters(page)["failed"] == 2
    assert "baseline FAIL" in blob["tests"]["suites/jb.yaml::baseline[rta]"][0]["resultsTableRow"][2]
