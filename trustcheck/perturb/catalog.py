"""The catalogue of perturbation kinds: their parameters, groups and AdvInstruction names.

The catalogue order is the simplicity order hypothesis shrinks toward: character-level edits
first, then word-level edits, multi-typo edits, and finally insertions and markup wrappers.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from . import kinds as k
from .tables import (
    HOMOGLYPHS,
    HTML_INNER_TAGS,
    HTML_OUTER_TAGS,
    LEET,
    MARKDOWN_STYLES,
    PUNCTUATION_MARKS,
    SYNONYMS,
    URL_SITES,
)
from .text import Edit, words

# How many values the within-word parameters take; indices wrap, so these only bound the search.
WORD_OFFSETS = 16
KEY_CHOICES = 8
TYPO_PARAMS = ("word", "offset", "op", "key")


def _word_count(text: str) -> int:
    return len(words(text))


def _long_word_count(text: str) -> int:
    return sum(1 for match in words(text) if len(match.group()) > 1)


def _synonym_count(text: str) -> int:
    return sum(1 for match in words(text) if match.group().lower() in SYNONYMS)


def _char_count(table: Mapping[str, object], lowercase: bool) -> Callable[[str], int]:
    def count(text: str) -> int:
        return sum(1 for ch in text if (ch.lower() if lowercase else ch) in table)

    return count


def _always(text: str) -> int:
    return 1


@dataclass(frozen=True)
class Kind:
    """One perturbation kind and the shape of its parameters."""

    name: str
    edit: Callable[..., Edit]
    sites: Callable[[str], int]  # places it can act on in a text; 0 means it does nothing there
    site_param: str | None  # the parameter that picks the place; bounded by `sites`
    choices: Mapping[str, int] = field(default_factory=dict)  # other parameters and their value counts
    typo_count: int = 0  # > 0: the parameters are `edits`, this many typos in different words
    advinstruction: str | None = None  # the `type` of AdvInstruction.json this kind reproduces

    @property
    def params(self) -> tuple[str, ...]:
        if self.typo_count:
            return ("edits",)
        return ((self.site_param,) if self.site_param else ()) + tuple(self.choices)


def _typos(count: int, name: str, label: str) -> Kind:
    return Kind(name, k.typos, _word_count, None, typo_count=count, advinstruction=label)


_CATALOGUE = (
    Kind("case", k.case, _word_count, "word", {"style": len(k.CASE_STYLES)}),
    Kind("punctuation", k.punctuation, lambda t: _word_count(t) + 1, "position",
         {"op": len(k.PUNCTUATION_OPS), "mark": len(PUNCTUATION_MARKS)}),
    Kind("space_in_word", k.space_in_word, _long_word_count, "word", {"offset": WORD_OFFSETS},
         advinstruction="space in mid of words"),
    Kind("letter_change", k.letter_change, _word_count, "word", {"offset": WORD_OFFSETS, "letter": 26},
         advinstruction="letter_change"),
    Kind("typo", k.typo, _word_count, "word",
         {"offset": WORD_OFFSETS, "op": len(k.TYPO_OPS), "key": KEY_CHOICES}),
    Kind("leetspeak", k.leetspeak, _char_count(LEET, lowercase=True), "position"),
    Kind("homoglyph", k.homoglyph, _char_count(HOMOGLYPHS, lowercase=False), "position", {"variant": 2}),
    Kind("grammatical_error", k.grammatical_error, _word_count, "word", advinstruction="grammatical error"),
    Kind("word_change", k.word_change, _synonym_count, "word", {"choice": 3}, advinstruction="word_change"),
    _typos(3, "three_typos", "Misspelling of words (three typos)"),
    _typos(4, "four_typos", "Misspelling of words (four typos)"),
    _typos(5, "five_typos", "Misspelling of words (five typos)"),
    Kind("one_url", k.one_url, _always, None, {"site": len(URL_SITES), "place": 2}, advinstruction="one_url"),
    Kind("detail_url", k.detail_url, _word_count, "word", {"site": len(URL_SITES), "style": 2},
         advinstruction="detail_url"),
    Kind("latex_markdown", k.latex_markdown, _word_count, "word", {"span": 3, "style": len(MARKDOWN_STYLES)},
         advinstruction="latex_markdown"),
    Kind("html", k.html, lambda t: max(1, _word_count(t)), "word",
         {"outer": len(HTML_OUTER_TAGS), "inner": len(HTML_INNER_TAGS)}, advinstruction="html_others"),
)

KINDS: dict[str, Kind] = {kind.name: kind for kind in _CATALOGUE}
ORDER: dict[str, int] = {name: rank for rank, name in enumerate(KINDS)}

ADVINSTRUCTION_KINDS: tuple[str, ...] = tuple(kind.name for kind in _CATALOGUE if kind.advinstruction)
# AdvInstruction's own `type` strings are accepted as aliases of the kinds that reproduce them.
ALIASES: dict[str, str] = {kind.advinstruction: kind.name for kind in _CATALOGUE if kind.advinstruction}

GROUPS: dict[str, tuple[str, ...]] = {
    "all": tuple(KINDS),
    "advinstruction": ADVINSTRUCTION_KINDS,
    "typos": ("typo", "three_typos", "four_typos", "five_typos"),
    "character": ("case", "punctuation", "space_in_word", "letter_change", "typo", "leetspeak", "homoglyph"),
    "word": ("grammatical_error", "word_change"),
    "format": ("one_url", "detail_url", "latex_markdown", "html"),
}


class UnknownKindError(ValueError):
    """A perturbation kind or group name that the catalogue does not know."""


def known_names() -> list[str]:
    return sorted({*KINDS, *GROUPS, *ALIASES})


def kind_names(selection: str | Iterable[str] = "all") -> tuple[str, ...]:
    """Expand kind, group and alias names into distinct kinds, in the catalogue's simplicity order."""
    names = [selection] if isinstance(selection, str) else list(selection)
    chosen: set[str] = set()
    for name in names:
        if name in GROUPS:
            chosen.update(GROUPS[name])
        elif name in KINDS or name in ALIASES:
            chosen.add(ALIASES.get(name, name))
        else:
            close = difflib.get_close_matches(str(name), known_names(), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise UnknownKindError(f"unknown perturbation kind {name!r}{hint}")
    if not chosen:
        raise UnknownKindError("no perturbation kind selected")
    return tuple(sorted(chosen, key=ORDER.__getitem__))
