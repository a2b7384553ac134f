"""Text helpers the perturbation kinds share: words, splicing, quoting, case matching."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple, TypeVar

T = TypeVar("T")

# A word is a run of letters: digits and underscores split words, so positions always land on letters.
WORD = re.compile(r"[^\W\d_]+")


class Edit(NamedTuple):
    """What one perturbation did: the new text and a readable account of the change."""

    text: str
    summary: str


def words(text: str) -> list[re.Match[str]]:
    return list(WORD.finditer(text))


def pick(options: Sequence[T], index: int) -> T | None:
    """The index-th option, wrapping around, so any integer is a valid draw for any text."""
    return options[index % len(options)] if options else None


def splice(text: str, start: int, end: int, new: str) -> str:
    return text[:start] + new + text[end:]


def quote(fragment: str) -> str:
    """Quote a fragment for a description without doubling backslashes in LaTeX markup."""
    shown = fragment if fragment.isprintable() else repr(fragment)[1:-1]
    return f"'{shown}'"


def word_number(text: str, index: int) -> int | None:
    """1-based number of the word that contains character `index`, if any."""
    for number, match in enumerate(words(text), start=1):
        if match.start() <= index < match.end():
            return number
    return None


def match_case(template: str, word: str) -> str:
    """Give `word` the capitalisation of `template` (all caps, capitalised or as is)."""
    if len(template) > 1 and template.isupper():
        return word.upper()
    if template[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def unchanged(text: str, why: str) -> Edit:
    return Edit(text, f"{why}: unchanged")
