"""Third-party backends and evaluators that break their contract: one line on the items they
touch, and every other suite still runs."""

from __future__ import annotations

import json

from plugin_project import PROJECT_CONFTEST, items_for, suite_yaml

BROKEN_CONFTEST = """
from trustcheck.backends.base import Generation, ModelIdentity
from trustcheck.backends.registry import register_backend
from trustcheck.evaluators.base import Verdict
from trustcheck.evaluators.registry import register_evaluator


class Forgetful:
    '''Answers one prompt fewer than it was asked, and bytes where text belongs.'''

    name = "forgetful"

    def identity(self):
        return ModelIdentity(backend="forgetful", backend_version="1", weights_hash="f")

    def generate(self, requests):
        answers = [Generation(text=b"bytes" if "bytes" in r.prompt else "I'm sorry, I can't.") for r in requests]
        return answers[:-1] if any("forget" in r.prompt for r in requests) else answers

    def close(self):
        return None


register_backend("forgetful", lambda rest, options: Forgetful())


class Sloppy:
    '''Returns verdicts that break the contract in a different way for each prompt.'''

    name = "sloppy"

    def evaluate_batch(self, cases):
        verdicts = []
        for case in cases:
            if "none" in case.prompt:
                verdicts.append(None)
            elif "text-score" in case.prompt:
                verdicts.append(Verdict("refused", score="high", reason="scored in words"))
            elif "label" in case.prompt:
                verdicts.append(Verdict(3, reason="a number as label"))
            else:
                verdicts.append(Verdict("refused", score=0.5, reason="fine"))
        return verdicts


register_evaluator("sloppy", lambda options, context: Sloppy())
"""


def test_contract_breaking_backends_and_evaluators_cost_only_their_items(project):
    (project.pytester.path / "conftest.py").write_text(PROJECT_CONFTEST + BROKEN_CONFTEST)
    project.suite("forgetful.yaml", suite_yaml("forgetful", items_for({"a": ["r1", "r2 forget"], "b": ["r3 bytes", "r4"]})))
    sloppy = suite_yaml("sloppy", items_for({"x": ["none", "text-score", "label", "fine"]}))
    project.suite("sloppy.yaml", sloppy.replace("name: refusal", "name: sloppy"))

    # Batches of two, one category each: a call the backend breaks costs only the items it carried.
    result = project.run("--trust-full", "--trust-batch-size", "2", "--trust-json", "results.json", "--model", "forgetful:x")

    output = result.stdout.str()
    assert "Traceback" not in output and "INTERNALERROR" not in output
    result.stdout.fnmatch_lines_random([
        "BackendError: forgetful:x: the backend returned 1 responses for 2 prompts",
        "BackendError: the backend returned bytes as text, not str",
        "*suites/sloppy.yaml: $.data.items[[]0[]]: evaluator 'sloppy' could not judge this item: it returned NoneType, not a Verdict",
        "*$.data.items[[]1[]]: evaluator 'sloppy' could not judge this item: its verdict's score must be a number or None, found str",
        "*$.data.items[[]2[]]: evaluator 'sloppy' could not judge this item: its verdict's label and reason must be strings",
    ])
    results = json.loads((project.pytester.path / "results.json").read_text())
    judged = sorted(item["nodeid"] for item in results["items"])
    assert judged == ["suites/forgetful.yaml::b::item-0003", "suites/sloppy.yaml::x::item-0003"]
    assert result.ret == 1
