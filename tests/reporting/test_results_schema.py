"""The published results schema accepts well-formed results and names the first mistake otherwise."""

from __future__ import annotations

import copy
import json

import jsonschema
import pytest
from results_factory import mixed_results

from trustcheck.report.results_schema import (
    ResultsFileError,
    _json_path,
    load_results,
    results_schema,
    schema_errors,
    validate_results,
)


def test_schema_is_a_valid_draft_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(results_schema())


def test_sample_results_validate():
    validate_results(mixed_results())


def test_results_with_nulls_and_no_items_validate():
    results = mixed_results()
    results["items"] = []
    results["dataset"]["sha256"] = "a" * 64
    results["settings"].update(sample=None, profile="paper-median", full=True)
    results["suites"][0]["gates"][0].update(value=None, low=None, high=None, n=0, verdict="no-data")
    results["suites"][0]["metrics"]["rta"].update(value=None, low=None, high=None, n=0)
    validate_results(results)


def _set(path: str, value):
    def mutate(results: dict) -> None:
        *parents, last = path.split("/")
        target = results
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        if value is _DELETE:
            del target[last]
        else:
            target[int(last) if last.isdigit() else last] = value
    return mutate


_DELETE = object()

BAD = {
    "wrong format": (_set("format", "trustcheck-results/2"), "$.format"),
    "missing model spec": (_set("model/spec", _DELETE), "$.model"),
    "unknown top-level key": (_set("extra", 1), "$"),
    "timestamp not ISO": (_set("created", "28/11/2026"), "$.created"),
    "dataset hash not hex": (_set("dataset/sha256", "xyz"), "$.dataset.sha256"),
    "scoring unknown": (_set("settings/scoring", "strict"), "$.settings.scoring"),
    "sample zero": (_set("settings/sample", 0), "$.settings.sample"),
    "selection reasons not strings": (_set("settings/selection/reasons", [1]), "$.settings.selection.reasons[0]"),
    "dimension unknown": (_set("suites/0/dimension", "honesty"), "$.suites[0].dimension"),
    "negative n": (_set("suites/0/metrics/rta/n", -1), "$.suites[0].metrics.rta.n"),
    "metric value a string": (_set("suites/0/metrics/rta/value", "0.9"), "$.suites[0].metrics.rta.value"),
    "metric direction unknown": (_set("suites/0/metrics/rta/direction", "up"), "$.suites[0].metrics.rta.direction"),
    "metric name with spaces": (_set("suites/0/metrics/bad name", {}), "$.suites[0].metrics"),
    "gate verdict misspelt": (_set("suites/0/gates/0/verdict", "passs"), "$.suites[0].gates[0].verdict"),
    "gate op unknown": (_set("suites/0/gates/0/op", "=>"), "$.suites[0].gates[0].op"),
    "gate partial missing": (_set("suites/0/gates/0/partial", _DELETE), "$.suites[0].gates[0]"),
    "item outcome unknown": (_set("items/3/outcome", "xfailed"), "$.items[3].outcome"),
    "item passed a string": (_set("items/3/passed", "yes"), "$.items[3].passed"),
    "item response a number": (_set("items/3/response", 3), "$.items[3].response"),
    "item without nodeid": (_set("items/3/nodeid", _DELETE), "$.items[3]"),
    "item with unknown key": (_set("items/3/colour", "red"), "$.items[3]"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_results_are_rejected_with_the_json_path(case):
    mutate, path = BAD[case]
    results = copy.deepcopy(mixed_results())
    mutate(results)
    with pytest.raises(ResultsFileError) as error:
        validate_results(results, "run.json")
    message = str(error.value)
    assert message.startswith(f"run.json: {path}"), message
    assert "\n" not in message


def test_load_results_reads_and_validates(tmp_path):
    path = tmp_path / "run.json"
    path.write_text(json.dumps(mixed_results()), encoding="utf-8")
    assert load_results(path)["format"] == "trustcheck-results/1"


@pytest.mark.parametrize("content, expected", [
    (None, "cannot read results file"),
    ("{not json", "not valid JSON (Expecting property name enclosed in double quotes at line 1 column 2)"),
    ("[]", "$: [] is not of type 'object'"),
])
def test_load_results_errors_are_one_line_naming_the_file(tmp_path, content, expected):
    path = tmp_path / "run.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ResultsFileError) as error:
        load_results(path)
    assert str(error.value).startswith(f"{path}: ")
    assert expected in str(error.value)
    assert "\n" not in str(error.value)


ITEM_MUTATIONS = [("passed", 1), ("passed", None), ("score", True), ("score", "0.5"), ("score", 1), ("dimension", "z"),
                  ("category", None), ("category", 3), ("verdict", ""), ("response", None), ("fields", []),
                  ("outcome", "missed"), ("outcome", "MISSED"), ("extra", 1), ("nodeid", "")]


def test_quick_item_check_agrees_with_jsonschema():
    results = mixed_results()
    for index, (key, value) in enumerate(ITEM_MUTATIONS):
        results["items"][index][key] = value
    del results["items"][len(ITEM_MUTATIONS)]["reason"]
    expected = jsonschema.Draft202012Validator(results_schema()).iter_errors(results)
    found = schema_errors(results)
    assert sorted(found) == sorted(f"{_json_path(e.absolute_path)}: {e.message}" for e in expected)
    assert len(found) == 12  # score 1, category None, response None and outcome "missed" are valid
    assert found[0] == "$.items[0].passed: 1 is not of type 'boolean'"
    assert found[-1] == f"$.items[{len(ITEM_MUTATIONS)}]: 'reason' is a required property"
