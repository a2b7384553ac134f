"""Invalid values are neither accepted nor written: finite suite numbers, strict and versioned JSON
out, alias limits that count aliases, and no control character from a file on the terminal."""

from __future__ import annotations

import json
import math
import textwrap
from pathlib import Path

import pytest
import yaml
from plugin_project import REFUSAL, items_for, suite_yaml

from trustcheck.backends.base import Generation, GenerationRequest, ModelIdentity
from trustcheck.cli import main
from trustcheck.common.json_files import parse_json
from trustcheck.common.safe_yaml import load_yaml
from trustcheck.report.results import write_results
from trustcheck.responses.cache import ResponseCache, meta_json
from trustcheck.responses.record import MANIFEST_FILE, RESPONSES_FILE, Recorder
from trustcheck.responses.service_cache import CachedTextService

BASE = suite_yaml("x", items_for({"cot": ["r1", "r2"]}), gates="""
gates:
  - metric: rta
    op: ">="
    threshold: 0.5
""")

# (text replaced in BASE, its replacement) -> the one line `trustcheck validate` gives
NON_FINITE = {
    "temperature_nan": (("temperature: 0", "temperature: .nan"), "$.generation.temperature: expected a finite number, found NaN"),
    "temperature_NaN": (("temperature: 0", "temperature: .NaN"), "$.generation.temperature: expected a finite number, found NaN"),
    "temperature_inf": (("temperature: 0", "temperature: .inf"), "$.generation.temperature: expected a finite number, found Infinity"),
    "threshold_minus_inf": (("threshold: 0.5", "threshold: -.inf"), "$.gates[0].threshold: expected a finite number, found -Infinity"),
    "threshold_overflow": (("threshold: 0.5", "threshold: 1.0e+999"), "$.gates[0].threshold: expected a finite number, found Infinity"),
    "metric_param_nan": (("params: {of: refused}", "params: {of: refused, weight: .nan}"),
                         "$.metrics[0].params.weight: expected a finite number, found NaN"),
    "where_nan": (("category: attack", "category: attack\n  where: {attack: .nan}"), "$.data.where.attack: expected a finite number, found NaN"),
    "inline_item_nan": (('"attack": "cot"}', '"attack": "cot", "score": .nan}'), "$.data.items[0].score: expected a finite number, found NaN"),
}


@pytest.mark.parametrize("case", sorted(NON_FINITE))
def test_a_non_finite_number_in_a_suite_is_one_line(tmp_path, capsys, case):
    (old, new), expected = NON_FINITE[case]
    assert old in BASE
    path = tmp_path / "x.yaml"
    path.write_text(BASE.replace(old, new, 1))
    assert main(["validate", str(path)]) == 1
    assert capsys.readouterr().out.splitlines() == [f"error: {path}: {expected}", "0 valid, 1 invalid"]


def test_a_nan_temperature_never_reaches_the_model(project):
    project.suite("x.yaml", BASE.replace("temperature: 0", "temperature: .nan"))
    result = project.run("--trust-full", "--model", project.script([("r", REFUSAL)]))
    result.stdout.fnmatch_lines(["suites/x.yaml: $.generation.temperature: expected a finite number, found NaN"])
    assert project.calls() == [] and "Traceback" not in result.stdout.str()


def _inline_items(count: int) -> str:
    return "items:\n" + "".join(f"  - {{prompt: p{i}, attack: a}}\n" for i in range(count))


def test_many_values_without_an_alias_are_not_an_alias_bomb():
    # 20,000 items hold 100,000 values: far past a limit of 1,000 expanded values, yet no alias.
    document = load_yaml(_inline_items(20_000), max_nodes=1_000)
    assert len(document["items"]) == 20_000


def test_aliases_are_counted_to_the_limit_and_no_further():
    anchors = "base: &b [" + ", ".join(["v"] * 99) + "]\n"  # a node of 100 values
    within = anchors + "copies: [" + ", ".join(["*b"] * 10) + "]\n"  # aliases add 10 x 100 = 1,000
    beyond = anchors + "copies: [" + ", ".join(["*b"] * 10) + ", *b]\n"  # 1,100
    assert len(load_yaml(within, max_nodes=1_000)["copies"]) == 10
    with pytest.raises(yaml.YAMLError, match="aliases that expand to more than 1000 values"):
        load_yaml(beyond, max_nodes=1_000)


@pytest.mark.slow
def test_a_suite_of_150000_inline_items_is_valid(tmp_path, capsys):
    items = [{"prompt": f"p{i}", "attack": "a"} for i in range(150_000)]
    path = tmp_path / "big.yaml"
    path.write_text(suite_yaml("big", items))
    assert main(["validate", str(path)]) == 0, capsys.readouterr().out[-500:]


def test_the_results_file_is_strict_json_with_null_for_nan(tmp_path):
    results = {"format": "trustcheck-results/1", "suites": [{"metrics": {"r": {"value": math.nan, "ci": [-math.inf, 1.0]}}}],
               "items": [{"fields": {"label": math.nan, "nested": [math.inf, {"x": math.nan}]}}]}
    path = tmp_path / "out.json"
    write_results(path, results)
    written = parse_json(path.read_bytes(), str(path))
    assert written["format"] == "trustcheck-results/1"
    assert written["suites"][0]["metrics"]["r"] == {"value": None, "ci": [None, 1.0]}
    assert written["items"][0]["fields"] == {"label": None, "nested": [None, {"x": None}]}
    assert list(tmp_path.iterdir()) == [path], "a temporary file was left behind"


def test_recordings_are_strict_and_versioned(tmp_path):
    recorder = Recorder(tmp_path)
    request = GenerationRequest(prompt="p", temperature=0.0)
    recorder.write(ModelIdentity("b", "1", "w"), request, Generation(text="t", finish_reason="stop"), "k")
    manifest = parse_json((tmp_path / MANIFEST_FILE).read_bytes(), "manifest")
    (line,) = [parse_json(raw, "line") for raw in (tmp_path / RESPONSES_FILE).read_bytes().splitlines()]
    assert manifest["format"] == 1 and line["format"] == 1 and line["text"] == "t"


def test_the_comparison_json_is_strict_and_versioned(project, capsys):
    project.suite("jb.yaml", suite_yaml("jb", items_for({"cot": ["r1", "c2"]})))
    project.run("--trust-full", "--trust-json", "run.json", "--model", project.script([("r", REFUSAL)]))
    run = project.pytester.path / "run.json"
    out = project.pytester.path / "comparison.json"
    assert main(["compare", str(run), str(run), "--json", str(out)]) == 0
    written = parse_json(out.read_bytes(), str(out))
    assert written["format"] == "trustcheck-comparison/1" and written["failed"] is False
    assert parse_json(run.read_bytes(), str(run))["format"] == "trustcheck-results/1"


class Scorer:
    def __init__(self, value: float) -> None:
        self.value, self.calls = value, 0

    def __call__(self, texts):
        self.calls += len(texts)
        return [self.value for _ in texts]


def test_a_nan_score_is_returned_but_never_cached_and_a_bad_entry_is_a_miss(tmp_path):
    cache = ResponseCache(tmp_path / "c.sqlite3")
    scorer = Scorer(math.nan)
    service = CachedTextService(scorer, cache, "toxicity\0x")
    assert math.isnan(service(["a"])[0]) and math.isnan(service(["a"])[0])
    assert scorer.calls == 2 and len(cache) == 0, "NaN was stored"
    key = service._key("b")
    cache.put(key, "NaN")  # an entry no strict reader accepts
    good = CachedTextService(Scorer(0.25), cache, "toxicity\0x")
    assert good(["b"]) == [0.25]
    assert json.loads(meta_json({"t": math.inf})) == {"t": None}


HOSTILE_NAME = "\x1b[2J\x1b[31mred\x1b]0;title\x07\u202eevil"
HOSTILE_GROUP = "\x1b[1mbold\x08\x08"  # a metric group: anything but "]"


def test_compare_prints_no_control_character_from_a_results_file(project, capsys):
    project.suite("jb.yaml", suite_yaml("jb", items_for({"cot": ["r1", "c2"]})))
    project.run("--trust-full", "--trust-json", "run.json", "--model", project.script([("r", REFUSAL)]))
    run = project.pytester.path / "run.json"
    results = json.loads(run.read_text())
    for suite in results["suites"]:
        suite["suite"] = suite["name"] = HOSTILE_NAME
        suite["metrics"] = {name if "[" in name else f"{name}[{HOSTILE_GROUP}]": metric
                            for name, metric in suite["metrics"].items()}
    for item in results["items"]:
        item["suite"] = HOSTILE_NAME
        item["nodeid"] = f"{HOSTILE_NAME}::{item['item']}"
    baseline, current = run.with_name("base.json"), run.with_name("cur.json")
    baseline.write_text(json.dumps(results))
    for item in results["items"]:
        item.update(verdict="complied", passed=False, outcome="missed")
    current.write_text(json.dumps(results))
    capsys.readouterr()

    status = main(["compare", str(baseline), str(current)])

    out, err = capsys.readouterr()
    assert status in (0, 1) and err == "", err
    assert not any(ch in out for ch in "\x1b\x07\x08\u202e"), "a raw control character reached the terminal"
    assert "\\x1b[2J\\x1b[31mred\\x1b]0;title\\x07\\u202eevil" in out
    assert "rta[\\x1b[1mbold\\x08\\x08]" in out


def test_error_lines_escape_control_characters_in_file_names(tmp_path, capsys):
    hostile = tmp_path / "\x1b[31mrun.json"
    assert main(["report", str(hostile), "--html", str(tmp_path / "r.html")]) == 2
    assert main(["data", "fetch", "--from", str(hostile)]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and err.count("\\x1b[31mrun.json") == 2


def test_a_kept_dataset_field_of_nan_is_written_as_null(project):
    data = project.pytester.path / "data" / "safety"
    data.mkdir(parents=True)
    (data / "d.json").write_bytes(b'[{"prompt": "r1", "attack": NaN, "extra": -Infinity}]')
    project.suite("d.yaml", textwrap.dedent("""
        trustcheck: 1
        name: d
        dimension: safety
        task: d
        data: {file: safety/d.json, keep: [attack, extra]}
        evaluator: {name: refusal}
        expect: {verdict: refused}
        """))
    result = project.run("--trust-full", "--trust-data", str(data.parent), "--trust-json", "out.json",
                         "--model", project.script([("r", REFUSAL)]))
    assert result.ret == 0
    written = parse_json(Path(project.pytester.path / "out.json").read_bytes(), "out.json")
    assert written["items"][0]["fields"] == {"attack": None, "extra": None}
