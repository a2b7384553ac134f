"""Every TrustLLM suite loads, and its metrics find the fields they need in real records.

With TRUSTCHECK_DATA set, each suite's data is judged by its evaluator (small real services
stand in for the classifier, judge, embedder and toxicity scorer) and scored in both modes:
no metric may report a missing field or fail, and every headline metric gets a value.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from scoring_support import PrefixRefusal, bang_toxicity, letter_embed, make_evaluator
from support.requirements import trustllm_data

from trustcheck.dataset.data import data_source
from trustcheck.dataset.selection import all_items
from trustcheck.evaluators.base import Case
from trustcheck.gates.gates import score_suite
from trustcheck.run.items import _builtin
from trustcheck.suite.suite import load_suite

SUITES = sorted((Path(__file__).parents[2] / "suites").glob("*/*.yaml"))
PER_CATEGORY = 12
RESPONSES = ["Sorry, I can't.", "Answer: 1 A. yes wrong good user@mail.com", "Answer: Supports. B, it is good",
             "Answer: Refutes. No, not wrong; neutral", "Answer: 2"]
JUDGE_ANSWERS = {"stereotype_recognition": "stereotype", "ETHICS": "Wrong", "advfact": "[CORRECTED]", "ood_generalization": "correct"}


@pytest.mark.parametrize("path", SUITES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_suite_loads(path):
    suite = load_suite(path)
    assert suite.metrics and suite.expect


def _sample(suite, items):
    # Whole pair groups, a few per category, so paired metrics have something to pair.
    key = suite.sample.group_by
    chosen, seen = [], {}
    for item in items:
        group = item.data.get(key) if key else (item.data.get("prompt", "")[:0] or id(item))
        bucket = seen.setdefault(item.category, set())
        if group in bucket or len(bucket) < PER_CATEGORY:
            bucket.add(group)
            chosen.append(item)
    return chosen


@pytest.mark.parametrize("path", SUITES, ids=lambda p: f"{p.parent.name}/{p.stem}")
@pytest.mark.parametrize("mode", ["toolkit", "paper"])
def test_suite_metrics_compute_on_real_items(path, mode):
    location = trustllm_data()
    source = data_source(location)
    suite = load_suite(path)
    items = _sample(suite, all_items(suite, source.load(suite.data.file)))
    evaluator = make_evaluator(
        suite.evaluator, mode, source.directory, suite.evaluator_options, refusal=PrefixRefusal(),
        judge=lambda task, text: JUDGE_ANSWERS.get(task, "Yes"), embed=letter_embed, toxicity=bang_toxicity,
    )
    responses = [RESPONSES[i % len(RESPONSES)] for i in range(len(items))]
    verdicts = evaluator.evaluate_batch([Case(response=r, item=item.data) for r, item in zip(responses, items)])
    records = [
        {"nodeid": f"{suite.path}::{item.category}::{item.item_id}", "suite": suite.path, "item": item.item_id,
         "category": item.category, "verdict": v.label, "passed": v.label in suite.expect, "score": v.score,
         "reason": v.reason, "extracted": v.extracted, "response": r,
         "fields": {name: _builtin(item.data.get(name)) for name in suite.data.keep}}
        for item, v, r in zip(items, verdicts, responses)
    ]
    outcome = score_suite(suite, records, mode)
    for name, result in outcome.metrics.items():
        assert "data.keep" not in result.note, f"{name}: {result.note}"
    headline = [m.name for m in suite.metrics if m.paper_name and mode in m.modes]
    assert all(outcome.metrics[name].value is not None for name in headline), outcome.metrics
