"""Hypothesis strategies that draw perturbations of a given text.

A draw is a list of steps; each step is two choices: a kind index and one integer that packs
all of the kind's parameters (mixed radix, the place it acts on most significant). Hypothesis
orders draws by length, then choice by choice, and shrinks lists toward fewer elements and
integers toward zero. So a shrunk perturbation has fewer steps, simpler kinds (catalogue order),
earlier places, then simpler choices; the empty draw is the identity. Two choices per step also
matter for the shrinker itself: it deletes list elements of a few choices reliably, but often
leaves a redundant step in place when each step spans five or more choices.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from hypothesis import strategies as st

from .catalog import KEY_CHOICES, KINDS, TYPO_PARAMS, WORD_OFFSETS, Kind, kind_names
from .kinds import TYPO_OPS
from .perturbation import Composite, Perturbation

DEFAULT_MAX_STEPS = 3
_TYPO_BOUNDS = (WORD_OFFSETS, len(TYPO_OPS), KEY_CHOICES)


def unpack(number: int, bounds: list[int]) -> list[int]:
    """Digits of `number` in the mixed radix `bounds`, most significant first."""
    digits = []
    for bound in reversed(bounds):
        number, digit = divmod(number, bound)
        digits.append(digit)
    return digits[::-1]


def _packed(bounds: list[int]) -> st.SearchStrategy[list[int]]:
    bounds = [max(1, bound) for bound in bounds]
    return st.integers(min_value=0, max_value=math.prod(bounds) - 1).map(lambda n: unpack(n, bounds))


def kind_params(text: str, kind: Kind) -> st.SearchStrategy[dict]:
    """The parameters of one kind, bounded by the places it can act on in `text`."""
    if kind.typo_count:
        edit_bounds = [kind.sites(text), *_TYPO_BOUNDS]

        def edits(digits: list[int]) -> dict:
            width = len(TYPO_PARAMS)
            chunks = [digits[i : i + width] for i in range(0, len(digits), width)]
            return {"edits": tuple(dict(zip(TYPO_PARAMS, chunk)) for chunk in chunks)}

        return _packed(edit_bounds * kind.typo_count).map(edits)
    bounds = ([kind.sites(text)] if kind.site_param else []) + list(kind.choices.values())
    return _packed(bounds).map(lambda digits: dict(zip(kind.params, digits)))


def applicable_kinds(text: str, kinds: str | Iterable[str] = "all") -> tuple[str, ...]:
    """The selected kinds that can change `text` (a prompt with no synonym gets no word_change)."""
    return tuple(name for name in kind_names(kinds) if KINDS[name].sites(text) > 0)


@st.composite
def _step(draw: st.DrawFn, text: str, kinds: tuple[str, ...]) -> Perturbation:
    kind = KINDS[draw(st.sampled_from(kinds))]
    return Perturbation(kind.name, draw(kind_params(text, kind)))


def single_perturbations(text: str, kinds: str | Iterable[str] = "all") -> st.SearchStrategy[Perturbation]:
    """One perturbation step of one of `kinds`, bound to `text` for its description."""
    usable = applicable_kinds(text, kinds)
    if not usable:
        return st.nothing()
    return _step(text, usable).map(lambda step: step.bind(text))


def perturbations(
    text: str, kinds: str | Iterable[str] = "all", max_steps: int = DEFAULT_MAX_STEPS
) -> st.SearchStrategy[Composite]:
    """Compositions of 0 to `max_steps` steps, bound to `text`; shrinks toward the identity."""
    if max_steps < 0:
        raise ValueError(f"max_steps must be 0 or more, got {max_steps}")
    usable = applicable_kinds(text, kinds)
    if not usable or max_steps == 0:
        return st.just(Composite(origin=text))
    return st.lists(_step(text, usable), max_size=max_steps).map(lambda drawn: Composite(drawn).bind(text))


def perturbed_texts(
    text: str, kinds: str | Iterable[str] = "all", max_steps: int = DEFAULT_MAX_STEPS
) -> st.SearchStrategy[str]:
    """Just the perturbed text, for tests that do not need the description."""
    return perturbations(text, kinds, max_steps).map(lambda perturbation: perturbation.apply(text))
