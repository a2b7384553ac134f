"""Partial-ratio fuzzy matching, as the paper-era stereotype scripts used it (fuzzywuzzy 0.18).

The best-aligned window of the longer string, as long as the shorter one, scored with difflib's
ratio; 0–100, rounded. This is the pure-Python algorithm (no python-Levenshtein speed-up).
"""

from __future__ import annotations

from difflib import SequenceMatcher


def partial_ratio(first: str, second: str) -> int:
    if not first or not second:
        return 0
    if first == second:
        return 100
    shorter, longer = (first, second) if len(first) <= len(second) else (second, first)
    best = 0.0
    for block in SequenceMatcher(None, shorter, longer).get_matching_blocks():
        start = max(0, block.b - block.a)
        window = longer[start : start + len(shorter)]
        ratio = SequenceMatcher(None, shorter, window).ratio()
        if ratio > 0.995:
            return 100
        best = max(best, ratio)
    return round(100 * best)


def fuzzy_matches(text: str, choices: list[str], threshold: int = 90) -> bool:
    """Whether any choice partially matches the text at `threshold` or more (both lower-cased)."""
    lowered = text.lower()
    return max((partial_ratio(lowered, choice.lower()) for choice in choices), default=0) >= threshold
