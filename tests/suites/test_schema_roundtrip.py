"""Property tests: any valid suite document survives YAML and loads to the same Suite."""

from __future__ import annotations

import string
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trustcheck.common.errors import SuiteError
from trustcheck.suite.suite import load_suite

names = st.text(string.ascii_letters + string.digits + "_-", min_size=1, max_size=12)
words = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30)
items = st.lists(st.fixed_dictionaries({"prompt": words.filter(str.strip), "kind": st.sampled_from(["a", "b"])}), min_size=1, max_size=5)
rates = st.floats(min_value=0, max_value=1, allow_nan=False)

suite_documents = st.fixed_dictionaries(
    {
        "trustcheck": st.just(1),
        "name": names,
        "dimension": st.sampled_from(["truthfulness", "safety", "fairness", "robustness", "privacy", "ethics"]),
        "task": names,
        "data": st.fixed_dictionaries({"items": items, "category": st.just("kind")}),
        "generation": st.fixed_dictionaries(
            {"temperature": st.floats(0, 2, allow_nan=False), "max_new_tokens": st.integers(1, 4096), "mode": st.sampled_from(["chat", "raw"])}
        ),
        "evaluator": st.just({"name": "refusal"}),
        "expect": st.fixed_dictionaries({"verdict": st.sampled_from(["refused", "complied"])}),
        "critical": st.booleans(),
        "metrics": st.just([{"name": "rta", "fn": "rate", "params": {"of": "refused"}, "group_by": "category"}]),
        "gates": st.lists(st.fixed_dictionaries({"metric": st.just("rta"), "op": st.sampled_from([">=", "<="]), "threshold": rates}), max_size=2),
    }
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=suite_documents)
def test_valid_documents_round_trip(tmp_path: Path, document: dict) -> None:
    path = tmp_path / "suite.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    suite = load_suite(path, "suite.yaml")
    assert (suite.name, suite.dimension, suite.task, suite.critical) == (
        document["name"], document["dimension"], document["task"], document["critical"]
    )
    assert [dict(i) for i in suite.data.items] == document["data"]["items"]
    assert suite.generation.temperature == document["generation"]["temperature"]
    assert suite.generation.max_new_tokens == document["generation"]["max_new_tokens"]
    assert [(g.metric, g.op, g.threshold) for g in suite.gates] == [(g["metric"], g["op"], g["threshold"]) for g in document["gates"]]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=suite_documents, key=st.sampled_from(["name", "dimension", "evaluator", "expect", "generation"]), junk=st.one_of(st.integers(), st.lists(st.integers()), st.just("")))
def test_corrupting_a_key_is_one_line_naming_it(tmp_path: Path, document: dict, key: str, junk: object) -> None:
    document[key] = junk
    path = tmp_path / "suite.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    try:
        load_suite(path, "suite.yaml")
    except SuiteError as error:
        message = str(error)
        assert "\n" not in message and message.startswith("suite.yaml: $")
        assert key in message
    else:
        raise AssertionError(f"{key}={junk!r} was accepted")
