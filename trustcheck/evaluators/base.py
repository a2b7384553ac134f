"""What every evaluator returns and the interface it implements."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

ScoringMode = Literal["toolkit", "paper"]

# A verdict label that means "could not be scored here" (e.g. no judge configured): the item
# is reported as skipped and metrics over it say they are partial.
UNSCORED = "unscored"


@dataclass(frozen=True)
class Verdict:
    """An evaluator's judgement of one response: a label, an optional score and why."""

    label: str
    score: float | None = None
    reason: str = ""
    extracted: str | None = None


@dataclass(frozen=True)
class Case:
    """What an evaluator sees: the response and the dataset item it answers."""

    response: str
    item: Mapping[str, Any]
    prompt: str = ""


class Evaluator(Protocol):
    """Turns responses into verdicts; batch-first so classifiers and judges can batch."""

    name: str

    def evaluate_batch(self, cases: Sequence[Case]) -> list[Verdict]: ...


class PerCaseEvaluator:
    """Base for evaluators that judge one response at a time."""

    name = "per-case"

    def evaluate(self, case: Case) -> Verdict:
        raise NotImplementedError

    def evaluate_batch(self, cases: Sequence[Case]) -> list[Verdict]:
        return [self.evaluate(case) for case in cases]
