"""Hypothesis strategies that draw perturbations of a given text.

Every draw is a list of steps, each a kind index then integer parameters. Hypothesis shrinks
lists toward fewer elements and integers toward zero, so a shrunk perturbation has fewer steps,
simpler kinds (catalogue order) and earlier positions; the empty draw is the identity.
"""

from __future__ import annotations

from typing import Iterable

from hypothesis import strategies as st

from .catalog import KINDS, TYPO_PARAMS, WORD_OFFSETS, KEY_CHOICES, Kind, kind_names
from .perturbation import Composite, Perturbation
from .kinds import TYPO_OPS

DEFAULT_MAX_STEPS = 3
_TYPO_BOUNDS = {"offset": WORD_OFFSETS, "op": len(TYPO_OPS), "key": KEY_CHOICES}


def _index(count: int) -> st.SearchStrategy[int]:
    return st.integers(min_value=0, max_value=max(0, count - 1))


def _typo_edits(text: str, count: int) -> st.SearchStrategy[tuple[dict[str, int], ...]]:
    bounds = {"word": KINDS["typo"].sites(text), **_TYPO_BOUNDS}
    edit = st.fixed_dictionaries({name: _index(bounds[name]) for name in TYPO_PARAMS})
    return st.lists(edit, min_size=count, max_size=count).map(tuple)


def kind_params(text: str, kind: Kind) -> st.SearchStrategy[dict]:
    """The parameters of one kind, bounded by the places it can act on in `text`."""
    if kind.typo_count:
        return st.fixed_dictionaries({"edits": _typo_edits(text, kind.typo_count)})
    fields = {}
    if kind.site_param:
        fields[kind.site_param] = _index(kind.sites(text))
    fields.update({name: _index(count) for name, count in kind.choices.items()})
    return st.fixed_dictionaries(fields)


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
