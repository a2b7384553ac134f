"""A property suite's search for one prompt, through the run's model pool, cache and evaluator."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ..backends.base import Generation, GenerationRequest
from ..evaluators.base import UNSCORED, Case, Verdict
from .property import find_flip
from .result import FlipResult
from .spec import PropertySpec

if TYPE_CHECKING:
    from ..dataset.selection import SelectedItem
    from ..run.runtime import Runtime

EXAMPLES_DIR = "perturb-examples"


def _request(runtime: Runtime, spec: PropertySpec, selected: SelectedItem, prompt: str) -> GenerationRequest:
    generation = spec.generation
    return GenerationRequest(
        prompt=prompt,
        mode=generation.mode,  # type: ignore[arg-type]
        temperature=generation.temperature,
        max_new_tokens=generation.max_new_tokens,
        stop=generation.stop,
        seed=runtime.seed_for(spec, selected.item_id),  # type: ignore[arg-type]
        system_prompt=runtime.options.system_prompt,
    )


def generate_through_pool(runtime: Runtime, spec: PropertySpec, selected: SelectedItem) -> Callable[[list[str]], list[Generation]]:
    """Batched generation for find_flip: the pool's cache first, one backend call for the rest."""

    def generate(prompts: list[str]) -> list[Generation]:
        return runtime.pool().respond([_request(runtime, spec, selected, prompt) for prompt in prompts])

    return generate


def verdict_through_evaluator(runtime: Runtime, spec: PropertySpec, selected: SelectedItem) -> Callable[[str], Verdict]:
    """The suite's evaluator on one response, judged against the original dataset item."""
    evaluator = runtime.evaluator(spec)  # type: ignore[arg-type]

    def verdict(response: str) -> Verdict:
        return evaluator.evaluate_batch([Case(response=response, item=selected.data, prompt=selected.prompt)])[0]

    return verdict


def warm_originals(runtime: Runtime, spec: PropertySpec, selected: Sequence[SelectedItem]) -> None:
    """Generate every original prompt of a group in one batch, so each search starts from the cache."""
    runtime.pool().respond([_request(runtime, spec, item, item.prompt) for item in selected])


def database_key(runtime: Runtime, spec: PropertySpec) -> str:
    """What a stored counterexample depends on besides the prompt: model, settings, evaluator."""
    payload = {
        "model": runtime.pool().identity().cache_fields(),
        "generation": [spec.generation.mode, spec.generation.temperature, spec.generation.max_new_tokens,
                       list(spec.generation.stop)],
        "evaluator": [spec.evaluator, spec.evaluator_options],
        "seed": runtime.options.seed,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def search(runtime: Runtime, spec: PropertySpec, selected: SelectedItem) -> FlipResult:
    return find_flip(
        selected.prompt,
        generate=generate_through_pool(runtime, spec, selected),
        verdict=verdict_through_evaluator(runtime, spec, selected),
        expected=spec.expect,
        kinds=spec.kinds,
        max_steps=spec.max_steps,
        max_examples=spec.max_examples,
        call_budget=spec.model_calls,
        database=runtime.options.cache_dir / EXAMPLES_DIR,
        key=database_key(runtime, spec),
        undecided=(UNSCORED,),
    )


def property_record(nodeid: str, spec: PropertySpec, selected: SelectedItem, result: FlipResult) -> dict[str, Any]:
    """The item record (the same keys as a suite item's), with the search in `fields.property`.

    Verdict: "held", "flipped", "precondition_unmet", or "unscored" when the original could not
    be scored; the invariance rate counts only the first two. A flipped record shows the perturbed
    prompt and its response.
    """
    verdict = result.status if result.original.verdict != UNSCORED else UNSCORED
    shown = result.flipped or result.original
    return {
        "nodeid": nodeid,
        "suite": spec.path,
        "suite_name": spec.name,
        "dimension": spec.dimension,
        "task": spec.task,
        "item": selected.item_id,
        "category": selected.category,
        "verdict": verdict,
        "passed": result.status == "held",
        "critical": spec.critical,
        "score": None,
        "reason": result.headline(),
        "extracted": None,
        "prompt": shown.prompt,
        "response": shown.response,
        "fields": {"property": result.as_dict()},
        "cached": result.model_calls == 0,
    }
