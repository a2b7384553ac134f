"""Asking the model about one prompt, under a budget of model calls, remembering every answer."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

# A generate function takes a batch of prompts and returns, in order, either plain strings or
# objects shaped like trustcheck's Generation (text, error, cached). Cached answers cost no budget.
Generate = Callable[[list[str]], Sequence[Any]]
# A verdict function maps a response to a label, or to an object with .label and .reason
# (trustcheck's Verdict).
VerdictFn = Callable[[str], str | Any]


class SearchError(RuntimeError):
    """The model or the verdict function failed during a perturbation search."""


@dataclass(frozen=True)
class Probe:
    """The model's response to one prompt and the verdict on it."""

    prompt: str
    response: str
    verdict: str
    reason: str = ""


def _response(generation: Any) -> tuple[str, bool]:
    """The text of one generation and whether it came from a cache."""
    if isinstance(generation, str):
        return generation, False
    error = getattr(generation, "error", None)
    text = getattr(generation, "text", None)
    if error is not None or not isinstance(text, str):
        raise SearchError(f"the model returned no response: {error or 'no text'}")
    return text, bool(getattr(generation, "cached", False))


def _label(verdict: Any) -> tuple[str, str]:
    if isinstance(verdict, str):
        return verdict, ""
    label = getattr(verdict, "label", None)
    if not isinstance(label, str):
        raise SearchError(f"the verdict function returned {type(verdict).__name__}, not a label or a Verdict")
    return label, str(getattr(verdict, "reason", "") or "")


class Prober:
    """Runs prompts through generate + verdict, once per distinct prompt, within `budget` calls.

    `model_calls` counts prompts the model really answered (not cache hits). Once the budget is
    spent, `probe` returns None for any prompt it has not seen. A failure of the model or of the
    verdict function is kept in `error` and also ends probing, so that hypothesis never mistakes
    a crash for a counterexample.
    """

    def __init__(self, generate: Generate, verdict: VerdictFn, budget: int) -> None:
        if budget < 1:
            raise ValueError(f"the model-call budget must be at least 1, got {budget}")
        self._generate = generate
        self._verdict = verdict
        self.budget = budget
        self.model_calls = 0
        self.exhausted = False
        self.error: BaseException | None = None
        self._seen: dict[str, Probe] = {}

    def probe(self, prompt: str) -> Probe | None:
        if prompt in self._seen:
            return self._seen[prompt]
        if self.error is not None:
            return None
        if self.model_calls >= self.budget:
            self.exhausted = True
            return None
        try:
            result = self._ask(prompt)
        except Exception as error:  # noqa: BLE001 - kept and re-raised after the search
            self.error = error
            return None
        self._seen[prompt] = result
        return result

    def _ask(self, prompt: str) -> Probe:
        generations = list(self._generate([prompt]))
        if len(generations) != 1:
            raise SearchError(f"generate returned {len(generations)} responses for 1 prompt")
        response, cached = _response(generations[0])
        if not cached:
            self.model_calls += 1
        label, reason = _label(self._verdict(response))
        return Probe(prompt, response, label, reason)
