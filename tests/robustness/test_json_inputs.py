"""Every JSON file trustcheck reads gives one line naming the file, never a traceback.

The same hostile documents go to every reader: results files (`trustcheck report`, `compare`,
`--trust-baseline`), dataset files, replay recordings and manifests, and judge prompts.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from plugin_project import REFUSAL, items_for, suite_yaml

from trustcheck.cli import main
from trustcheck.common.errors import DataError
from trustcheck.common.json_files import JsonFileError, read_json_file
from trustcheck.evaluators.judge_prompts import load_task_prompt_specs
from trustcheck.responses.record import MANIFEST_FILE, RESPONSES_FILE

# name -> (bytes, what the one line says after the file name)
HOSTILE = {
    "nested_100000": (b"[" * 100_000 + b"]" * 100_000, "expected JSON nested at most 64 deep, found deeper nesting"),
    "nested_1000_in_a_field": (b'{"format": "trustcheck-results/1", "items": ' + b"[" * 1000 + b"]" * 1000 + b"}",
                               "expected JSON nested at most 64 deep, found deeper nesting"),
    "not_utf8": (b'{"format": "trustcheck-results/1", "name": "caf\xe9"}',
                 "expected UTF-8 text, found byte 0xe9 at offset 47 (line 1)"),
    "utf16": ('{"format": 1}'.encode("utf-16"), "expected UTF-8 text, found byte 0xff at offset 0 (line 1)"),
    "digits_5000": (b'{"n": ' + b"9" * 5000 + b"}",
                    "unreadable number (Exceeds the limit (4300 digits) for integer string conversion: value has 5000 digits)"),
    "nan": (b'{"format": "trustcheck-results/1", "value": NaN}', "expected strict JSON, found NaN (JSON has no NaN or Infinity)"),
    "minus_infinity": (b'{"value": -Infinity}', "expected strict JSON, found -Infinity (JSON has no NaN or Infinity)"),
    "float_overflow": (b'{"value": 1e999}', "expected a finite number, found 1e999 (out of range)"),
    "truncated": (b'{"format": "trustcheck-results/1", "items": [', "not valid JSON (Expecting value at line 1 column 46)"),
    "empty": (b"", "not valid JSON (Expecting value at line 1 column 1)"),
}
RESULTS_ONLY = {
    "a_list": (b'["not", "results"]', "$: ['not', 'results'] is not of type 'object'"),
    "items_a_string": (b'{"format": "trustcheck-results/1", "items": "none"}', "$: 'trustcheck_version' is a required property (and 6 more)"),
    "format_2": (b'{"format": "trustcheck-results/2"}', "$.format: expected 'trustcheck-results/1', found \"trustcheck-results/2\""),
}
RESULTS_CASES = {**HOSTILE, **RESULTS_ONLY}


@pytest.fixture
def good_results(project) -> Path:
    """A results file written by a real run."""
    project.suite("jb.yaml", suite_yaml("jb", items_for({"cot": ["r1", "c2"]})))
    project.run("--trust-full", "--trust-json", "good.json", "--model", project.script([("r", REFUSAL)]))
    return project.pytester.path / "good.json"


def _one_line(err: str, path: Path, expected: str) -> None:
    assert "Traceback" not in err
    assert err == f"{path}: {expected}\n", err


@pytest.mark.parametrize("case", sorted(RESULTS_CASES))
def test_trustcheck_report_on_a_bad_results_file_is_one_line_and_status_2(tmp_path, capsys, case):
    content, expected = RESULTS_CASES[case]
    path = tmp_path / "run.json"
    path.write_bytes(content)
    assert main(["report", str(path), "--html", str(tmp_path / "out.html")]) == 2
    _one_line(capsys.readouterr().err, path, expected)
    assert not (tmp_path / "out.html").exists()


@pytest.mark.parametrize("case", sorted(RESULTS_CASES))
@pytest.mark.parametrize("side", ["baseline", "current"])
def test_trustcheck_compare_on_a_bad_results_file_is_one_line_and_status_2(good_results, capsys, case, side):
    content, expected = RESULTS_CASES[case]
    bad = good_results.with_name("bad.json")
    bad.write_bytes(content)
    capsys.readouterr()
    pair = [bad, good_results] if side == "baseline" else [good_results, bad]
    assert main(["compare", *map(str, pair)]) == 2
    _one_line(capsys.readouterr().err, bad, expected)


@pytest.mark.parametrize("case", ["nested_100000", "not_utf8", "nan", "digits_5000", "items_a_string"])
def test_a_bad_trust_baseline_is_a_usage_error_before_any_model_runs(project, case):
    content, expected = RESULTS_CASES[case]
    project.suite("jb.yaml", suite_yaml("jb", items_for({"cot": ["r1"]})))
    (project.pytester.path / "base.json").write_bytes(content)

    result = project.run("--trust-baseline", "base.json", "--model", project.script([("r", REFUSAL)]))

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert [line for line in result.errlines if line] == [f"ERROR: --trust-baseline: {project.pytester.path / 'base.json'}: {expected}"]
    assert "INTERNALERROR" not in result.stdout.str() and project.calls() == []


DATASET_CASES = ["nested_100000", "not_utf8", "utf16", "digits_5000", "truncated", "empty"]


def test_each_hostile_dataset_file_is_one_collection_error_and_nan_is_read_as_null(project):
    data = project.pytester.path / "data"
    (data / "safety").mkdir(parents=True)
    for name in DATASET_CASES:
        (data / "safety" / f"{name}.json").write_bytes(HOSTILE[name][0])
        project.suite(f"{name}.yaml", _file_suite(name))
    # pandas writes missing values as NaN; TrustLLM's own files hold some.
    (data / "safety" / "good.json").write_bytes(b'[{"prompt": "r1", "attack": NaN}, {"prompt": "r2", "attack": Infinity}]')
    project.suite("good.yaml", _file_suite("good"))

    result = project.run("--trust-full", "--trust-data", str(data), "--trust-json", "out.json",
                         "--model", project.script([("r", REFUSAL)]))

    lines = result.stdout.str().splitlines()
    for name in DATASET_CASES:
        expected = (f"suites/{name}.yaml: $.data.file: expected a readable dataset file, found "
                    f"{data}/safety/{name}.json: {HOSTILE[name][1]}")
        assert expected in lines, f"{name}: no line {expected!r}"
    assert "Traceback" not in result.stdout.str() and "INTERNALERROR" not in result.stdout.str()
    assert result.parseoutcomes().get("errors") == len(DATASET_CASES)
    written = json.loads((project.pytester.path / "out.json").read_text(), parse_constant=_refuse)
    assert sorted(item["fields"]["attack"] is None for item in written["items"]) == [True, True]


def _refuse(name: str) -> None:
    raise AssertionError(f"the results file holds {name}")


def _file_suite(name: str) -> str:
    return textwrap.dedent(
        f"""
        trustcheck: 1
        name: {name}
        dimension: safety
        task: {name}
        data:
          file: safety/{name}.json
          keep: [attack]
        evaluator:
          name: refusal
        expect:
          verdict: refused
        """
    )


def _recording(project) -> Path:
    """A real recording of one suite, made with --trust-record."""
    project.suite("jb.yaml", suite_yaml("jb", items_for({"cot": ["r1", "r2"]})))
    first = project.run("--trust-full", "--trust-record", "rec", "--model", project.script([("r", REFUSAL)]))
    assert first.ret == 0
    return project.pytester.path / "rec"


def _replay(project, directory: Path):
    return project.run("--trust-full", "--trust-no-cache", "--model", f"replay:{directory}")


BAD_LINES = {
    "not_utf8": (b'{"request_key": "caf\xe9"}', "expected UTF-8 text, found byte 0xe9 at offset 20 (line 1)"),
    "nested": (b"[" * 100_000, "expected JSON nested at most 64 deep, found deeper nesting"),
    "text_a_number": (None, "$.text: expected a string, found an integer"),
    "not_an_object": (b'"just text"', "$: expected an object, found a string"),
    "nan": (b'{"text": NaN}', "expected strict JSON, found NaN (JSON has no NaN or Infinity)"),
}


@pytest.mark.parametrize("case", sorted(BAD_LINES))
def test_a_bad_recording_line_is_one_usage_error_per_run(project, case):
    directory = _recording(project)
    responses = directory / RESPONSES_FILE
    content, expected = BAD_LINES[case]
    if content is None:  # a well-formed line whose text is a number
        entry = json.loads(responses.read_text().splitlines()[0])
        content = json.dumps({**entry, "text": 5}).encode()
    responses.write_bytes(responses.read_bytes() + content + b"\n")

    result = _replay(project, directory)

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert [line for line in result.errlines if line] == [
        f"ERROR: --model: {responses}:3: not a recorded response line ({expected})"
    ]
    assert "INTERNALERROR" not in result.stdout.str()


BAD_MANIFESTS = {
    "display_name_a_number": (lambda m, f: m["models"][f].update(display_name=5),
                              "$.models.{f}.display_name: expected a string, found an integer"),
    "models_a_list": (lambda m, f: m.update(models=[]), "$.models: expected an object, found a list"),
    "extra_value_a_list": (lambda m, f: m["models"][f].update(extra={"n_ctx": [1]}),
                           "$.models.{f}.extra.n_ctx: expected a string, found a list"),
    "unknown_field": (lambda m, f: m["models"][f].update(weights=1), ("$.models.{f}.weights: expected one of the keys "
                      "backend, backend_version, weights_hash, chat_template_hash, display_name, extra, found unknown key")),
    "format_2": (lambda m, f: m.update(format=2), "$.format: expected 1, found 2"),
    "backend_missing": (lambda m, f: m["models"][f].pop("backend"), "$.models.{f}.backend: expected a string, found null"),
}


@pytest.mark.parametrize("case", sorted(BAD_MANIFESTS))
def test_a_manifest_field_of_the_wrong_type_is_one_usage_error(project, case):
    directory = _recording(project)
    manifest = json.loads((directory / MANIFEST_FILE).read_text())
    (fingerprint,) = manifest["models"]
    change, expected = BAD_MANIFESTS[case]
    change(manifest, fingerprint)
    (directory / MANIFEST_FILE).write_text(json.dumps(manifest))

    result = _replay(project, directory)

    assert result.ret == pytest.ExitCode.USAGE_ERROR, result.stdout.str()[-2000:]
    message = f"ERROR: --model: replay:{directory}: {directory / MANIFEST_FILE}: {expected.format(f=fingerprint)}"
    assert [line for line in result.errlines if line] == [message]
    assert "INTERNALERROR" not in result.stdout.str()


def test_a_good_recording_still_replays(project):
    directory = _recording(project)
    result = _replay(project, directory)
    assert result.ret == 0
    result.assert_outcomes(passed=2)


@pytest.mark.parametrize("case", ["nested_100000", "not_utf8", "digits_5000", "nan", "truncated"])
def test_bad_judge_prompts_are_one_line(tmp_path, case):
    content, expected = HOSTILE[case]
    (tmp_path / "task_prompt.json").write_bytes(content)
    with pytest.raises(DataError) as error:
        load_task_prompt_specs(tmp_path)
    assert str(error.value) == f"{tmp_path / 'task_prompt.json'}: {expected}"


def test_a_file_past_the_size_limit_is_one_line_and_is_not_read_whole(tmp_path):
    path = tmp_path / "big.json"
    path.write_bytes(b"[" + b"1," * 50_000 + b"1]")
    with pytest.raises(JsonFileError) as error:
        read_json_file(path, max_bytes=4096)
    assert str(error.value) == f"{path}: expected a JSON file of at most 4096 bytes, found a larger one"
