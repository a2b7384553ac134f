"""Metamorphic checks for plain pytest tests: an assertion helper and a decorator."""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Literal

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from .probe import Generate, VerdictFn
from .property import DEFAULT_MAX_EXAMPLES, PHASES, find_flip
from .result import FlipResult
from .strategies import DEFAULT_MAX_STEPS, perturbations

PreconditionAction = Literal["skip", "fail", "return"]


class InvariantViolation(AssertionError):
    """A perturbation changed the verdict; the message carries the shrunk evidence."""

    def __init__(self, result: FlipResult) -> None:
        super().__init__(result.summary())
        self.result = result


def check_invariant(
    prompt: str,
    *,
    generate: Generate,
    verdict: VerdictFn,
    expected: str | Sequence[str] | None = None,
    on_precondition: PreconditionAction = "skip",
    **search: Any,
) -> FlipResult:
    """Assert that no perturbation of `prompt` moves its verdict out of `expected`.

    Raises InvariantViolation (an AssertionError) with the minimal perturbation, the perturbed
    prompt and the response. When the original prompt's verdict is not expected, the test is
    skipped, failed or the result returned, as `on_precondition` says. Other keyword arguments
    go to `find_flip` (kinds, max_steps, max_examples, call_budget, database, seed, key).
    """
    result = find_flip(prompt, generate=generate, verdict=verdict, expected=expected, **search)
    if result.status == "flipped":
        raise InvariantViolation(result)
    if result.status == "precondition_unmet" and on_precondition != "return":
        action = pytest.skip if on_precondition == "skip" else pytest.fail
        action(result.headline())
    return result


def _prompt_id(prompt: str) -> str:
    return hashlib.sha256(prompt.encode("utf-8", "surrogatepass")).hexdigest()[:10]


def metamorphic(
    prompts: Sequence[str],
    *,
    kinds: str | Iterable[str] = "all",
    max_steps: int = DEFAULT_MAX_STEPS,
    max_examples: int = DEFAULT_MAX_EXAMPLES,
    derandomize: bool = True,
    database: Any = "default",
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Run a test `test(prompt, perturbed, <fixtures...>)` on perturbed versions of each prompt.

    pytest makes one test per prompt; hypothesis draws perturbations, and a failing assertion
    is shrunk to the smallest perturbation, whose description appears in the failure report.
    With `derandomize` the draws are seeded (same examples every run) and the example database
    (hypothesis's default unless given) still replays the last failure first.
    """
    prompts = list(prompts)

    def decorate(test: Callable[..., None]) -> Callable[..., None]:
        parameters = inspect.signature(test).parameters
        missing = [name for name in ("prompt", "perturbed") if name not in parameters]
        if missing:
            raise TypeError(f"@metamorphic test {test.__name__} must take a {missing[0]!r} argument")
        fixtures = [p for name, p in parameters.items() if name not in ("prompt", "perturbed")]

        keyword = inspect.Parameter.POSITIONAL_OR_KEYWORD
        signature = inspect.Signature(
            [inspect.Parameter("prompt", keyword), inspect.Parameter("data", keyword)]
            + [p.replace(kind=keyword, default=inspect.Parameter.empty) for p in fixtures]
        )

        def run(*args: Any, **kwargs: Any) -> None:
            values = signature.bind(*args, **kwargs).arguments
            prompt, data = values.pop("prompt"), values.pop("data")
            perturbation = data.draw(perturbations(prompt, kinds, max_steps), label="perturbation")
            note(f"perturbation: {perturbation.describe()}")
            test(prompt=prompt, perturbed=perturbation.apply(prompt), **values)

        run.__signature__ = signature  # type: ignore[attr-defined]
        run.__name__, run.__qualname__, run.__module__ = test.__name__, test.__qualname__, test.__module__
        run.__doc__ = test.__doc__
        wrapped = given(data=st.data())(run)
        if derandomize:
            digest = hashlib.sha256(f"{test.__module__}.{test.__qualname__}".encode()).digest()
            wrapped = hypothesis_seed(int.from_bytes(digest[:8], "big"))(wrapped)
        options = {
            "max_examples": max_examples, "phases": PHASES, "deadline": None, "derandomize": False,
            "suppress_health_check": [HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        }
        if database != "default":
            options["database"] = database
        else:
            options["database"] = settings.default.database
        wrapped = settings(**options)(wrapped)
        ids = [_prompt_id(prompt) for prompt in prompts]
        return pytest.mark.parametrize("prompt", prompts, ids=ids)(wrapped)

    return decorate
