"""The perturbation kinds: one pure function each, from (text, integer parameters) to an Edit.

Every parameter is an integer index that wraps around the places a kind can act on, so any draw
is valid for any text, and 0 always means "the first place, the first choice". That is what
lets hypothesis shrink a perturbation toward the earliest, simplest change.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence

from .tables import (
    ARTICLES,
    GRAMMAR_SWAPS,
    HOMOGLYPHS,
    HTML_INNER_TAGS,
    HTML_OUTER_TAGS,
    KEYBOARD_NEIGHBOURS,
    LEET,
    MARKDOWN_STYLES,
    PUNCTUATION_MARKS,
    SYNONYMS,
    URL_SITES,
)
from .text import Edit, match_case, pick, quote, splice, unchanged, word_number, words

ALPHABET = "abcdefghijklmnopqrstuvwxyz"
CASE_STYLES = ("upper", "lower", "title", "swapcase")
PUNCTUATION_OPS = ("insert", "delete", "replace")
TYPO_OPS = ("swap", "drop", "double", "neighbour")


def case(text: str, word: int = 0, style: int = 0) -> Edit:
    match = pick(words(text), word)
    if match is None:
        return unchanged(text, "case: no word")
    old = match.group()
    for shift in range(len(CASE_STYLES)):
        name = CASE_STYLES[(style + shift) % len(CASE_STYLES)]
        new = getattr(old, name)()
        if new != old:
            number = word_number(text, match.start())
            return Edit(splice(text, *match.span(), new), f"case ({name}): {quote(old)}→{quote(new)} at word {number}")
    return unchanged(text, f"case: {quote(old)} has no case")


def _punctuation_positions(text: str) -> list[int]:
    return [i for i, ch in enumerate(text) if unicodedata.category(ch).startswith("P")]


def punctuation(text: str, op: int = 0, position: int = 0, mark: int = 0) -> Edit:
    name = PUNCTUATION_OPS[op % len(PUNCTUATION_OPS)]
    new_mark = pick(PUNCTUATION_MARKS, mark)
    marks_at = _punctuation_positions(text)
    if name == "insert" or not marks_at:
        match = pick(words(text), position)
        at = match.end() if match else len(text)
        where = f"after word {word_number(text, match.start())}" if match else "at the end"
        return Edit(splice(text, at, at, new_mark), f"punctuation: inserted {quote(new_mark)} {where}")
    at = pick(marks_at, position)
    old = text[at]
    if name == "delete":
        return Edit(splice(text, at, at + 1, ""), f"punctuation: deleted {quote(old)} at character {at + 1}")
    if new_mark == old:
        new_mark = pick(PUNCTUATION_MARKS, mark + 1)
    return Edit(splice(text, at, at + 1, new_mark), f"punctuation: {quote(old)}→{quote(new_mark)} at character {at + 1}")


def space_in_word(text: str, word: int = 0, offset: int = 0) -> Edit:
    match = pick([m for m in words(text) if len(m.group()) > 1], word)
    if match is None:
        return unchanged(text, "space in word: no word of two letters or more")
    old = match.group()
    cut = 1 + offset % (len(old) - 1)
    new = f"{old[:cut]} {old[cut:]}"
    number = word_number(text, match.start())
    return Edit(splice(text, *match.span(), new), f"space in word: {quote(old)}→{quote(new)} at word {number}")


def letter_change(text: str, word: int = 0, offset: int = 0, letter: int = 0) -> Edit:
    match = pick(words(text), word)
    if match is None:
        return unchanged(text, "letter change: no word")
    old = match.group()
    at = offset % len(old)
    replacement = pick(ALPHABET, letter)
    if replacement == old[at].lower():
        replacement = pick(ALPHABET, letter + 1)
    if old[at].isupper():
        replacement = replacement.upper()
    new = old[:at] + replacement + old[at + 1:]
    number = word_number(text, match.start())
    return Edit(splice(text, *match.span(), new), f"letter change: {quote(old)}→{quote(new)} at word {number}")


def _typo_in_word(word: str, offset: int, op: int, key: int) -> tuple[str, str]:
    """Apply the first typo operation, starting at `op`, that changes the word."""
    for shift in range(len(TYPO_OPS)):
        name = TYPO_OPS[(op + shift) % len(TYPO_OPS)]
        at = offset % len(word)
        if name == "swap" and len(word) > 1:
            at = offset % (len(word) - 1)
            new = word[:at] + word[at + 1] + word[at] + word[at + 2:]
        elif name == "drop" and len(word) > 1:
            new = word[:at] + word[at + 1:]
        elif name == "double":
            new = word[:at + 1] + word[at:]
        elif name == "neighbour" and word[at].lower() in KEYBOARD_NEIGHBOURS:
            near = pick(KEYBOARD_NEIGHBOURS[word[at].lower()], key)
            new = word[:at] + (near.upper() if word[at].isupper() else near) + word[at + 1:]
        else:
            continue
        if new != word:
            return new, name
    return word, "none"


def typo(text: str, word: int = 0, offset: int = 0, op: int = 0, key: int = 0) -> Edit:
    edit = typos(text, ({"word": word, "offset": offset, "op": op, "key": key},))
    return Edit(edit.text, edit.summary.replace("1 typos", "typo", 1))


def typos(text: str, edits: Sequence[Mapping[str, int]] = ()) -> Edit:
    """Several typos, each in a different word while there are words left."""
    used: set[int] = set()
    changes = []
    for edit in edits:
        spans = words(text)
        if not spans:
            return unchanged(text, "typos: no word")
        index = edit.get("word", 0) % len(spans)
        free = [i for i in range(len(spans)) if i not in used]
        if index in used and free:
            index = min(free, key=lambda i: (i - index) % len(spans))
        used.add(index)
        match = spans[index]
        new, name = _typo_in_word(match.group(), edit.get("offset", 0), edit.get("op", 0), edit.get("key", 0))
        text = splice(text, *match.span(), new)
        changes.append(f"{quote(match.group())}→{quote(new)} ({name}) at word {index + 1}")
    return Edit(text, f"{len(changes)} typos: " + "; ".join(changes))


def leetspeak(text: str, position: int = 0) -> Edit:
    at = pick([i for i, ch in enumerate(text) if ch.lower() in LEET], position)
    if at is None:
        return unchanged(text, "leetspeak: no letter with a leet form")
    return _swap_char(text, at, LEET[text[at].lower()], "leetspeak")


def homoglyph(text: str, position: int = 0, variant: int = 0) -> Edit:
    at = pick([i for i, ch in enumerate(text) if ch in HOMOGLYPHS], position)
    if at is None:
        return unchanged(text, "homoglyph: no letter with a lookalike")
    glyph = pick(HOMOGLYPHS[text[at]], variant)
    edit = _swap_char(text, at, glyph, "homoglyph")
    return Edit(edit.text, f"{edit.summary} ({quote(text[at])}→U+{ord(glyph):04X} {unicodedata.name(glyph)})")


def _swap_char(text: str, at: int, new_char: str, label: str) -> Edit:
    new_text = splice(text, at, at + 1, new_char)
    for number, match in enumerate(words(text), start=1):
        if match.start() <= at < match.end():
            new_word = new_text[match.start():match.end()]
            return Edit(new_text, f"{label}: {quote(match.group())}→{quote(new_word)} at word {number}")
    return Edit(new_text, f"{label}: {quote(text[at])}→{quote(new_char)} at character {at + 1}")


def word_change(text: str, word: int = 0, choice: int = 0) -> Edit:
    match = pick([m for m in words(text) if m.group().lower() in SYNONYMS], word)
    if match is None:
        return unchanged(text, "word change: no word with a known synonym")
    old = match.group()
    new = match_case(old, pick(SYNONYMS[old.lower()], choice))
    number = word_number(text, match.start())
    return Edit(splice(text, *match.span(), new), f"word change: {quote(old)}→{quote(new)} at word {number}")


def grammatical_error(text: str, word: int = 0) -> Edit:
    spans = words(text)
    match = pick(spans, word)
    if match is None:
        return unchanged(text, "grammatical error: no word")
    old, number = match.group(), spans.index(match) + 1
    lower = old.lower()
    if lower in ARTICLES:
        end = match.end() + (1 if text[match.end():match.end() + 1] == " " else 0)
        return Edit(splice(text, match.start(), end, ""), f"grammatical error: dropped {quote(old)} at word {number}")
    if lower in GRAMMAR_SWAPS:
        new = match_case(old, GRAMMAR_SWAPS[lower])
    elif lower.endswith("s") and len(old) > 3:
        new = old[:-1]
    else:
        new = old + ("S" if old.isupper() and len(old) > 1 else "s")
    return Edit(splice(text, *match.span(), new), f"grammatical error: {quote(old)}→{quote(new)} at word {number}")


def one_url(text: str, site: int = 0, place: int = 0) -> Edit:
    url = "https://" + pick(URL_SITES, site)
    if place % 2 == 0:
        return Edit(f"{url} {text}", f"one URL: inserted {quote(url)} at the start")
    return Edit(f"{text} {url}", f"one URL: inserted {quote(url)} at the end")


def detail_url(text: str, word: int = 0, site: int = 0, style: int = 0) -> Edit:
    match = pick(words(text), word)
    if match is None:
        return unchanged(text, "detail URL: no word")
    old = match.group()
    url = f"https://{pick(URL_SITES, site)}/{old}"
    new = f"[{url}]{old}" if style % 2 == 0 else f"[{old}]({url})"
    number = word_number(text, match.start())
    return Edit(splice(text, *match.span(), new), f"detail URL: {quote(old)}→{quote(new)} at word {number}")


def latex_markdown(text: str, word: int = 0, span: int = 0, style: int = 0) -> Edit:
    spans = words(text)
    first = pick(spans, word)
    if first is None:
        return unchanged(text, "LaTeX/Markdown: no word")
    start_index = spans.index(first)
    last = spans[min(start_index + span % len(spans), len(spans) - 1)]
    old = text[first.start():last.end()]
    new = pick(MARKDOWN_STYLES, style).format(old)
    summary = f"LaTeX/Markdown: {quote(old)}→{quote(new)} at word {start_index + 1}"
    return Edit(splice(text, first.start(), last.end(), new), summary)


def html(text: str, outer: int = 0, inner: int = 0, word: int = 0) -> Edit:
    outer_tag, inner_tag = pick(HTML_OUTER_TAGS, outer), pick(HTML_INNER_TAGS, inner)
    summary = f"HTML: wrapped in <{outer_tag}>…</{outer_tag}>"
    match = pick(words(text), word) if inner_tag else None
    if match is not None:
        new = f"<{inner_tag}>{match.group()}</{inner_tag}>"
        summary += f", {quote(match.group())}→{quote(new)} at word {word_number(text, match.start())}"
        text = splice(text, *match.span(), new)
    return Edit(f"<{outer_tag}>{text}</{outer_tag}>", summary)
