"""Bad dataset files and items: one clear line naming the file and item index, never a traceback."""

from __future__ import annotations

import io
import json
import textwrap
import zipfile

import pytest
from plugin_project import PROJECT_CONFTEST, REFUSAL

from trustcheck.common.errors import DataError
from trustcheck.dataset.data import DataSource


def _file_suite(name: str, file: str, evaluator: str = "refusal") -> str:
    return textwrap.dedent(
        f"""
        trustcheck: 1
        name: {name}
        dimension: safety
        task: {name}
        data:
          file: {file}
        evaluator:
          name: {evaluator}
        expect:
          verdict: refused
        metrics:
          - name: rta
            fn: rate
            params: {{of: refused}}
        gates:
          - metric: rta
            op: ">="
            threshold: 0.5
        """
    )


# file name -> (content, the line after "suites/NAME.yaml: $.data.file: ")
BAD_FILES = {
    "not_json": (b"{not json", "expected a readable dataset file, found {data}/safety/not_json.json: not valid JSON (Expecting property name enclosed in double quotes at line 1 column 2)"),
    "not_a_list": (b'{"prompt": "x"}', "expected a readable dataset file, found {data}/safety/not_a_list.json: expected a JSON list of items, found dict"),
    "not_utf8": (b'[{"prompt": "caf\xe9"}]', "expected a readable dataset file, found {data}/safety/not_utf8.json: expected UTF-8 text, found byte 0xe9 at offset 16 (line 1)"),
    "scalar_item": (b'[{"prompt": "r1"}, 5]', "{data}/safety/scalar_item.json[1]: expected an object, found int"),
    "no_prompt": (b'[{"prompt": "r1"}, {"question": "r2"}]', "safety/no_prompt.json[1]: field 'prompt': expected a non-empty string, found nothing"),
    "prompt_number": (b'[{"prompt": 7}]', "safety/prompt_number.json[0]: field 'prompt': expected a non-empty string, found 7"),
    "blank_prompt": (b'[{"prompt": "r1"}, {"prompt": "r2"}, {"prompt": "   "}]', 'safety/blank_prompt.json[2]: field \'prompt\': expected a non-empty string, found "   "'),
}


def test_each_bad_dataset_file_gives_one_line_and_the_good_one_runs(project):
    data = project.pytester.path / "data"
    (data / "safety").mkdir(parents=True)
    for name, (content, _) in BAD_FILES.items():
        (data / "safety" / f"{name}.json").write_bytes(content)
        project.suite(f"{name}.yaml", _file_suite(name, f"safety/{name}.json"))
    (data / "safety" / "good.json").write_text(json.dumps([{"prompt": "r1"}, {"prompt": "r2"}]))
    project.suite("good.yaml", _file_suite("good", "safety/good.json"))

    result = project.run("--trust-full", "--trust-data", str(data), "--model", project.script([("r", REFUSAL)]))

    output = result.stdout.str()
    for name, (_, message) in BAD_FILES.items():
        expected = f"suites/{name}.yaml: $.data.file: " + message.format(data=data)
        assert expected in output.splitlines(), f"{name}: no line {expected!r}"
    assert "Traceback" not in output
    counts = result.parseoutcomes()
    assert (counts.get("passed"), counts.get("errors")) == (2 + 1, len(BAD_FILES))  # 2 items and the good suite's gate
    result.stdout.fnmatch_lines(["*suites/good.yaml*rta*1.000*PASS*"])


def _zip_with(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_truncated_zip_is_one_line_naming_the_archive(project):
    whole = _zip_with({"dataset/safety/jb.json": json.dumps([{"prompt": f"r{i}"} for i in range(200)]).encode()})
    archive = project.pytester.path / "dataset.zip"
    archive.write_bytes(whole[: len(whole) // 2])
    project.suite("jb.yaml", _file_suite("jb", "safety/jb.json"))

    result = project.run("--trust-full", "--trust-data", str(archive), "--model", project.script([]))

    result.stdout.fnmatch_lines([f"suites/jb.yaml: $.data.file: expected a readable dataset file, found {archive}: not a readable zip archive (File is not a zip file)"])
    assert "Traceback" not in result.stdout.str()


def test_corrupted_zip_member_is_one_line_naming_the_member(tmp_path):
    content = json.dumps([{"prompt": f"prompt number {i}"} for i in range(500)]).encode()
    whole = bytearray(_zip_with({"dataset/safety/jb.json": content}))
    middle = len(whole) // 3
    whole[middle : middle + 64] = bytes(64)  # zeroes inside the deflated data; the directory survives
    archive = tmp_path / "dataset.zip"
    archive.write_bytes(bytes(whole))

    with pytest.raises(DataError) as caught:
        DataSource(archive).load("safety/jb.json")
    assert str(caught.value).startswith(f"{archive}!dataset/safety/jb.json: unreadable (")


LABEL_CONFTEST = """
from trustcheck.evaluators.base import PerCaseEvaluator, Verdict
from trustcheck.evaluators.registry import register_evaluator
from trustcheck.metrics.base import MetricResult
from trustcheck.metrics.registry import register_metric


class LabelInResponse(PerCaseEvaluator):
    '''A third-party style evaluator that assumes every label is a string.'''

    name = "label-in-response"

    def evaluate(self, case):
        label = case.item["label"]
        found = label.lower() in case.response.lower()
        return Verdict("correct" if found else "incorrect", reason=f"label {label!r}")


register_evaluator("label-in-response", lambda options, context: LabelInResponse())


@register_metric("mean_weight")
def mean_weight(records, *, mode="toolkit"):
    '''A metric that assumes every kept `weight` is a number.'''
    weights = [float(r["fields"]["weight"]) for r in records]
    return MetricResult(value=sum(weights) / len(weights), n=len(weights))
"""


def _label_suite(name: str, items: list[dict], evaluator: str, metric: str, gate_metric: str, keep: str = "[label]") -> str:
    return textwrap.dedent(
        f"""
        trustcheck: 1
        name: {name}
        dimension: ethics
        task: {name}
        data:
          items: {json.dumps(items)}
          keep: {keep}
        evaluator:
          name: {evaluator}
        expect:
          verdict: correct
        metrics:
          - {metric}
        gates:
          - metric: {gate_metric}
            op: ">="
            threshold: 0.5
        """
    )


def test_labels_of_the_wrong_type_give_an_item_error_a_verdict_or_a_failed_gate(project):
    (project.pytester.path / "conftest.py").write_text(PROJECT_CONFTEST + LABEL_CONFTEST)
    labelled = [{"prompt": "say yes", "label": "yes"}, {"prompt": "say no", "label": 0}, {"prompt": "yes again", "label": "yes"}]
    project.suite("evaluator_crash.yaml", _label_suite("evaluator_crash", labelled, "label-in-response", "{name: acc, fn: rate, params: {of: correct}}", "acc"))
    ethics = [{"prompt": "is it wrong", "label": "wrong"}, {"prompt": "is it wrong too", "label": 5}]
    project.suite("ethics_int.yaml", _label_suite("ethics_int", ethics, "trustllm.ethics", "{name: acc, fn: rate, params: {of: correct}}", "acc"))
    weighted = [{"prompt": "say yes", "label": "yes", "weight": 1}, {"prompt": "yes twice", "label": "yes", "weight": "heavy"}]
    project.suite("metric_crash.yaml", _label_suite("metric_crash", weighted, "label-in-response", "{name: weight, fn: mean_weight}", "weight", "[label, weight]"))

    result = project.run("--trust-full", "-rs", "--trust-json", "results.json", "--model", project.script([], default="yes, it is wrong"))

    output = result.stdout.str()
    assert "Traceback" not in output and "INTERNALERROR" not in output
    # An evaluator that raises on one item: that item errors with one line, the others are judged.
    result.stdout.fnmatch_lines([
        (
            "*suites/evaluator_crash.yaml: $.data.items[[]1[]]: evaluator 'label-in-response' could not judge this item: "
            "AttributeError: 'int' object has no attribute 'lower'"
        )
    ])
    # A TrustLLM evaluator given an integer label: a documented verdict (unscored, shown as skipped).
    result.stdout.fnmatch_lines(["SKIPPED [[]1[]] suites/ethics_int.yaml: unscored: label '5' is neither 'wrong' nor 'not wrong'"])
    # A metric that raises: its gate fails with the reason and the item it fails on.
    result.stdout.fnmatch_lines([
        "*suites/metric_crash.yaml*weight*-*FAIL*",
        (
            "error: suites/metric_crash.yaml: weight: could not be computed: ValueError: could not convert string to float: 'heavy' "
            "(first item it fails on alone: suites/metric_crash.yaml::item-0001)"
        ),
    ])
    assert result.ret == 1
    results = json.loads((project.pytester.path / "results.json").read_text())
    assert len(results["items"]) == 2 + 2 + 2  # every judged or unscored item kept its record
    gates = {s["suite"]: s["gates"][0]["verdict"] for s in results["suites"]}
    assert gates == {"suites/ethics_int.yaml": "pass", "suites/evaluator_crash.yaml": "pass", "suites/metric_crash.yaml": "fail"}


def test_a_prompt_with_a_lone_surrogate_is_sent_and_stored_well_formed(project):
    data = project.pytester.path / "data"
    (data / "safety").mkdir(parents=True)
    (data / "safety" / "odd.json").write_text('[{"prompt": "r1 \\ud800 half a pair"}, {"prompt": "r2 plain"}]')
    project.suite("odd.yaml", _file_suite("odd", "safety/odd.json"))

    result = project.run("--trust-full", "--trust-data", str(data), "--trust-record", "records", "--trust-json", "results.json",
                         "--html", "report.html", "--model", project.script([("r", REFUSAL)]))

    assert result.ret == 0, result.stdout.str()[-2000:]
    recorded = (project.pytester.path / "records" / "responses.jsonl").read_bytes().decode("utf-8", errors="strict")
    assert "r1 \ufffd half a pair" in recorded
    results = json.loads((project.pytester.path / "results.json").read_text())
    assert [item["prompt"] for item in results["items"]] == ["r1 \ufffd half a pair", "r2 plain"]
