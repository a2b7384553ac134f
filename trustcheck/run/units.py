"""Units of work: the items generated together in one batched call, then judged together."""

from __future__ import annotations

import numbers
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from ..backends.base import BackendError, Generation, GenerationRequest
from ..common.errors import TrustcheckError
from ..dataset.selection import SelectedItem, item_source
from ..evaluators.base import Case, Verdict

if TYPE_CHECKING:
    from ..suite.suite import Suite
    from .runtime import Runtime

DEFAULT_UNIT_SIZE = 32


class UnitItem(Protocol):
    """What a unit needs of an item (items.TrustItem is one): the unit is stored on it."""

    nodeid: str
    parent: Any
    suite: Suite
    selected: SelectedItem
    unit: Unit | None


class Unit:
    """Items that share generation settings (and, under xdist, one suite category: one scope).

    The first of its items to run generates and judges all of them; the rest read the result.
    """

    def __init__(self, items: Sequence[UnitItem]) -> None:
        self.items = list(items)
        self._results: dict[str, tuple[Generation, Verdict | None]] = {}
        self._error: Exception | None = None
        self._done = False
        self.seconds = 0.0  # generating and judging the whole unit
        self.ran_by: str | None = None  # the item whose setup did it

    def ensure(self, runtime: Runtime, nodeid: str | None = None) -> None:
        if not self._done:
            self._done = True
            self.ran_by = nodeid
            start = time.perf_counter()
            try:
                self._run(runtime)
            except Exception as error:  # noqa: BLE001 - every item of the unit reports it
                self._error = error
            self.seconds = time.perf_counter() - start

    def share_of(self, nodeid: str, measured: float) -> float:
        """An item's setup time with the unit's work spread evenly over its items: the item that
        ran the batch gives back all but its share, every other item takes its share."""
        own = measured - self.seconds if nodeid == self.ran_by else measured
        return max(0.0, own) + self.seconds / len(self.items)

    def _run(self, runtime: Runtime) -> None:
        generations = runtime.pool().respond([self._request(runtime, item) for item in self.items])
        ok = [(item, gen) for item, gen in zip(self.items, generations) if gen.ok]
        verdicts = self._judge(runtime, ok)
        for item, generation in zip(self.items, generations):
            self._results[item.nodeid] = (generation, verdicts.get(item.nodeid))

    @staticmethod
    def _request(runtime: Runtime, item: UnitItem) -> GenerationRequest:
        generation = item.suite.generation
        return GenerationRequest(
            prompt=item.selected.prompt,
            mode=generation.mode,  # type: ignore[arg-type]
            temperature=generation.temperature,
            max_new_tokens=generation.max_new_tokens,
            stop=generation.stop,
            seed=runtime.seed_for(item.suite, item.selected.item_id),
            system_prompt=runtime.options.system_prompt,
        )

    @staticmethod
    def _judge(runtime: Runtime, ok: list[tuple[UnitItem, Generation]]) -> dict[str, Verdict | EvaluatorFailure]:
        by_suite: dict[str, list[tuple[UnitItem, Generation]]] = {}
        for item, generation in ok:
            by_suite.setdefault(item.suite.path, []).append((item, generation))
        verdicts: dict[str, Verdict | EvaluatorFailure] = {}
        for pairs in by_suite.values():
            evaluator = runtime.evaluator(pairs[0][0].suite)
            items = [item for item, _ in pairs]
            cases = [Case(response=gen.text or "", item=item.selected.data, prompt=item.selected.prompt) for item, gen in pairs]
            for item, verdict in zip(items, _judge_batch(evaluator, items, cases)):
                verdicts[item.nodeid] = verdict
        return verdicts

    def result(self, item: UnitItem) -> tuple[Generation, Verdict]:
        if self._error is not None:
            raise self._error
        generation, verdict = self._results[item.nodeid]
        if not generation.ok:
            raise BackendError(generation.error or "the backend returned no text")
        if isinstance(verdict, EvaluatorFailure):
            raise verdict
        assert verdict is not None
        return generation, verdict


class EvaluatorFailure(TrustcheckError):
    """The evaluator could not judge one item (often a label of an unexpected type)."""


def _failure(evaluator: Any, item: UnitItem, problem: str) -> EvaluatorFailure:
    where = f"{item_source(item.suite)}[{item.selected.index}]"
    problem = " ".join(problem.split())
    shown = problem if len(problem) <= 300 else problem[:297] + "..."
    return EvaluatorFailure(f"{where}: evaluator {item.suite.evaluator!r} could not judge this item: {shown}")


def _checked(evaluator: Any, item: UnitItem, verdict: Any) -> Verdict | EvaluatorFailure:
    """The verdict, if it keeps the contract the record and the terminal rely on."""
    if not isinstance(verdict, Verdict):
        return _failure(evaluator, item, f"it returned {type(verdict).__name__}, not a Verdict")
    if not isinstance(verdict.label, str) or not isinstance(verdict.reason, str):
        return _failure(evaluator, item, "its verdict's label and reason must be strings")
    if verdict.score is not None and (isinstance(verdict.score, bool) or not isinstance(verdict.score, numbers.Real)):
        return _failure(evaluator, item, f"its verdict's score must be a number or None, found {type(verdict.score).__name__}")
    return verdict


def _judge_batch(evaluator: Any, items: list[UnitItem], cases: list[Case]) -> list[Verdict | EvaluatorFailure]:
    """Verdicts in item order; an item the evaluator fails on gets a failure naming its index.

    The batch is judged whole first (classifiers and judges batch); only when it raises are the
    items judged one by one, so one malformed item does not take the others down.
    """
    try:
        verdicts = list(evaluator.evaluate_batch(cases))
    except Exception:  # noqa: BLE001 - retried one by one below to find the culprit
        verdicts = None
    if verdicts is not None and len(verdicts) == len(cases):
        return [_checked(evaluator, item, verdict) for item, verdict in zip(items, verdicts)]
    judged: list[Verdict | EvaluatorFailure] = []
    for item, case in zip(items, cases):
        try:
            judged.append(_checked(evaluator, item, evaluator.evaluate_batch([case])[0]))
        except Exception as error:  # noqa: BLE001 - reported on this item as one line
            judged.append(_failure(evaluator, item, f"{type(error).__name__}: {error}"))
    return judged


def build_units(items: Sequence[UnitItem], size: int = DEFAULT_UNIT_SIZE, *, per_scope: bool) -> list[Unit]:
    """Chunks of `size` items in run order that share generation settings and, with `per_scope`,
    a parent node: xdist's loadscope hands each scope to one worker, and a unit must not span two."""
    groups: dict[tuple, list[UnitItem]] = {}
    for item in items:
        groups.setdefault(_unit_key(item, per_scope), []).append(item)
    units = []
    for members in groups.values():
        for start in range(0, len(members), size):
            unit = Unit(members[start : start + size])
            for item in unit.items:
                item.unit = unit
            units.append(unit)
    return units


def _unit_key(item: UnitItem, per_scope: bool) -> tuple:
    scope = (item.parent.nodeid if item.parent else "") if per_scope else ""
    return scope, item.suite.generation
