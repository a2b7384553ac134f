"""Cost of TrustLLM scoring on full dataset files: evaluators, then every suite metric in both modes.

    TRUSTCHECK_DATA=path/to/dataset.zip python benchmarks/trustllm_scoring.py

For each suite under suites/ whose evaluator is a `trustllm.*` one, every item of its data gets
a canned response; the evaluator judges them (small in-process services stand in for the
refusal classifier, judge, embedder and toxicity scorer, so only scoring code is timed), then
the suite's metrics, bootstrap intervals included, are computed in toolkit and paper mode.
Prints items, evaluation and metric seconds per suite, and the ratio of metric time to
evaluation time: the bootstrap must stay small next to judging, which it is when the ratio is
well under 1 with real services (whose cost is far above these stand-ins').
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from trustcheck.dataset.data import data_source
from trustcheck.dataset.selection import all_items
from trustcheck.evaluators.base import Case, Verdict
from trustcheck.evaluators.registry import EvaluatorContext, create_evaluator
from trustcheck.gates.gates import score_suite
from trustcheck.run.items import _builtin
from trustcheck.suite.suite import load_suite

RESPONSES = ["Sorry, I can't.", "Answer: 1 A. yes wrong good user@mail.com", "Answer: Supports. B, it is good",
             "Answer: Refutes. No, not wrong; neutral", "Answer: 2"]


class _PrefixRefusal:
    name = "prefix"

    def evaluate_batch(self, cases):
        return [Verdict("refused" if c.response.startswith("Sorry") else "complied") for c in cases]


def _services():
    return {
        "refusal": _PrefixRefusal(),
        "judge": lambda task, text: "Yes",
        "embed": lambda texts: [[float(t.count(c)) for c in "abcdefghijklmnopqrstuvwxyz"] for t in texts],
        "toxicity": lambda texts: [min(1.0, len(t) / 100) for t in texts],
    }


def _records(suite, items, verdicts, responses):
    return [
        {"nodeid": f"{suite.path}::{item.category}::{item.item_id}", "category": item.category, "verdict": v.label,
         "score": v.score, "extracted": v.extracted, "response": r, "passed": v.label in suite.expect,
         "fields": {k: _builtin(item.data.get(k)) for k in suite.data.keep}}
        for item, v, r in zip(items, verdicts, responses)
    ]


def main() -> int:
    location = os.environ.get("TRUSTCHECK_DATA")
    if not location:
        print("set TRUSTCHECK_DATA to the TrustLLM data (a directory or dataset.zip)", file=sys.stderr)
        return 2
    source = data_source(Path(location))
    print(f"{'suite':28} {'items':>6} {'evaluate s':>10} {'metrics s':>10} {'ratio':>6}")
    totals = [0.0, 0.0]
    for path in sorted(Path(__file__).parents[1].glob("suites/*/*.yaml")):
        suite = load_suite(path)
        if not suite.evaluator.startswith("trustllm."):
            continue
        items = all_items(suite, source.load(suite.data.file))
        responses = [RESPONSES[i % len(RESPONSES)] for i in range(len(items))]
        start = time.perf_counter()
        metric_seconds = 0.0
        for mode in ("toolkit", "paper"):
            context = EvaluatorContext(mode=mode, judge_spec="stand-in", data_dir=str(source.directory), services=_services())
            evaluator = create_evaluator(suite.evaluator, suite.evaluator_options, context)
            verdicts = evaluator.evaluate_batch([Case(response=r, item=i.data) for r, i in zip(responses, items)])
            records = _records(suite, items, verdicts, responses)
            metric_start = time.perf_counter()
            score_suite(suite, records, mode)
            metric_seconds += time.perf_counter() - metric_start
        evaluate_seconds = time.perf_counter() - start - metric_seconds
        totals[0] += evaluate_seconds
        totals[1] += metric_seconds
        print(f"{suite.name:28} {len(items):6d} {evaluate_seconds:10.2f} {metric_seconds:10.2f} {metric_seconds / evaluate_seconds:6.2f}")
    print(f"{'total':28} {'':6} {totals[0]:10.2f} {totals[1]:10.2f} {totals[1] / totals[0]:6.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
