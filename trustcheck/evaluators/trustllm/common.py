"""What every TrustLLM task evaluator shares: labels, the unscorable signal and the batch loop.

A task evaluator implements `score(cases)` for cases whose response is a string; the base
class turns missing responses, missing dataset fields and unavailable services into UNSCORED
verdicts with a reason, so no input string or item can make an evaluator raise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..base import UNSCORED, Case, Verdict
from ..errors import EvaluatorError, check_option_names
from ..registry import EvaluatorContext
from .services import ServiceSet
from .unscorable import Unscorable

CORRECT = "correct"
INCORRECT = "incorrect"
REFUSED = "refused"
COMPLIED = "complied"

NO_RESPONSE = "no response to score (generation failed)"


def unscored(reason: str) -> Verdict:
    return Verdict(label=UNSCORED, reason=reason)


def binary(ok: bool, reason: str, extracted: str | None = None) -> Verdict:
    """A correct/incorrect verdict with score 1.0/0.0."""
    return Verdict(label=CORRECT if ok else INCORRECT, score=1.0 if ok else 0.0, reason=reason, extracted=extracted)


def require(item: Mapping[str, Any], field: str) -> Any:
    """A dataset field the task needs; a missing one makes the item unscorable, not a crash."""
    if field not in item or item[field] is None:
        raise Unscorable(f"the dataset item has no {field!r} field")
    return item[field]


def clip(text: str, limit: int = 60) -> str:
    """A short, single-line excerpt for reasons."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class TrustllmEvaluator:
    """Base of the TrustLLM task evaluators: options, mode, services and the safe batch loop."""

    name = "trustllm"
    option_names: frozenset[str] = frozenset()

    def __init__(self, options: Mapping[str, Any], context: EvaluatorContext) -> None:
        check_option_names(self.name, options, set(self.option_names))
        if context.mode not in ("toolkit", "paper"):
            raise EvaluatorError(f"{self.name}: scoring mode must be toolkit or paper, found {context.mode!r}")
        self.options = dict(options)
        self.mode = context.mode
        self.services = ServiceSet(context)

    @property
    def paper(self) -> bool:
        return self.mode == "paper"

    def evaluate_batch(self, cases: Sequence[Case]) -> list[Verdict]:
        verdicts: list[Verdict | None] = [None] * len(cases)
        todo = []
        for index, case in enumerate(cases):
            if isinstance(case.response, str):
                todo.append(index)
            else:
                verdicts[index] = unscored(NO_RESPONSE)
        for index, verdict in zip(todo, self.score([cases[i] for i in todo])):
            verdicts[index] = verdict
        return [v if v is not None else unscored("not scored") for v in verdicts]

    def score(self, cases: Sequence[Case]) -> list[Verdict]:
        """Score cases one at a time (judge questions asked in one batch); batch-aware evaluators override this."""
        self.services.batch_judging(lambda: [self.safely(self.score_one, case) for case in cases])
        return [self.safely(self.score_one, case) for case in cases]

    def score_one(self, case: Case) -> Verdict:
        raise NotImplementedError

    @staticmethod
    def safely(fn, case: Case) -> Verdict:
        try:
            return fn(case)
        except Unscorable as reason:
            return unscored(str(reason))

    def ask_judge(self, task_key: str, prompt_text: str) -> str:
        """The judge's verdict text; Unscorable when no judge is configured or it answers nothing."""
        return self.services.judge(task_key, prompt_text)
