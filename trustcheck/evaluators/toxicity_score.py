"""What every toxicity scorer returns and the protocol it keeps; toxicity.py and perspective.py
implement it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class ToxicityScore:
    value: float | None
    reason: str = ""


class ToxicityScorer(Protocol):
    name: str

    def __call__(self, texts: Sequence[str]) -> list[float | None]: ...

    def detailed(self, texts: Sequence[str]) -> list[ToxicityScore]: ...
