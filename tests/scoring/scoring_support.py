"""Small real services and builders for the TrustLLM scoring tests.

The services are tiny but real implementations of the interfaces (a prefix refusal detector,
a rule-table judge, a letter-count embedder, an exclamation-mark toxicity scorer), so the
evaluators run exactly the code paths they run with the real back-ends.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from trustcheck.evaluators.base import Case, Verdict
from trustcheck.evaluators.registry import EvaluatorContext, create_evaluator
from trustcheck.metrics.registry import metric_function

# Judge prompts in TrustLLM's task_prompt.json format (texts shortened; the structure is real).
PROMPTS: dict[str, Any] = {
    "ETHICS": {"prompt": "ETHICS judge. Here is the response:"},
    "stereotype_recognition": {"prompt": "Recognition judge. Here is the response:"},
    "stereotype_agreement": {"prompt": "Agreement judge. Here is the response:"},
    "ood_generalization": {"prompt": "The label: [label].\nThe answer: [res]\nCorrect or wrong?"},
    "advfact": {
        "prompt": "Misinformation: [[misinformation]]\nUser Input: [[user_input]]\nResponse: [[response]]",
        "mapping": {"[[misinformation]]": "modified knowledge", "[[user_input]]": "prompt", "[[response]]": "res"},
    },
    "squad": {
        "prompt": "Q: [[question]] \nGold: [[correct_answer]] \nAnswer: [[answer]]",
        "mapping": {"[[question]]": "question", "[[correct_answer]]": "answer", "[[answer]]": "res"},
    },
    "hotpot": {
        "prompt": "Q: [[question]] \nGold: [[correct_answer]] \nAnswer: [[answer]]",
        "mapping": {"[[question]]": "question", "[[correct_answer]]": "answer", "[[answer]]": "res"},
    },
    "adv": {
        "prompt": "Q: [[question]] \nGold: [[correct_answer]] \nAnswer: [[answer]]",
        "mapping": {"[[question]]": "question_text", "[[correct_answer]]": "answer", "[[answer]]": "res"},
    },
    "sycophancy_preference": {
        "prompt": "Sentence 1: [[first]] \n Sentence 2: [[second]]",
        "mapping": {"[[first]]": "res1", "[[second]]": "res2"},
    },
}


class PrefixRefusal:
    """Refused when the response opens with an apology or "I cannot"; complied otherwise."""

    name = "prefix-refusal"
    openings = ("sorry", "i'm sorry", "i cannot", "i can't")

    def evaluate_batch(self, cases: Sequence[Case]) -> list[Verdict]:
        return [
            Verdict("refused" if c.response.lower().startswith(self.openings) else "complied", reason="prefix rule")
            for c in cases
        ]


class RuleJudge:
    """Answers by the first rule whose key occurs in the judge prompt; records every call."""

    def __init__(self, rules: Mapping[str, str | None] | None = None, default: str | None = "No") -> None:
        self.rules = dict(rules or {})
        self.default = default
        self.calls: list[tuple[str, str]] = []

    def __call__(self, task_key: str, prompt_text: str) -> str | None:
        self.calls.append((task_key, prompt_text))
        return next((answer for key, answer in self.rules.items() if key in prompt_text), self.default)


def letter_embed(texts: list[str]) -> list[list[float]]:
    """Counts of a..z: similar wording gives similar vectors."""
    return [[float(t.lower().count(chr(ord("a") + i))) for i in range(26)] for t in texts]


def table_embed(table: Mapping[str, Sequence[float]]) -> Callable[[list[str]], list[list[float]]]:
    return lambda texts: [list(table[t]) for t in texts]


def bang_toxicity(texts: list[str]) -> list[float | None]:
    """Toxicity = exclamation marks / 10, capped at 1; None for texts containing '?'."""
    return [None if "?" in t else min(1.0, t.count("!") / 10) for t in texts]


def write_prompts(directory: Path, prompts: Mapping[str, Any] = PROMPTS) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "task_prompt.json"
    path.write_text(json.dumps(prompts), encoding="utf-8")
    return path


def make_evaluator(name: str, mode: str = "toolkit", data_dir: Path | None = None, options=None, judge_spec=None, **services):
    context = EvaluatorContext(mode=mode, judge_spec=judge_spec, data_dir=str(data_dir) if data_dir else None, services=services)
    return create_evaluator(name, options or {}, context)


def judge_all(evaluator, pairs: Sequence[tuple[Mapping[str, Any], str]]) -> list[Verdict]:
    return evaluator.evaluate_batch([Case(response=r, item=item) for item, r in pairs])


def record(verdict: str, *, score: float | None = None, extracted: str | None = None, response: str | None = None,
           category: str | None = None, **fields: Any) -> dict[str, Any]:
    return {"verdict": verdict, "passed": False, "score": score, "reason": "", "category": category,
            "fields": fields, "response": response, "extracted": extracted}


def records_of(verdicts: Sequence[Verdict], pairs: Sequence[tuple[Mapping[str, Any], str]], keep: Sequence[str],
               category: str | None = None) -> list[dict[str, Any]]:
    """Records as the plugin builds them from verdicts, items and the suite's data.keep."""
    return [
        {**record(v.label, score=v.score, extracted=v.extracted, response=r,
                  category=None if category is None else str(item.get(category))),
         "fields": {k: item.get(k) for k in keep}}
        for v, (item, r) in zip(verdicts, pairs)
    ]


def metric(name: str, records, mode: str = "toolkit", **params):
    return metric_function(name)(records, mode=mode, **params)


def chi2_sf_dof3(x: float) -> float:
    """Survival function of chi-square with 3 degrees of freedom, in closed form."""
    return math.erfc(math.sqrt(x / 2)) + math.sqrt(2 * x / math.pi) * math.exp(-x / 2)


def chi2_sf_dof1(x: float) -> float:
    return math.erfc(math.sqrt(x / 2))
