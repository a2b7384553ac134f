"""Regular expressions a suite supplies: rejected when they can backtrack catastrophically, and
matched under a time bound in any case.

Two guards, because neither alone is enough:

- At validation, a pattern is rejected when a repeated group holds a part of variable length
  whose end is not fixed by what follows it: `(a+)+`, `(\\w+\\s?)*`, `(a|aa)+`, `(.*,){12}`. Such a
  group can split one text into its repetitions in exponentially many ways, and a backtracking
  engine tries them all when the match fails. `(?:\\w+ )+` passes: the space ends each word.
  Atomic groups and possessive quantifiers never backtrack and always pass.
- At matching, the `regex` engine runs with a timeout, so what the check cannot see (a chain of
  overlapping repeats such as `\\w*\\w*\\w*\\w*!`, polynomial but slow) fails one item in one line
  instead of hanging the run.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import regex

from .terminal_text import bounded_repr

try:  # Python 3.11+
    from re import _constants as sre_constants
    from re import _parser as sre_parse
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

MATCH_SECONDS = 1.0

_C = sre_constants
_REPEATS = {_C.MAX_REPEAT, _C.MIN_REPEAT}
_NEVER_BACKTRACK = {getattr(_C, name) for name in ("POSSESSIVE_REPEAT", "ATOMIC_GROUP") if hasattr(_C, name)}
_SINGLE_CHARACTER = {_C.LITERAL, _C.NOT_LITERAL, _C.IN, _C.ANY}
_CATEGORIES = {
    _C.CATEGORY_DIGIT: r"\d", _C.CATEGORY_NOT_DIGIT: r"\D", _C.CATEGORY_SPACE: r"\s",
    _C.CATEGORY_NOT_SPACE: r"\S", _C.CATEGORY_WORD: r"\w", _C.CATEGORY_NOT_WORD: r"\W",
}
# Characters tried when deciding whether two parts of a pattern can consume the same text.
_PROBES = [chr(c) for c in range(0x250)] + list("\u00a0\u2003\u3000\u4e2d\u0660\u2019\u00fc\u0416")


class PatternTimeout(Exception):
    """A suite's pattern ran past its time bound on one text."""


@dataclass(frozen=True)
class _Shape:
    """What a part of a pattern can do: its length range and the characters it can consume."""

    fixed: bool
    variable_inside: bool
    characters: frozenset[str]


def _atom_matches(op: Any, av: Any, char: str, flags: int) -> bool:
    variants = {char, char.lower(), char.upper()} if flags & re.IGNORECASE else {char}
    variants = {v for v in variants if len(v) == 1}
    return any(_atom_matches_exactly(op, av, v, flags) for v in variants)


def _atom_matches_exactly(op: Any, av: Any, char: str, flags: int) -> bool:
    if op is _C.ANY:
        return char != "\n" or bool(flags & re.DOTALL)
    if op is _C.LITERAL:
        return ord(char) == av
    if op is _C.NOT_LITERAL:
        return ord(char) != av
    if op is _C.IN:
        negate = any(item_op is _C.NEGATE for item_op, _ in av)
        hit = any(_set_item_matches(item_op, item_av, char) for item_op, item_av in av if item_op is not _C.NEGATE)
        return hit != negate
    return True  # an unknown single-character op: assume it overlaps


def _set_item_matches(op: Any, av: Any, char: str) -> bool:
    if op is _C.LITERAL:
        return ord(char) == av
    if op is _C.RANGE:
        return av[0] <= ord(char) <= av[1]
    if op is _C.CATEGORY:
        return re.fullmatch(_CATEGORIES.get(av, r"[\s\S]"), char) is not None
    return True


def _characters(op: Any, av: Any, flags: int) -> frozenset[str]:
    return frozenset(c for c in _PROBES if _atom_matches(op, av, c, flags))


class _Analysis:
    def __init__(self, flags: int) -> None:
        self.flags = flags
        self.problem: str | None = None

    def sequence(self, items: list[tuple[Any, Any]], repeated: bool) -> _Shape:
        """The shape of a sequence; inside a repetition, checks that each variable part is bounded."""
        flat = self._flatten(items)
        shapes = [self.element(op, av) for op, av in flat]
        if repeated:
            self._check_guarded(flat, shapes)
        return _Shape(
            fixed=all(s.fixed for s in shapes),
            variable_inside=any(not s.fixed or s.variable_inside for s in shapes),
            characters=frozenset().union(*(s.characters for s in shapes)),
        )

    def _flatten(self, items: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
        flat: list[tuple[Any, Any]] = []
        for op, av in items:
            if op is _C.SUBPATTERN:
                flat.extend(self._flatten(list(av[-1])))
            else:
                flat.append((op, av))
        return flat

    def _check_guarded(self, flat: list[tuple[Any, Any]], shapes: list[_Shape]) -> None:
        """Each variable part must be followed by a required character it cannot consume."""
        for index, shape in enumerate(shapes):
            if shape.fixed or self.problem:
                continue
            follower = flat[index + 1] if index + 1 < len(flat) else flat[0]
            op, av = follower
            if op in _SINGLE_CHARACTER and not (_characters(op, av, self.flags) & shape.characters):
                continue
            self.problem = "a repeated group holds a part of variable length that nothing after it bounds"

    def element(self, op: Any, av: Any) -> _Shape:
        if op in _SINGLE_CHARACTER:
            return _Shape(True, False, _characters(op, av, self.flags))
        if op in _NEVER_BACKTRACK:
            # Once matched, its extent is never reconsidered: as good as fixed to what surrounds it.
            body = av if op is getattr(_C, "ATOMIC_GROUP", None) else av[-1]
            return _Shape(True, False, self.sequence(list(body), repeated=False).characters)
        if op in _REPEATS:
            low, high, body = av
            inner = self.sequence(list(body), repeated=high > 1)
            return _Shape(low == high and inner.fixed, inner.variable_inside or not inner.fixed, inner.characters)
        if op is _C.BRANCH:
            branches = [self.sequence(list(b), repeated=False) for b in av[1]]
            lengths = {self._fixed_length(list(b)) for b in av[1]}
            fixed = len(lengths) == 1 and None not in lengths
            return _Shape(fixed, any(b.variable_inside for b in branches), frozenset().union(*(b.characters for b in branches)))
        if op is _C.SUBPATTERN:
            return self.sequence(list(av[-1]), repeated=False)
        if op in (_C.ASSERT, _C.ASSERT_NOT):
            self.sequence(list(av[1]), repeated=False)
            return _Shape(True, False, frozenset())
        if op is _C.GROUPREF:
            return _Shape(False, False, frozenset(_PROBES))
        return _Shape(True, False, frozenset())  # anchors, \b: consume nothing

    def _fixed_length(self, items: list[tuple[Any, Any]]) -> int | None:
        low, high = sre_parse.SubPattern(sre_parse.State(), items).getwidth()
        return low if low == high else None


def catastrophic_reason(source: str, flags: int = re.IGNORECASE) -> str | None:
    """Why `source` can backtrack catastrophically, or None when no such construct is found."""
    parsed = sre_parse.parse(source, flags)
    analysis = _Analysis(parsed.state.flags)
    analysis.sequence(list(parsed), repeated=False)
    return analysis.problem


class BoundedPattern:
    """A suite's pattern, matched by the `regex` engine under a time bound."""

    def __init__(self, source: str, flags: int = re.IGNORECASE, seconds: float = MATCH_SECONDS) -> None:
        self.pattern = source
        self.seconds = seconds
        self._compiled = regex.compile(source, (regex.IGNORECASE if flags & re.IGNORECASE else 0) | regex.VERSION0)

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None) -> Iterator[Any]:
        try:
            found = list(self._compiled.finditer(text, pos, endpos if endpos is not None else len(text), timeout=self.seconds))
        except TimeoutError:
            raise PatternTimeout(f"pattern {self.pattern[:60]!r} ran longer than {self.seconds:g} s on one text") from None
        return iter(found)

    def search(self, text: str, pos: int = 0, endpos: int | None = None) -> Any:
        try:
            return self._compiled.search(text, pos, endpos if endpos is not None else len(text), timeout=self.seconds)
        except TimeoutError:
            raise PatternTimeout(f"pattern {self.pattern[:60]!r} ran longer than {self.seconds:g} s on one text") from None


def compile_suite_pattern(source: str, flags: int = re.IGNORECASE) -> BoundedPattern:
    """The pattern, bounded; ValueError (one line) when it is invalid or can backtrack catastrophically."""
    try:
        reason = catastrophic_reason(source, flags)
    except (re.error, RecursionError, OverflowError) as error:
        raise ValueError(f"invalid regular expression {bounded_repr(source)}: {error}") from None
    if reason:
        raise ValueError(
            f"{bounded_repr(source)}: {reason}, so matching can take exponential time; make the part's end unambiguous, or use "
            "an atomic group (?>...) or a possessive quantifier (a++)"
        )
    try:
        return BoundedPattern(source, flags)
    except regex.error as error:
        raise ValueError(f"invalid regular expression {bounded_repr(source)}: {error}") from None
