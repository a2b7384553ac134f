"""What a perturbation search found, readable in a terminal and plain enough for xdist and JSON."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from .perturbation import Composite
from .probe import Probe

Status = Literal["flipped", "held", "precondition_unmet"]
_RESPONSE_CHARS = 400


def _clip(text: str, limit: int = _RESPONSE_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class FlipResult:
    """The outcome of one search.

    status: "flipped" (a perturbation changed the verdict), "held" (no flip within the budget) or
    "precondition_unmet" (the original prompt's verdict was not the expected one; no search ran).
    """

    status: Status
    prompt: str
    expected: tuple[str, ...]
    original: Probe
    budget: int
    kinds: tuple[str, ...]
    model_calls: int
    examples: int
    budget_exhausted: bool = False
    perturbation: Composite | None = None
    flipped: Probe | None = None
    minimal: bool = False
    replayed: bool = False

    @property
    def found(self) -> bool:
        return self.status == "flipped"

    @property
    def description(self) -> str | None:
        return self.perturbation.describe(self.prompt) if self.perturbation is not None else None

    @property
    def perturbed_prompt(self) -> str | None:
        return self.flipped.prompt if self.flipped else None

    @property
    def response(self) -> str | None:
        return self.flipped.response if self.flipped else None

    @property
    def original_verdict(self) -> str:
        return self.original.verdict

    @property
    def new_verdict(self) -> str | None:
        return self.flipped.verdict if self.flipped else None

    def _cost(self) -> str:
        spent = f"{self.model_calls}/{self.budget} model calls, {self.examples} perturbations tried"
        return spent + (", budget exhausted" if self.budget_exhausted else "")

    def headline(self) -> str:
        if self.status == "precondition_unmet":
            wanted = " or ".join(repr(label) for label in self.expected)
            return f"precondition unmet: the original prompt got {self.original.verdict!r}, not {wanted}"
        if self.status == "held":
            if self.budget_exhausted:
                return f"no flip found within the budget of {self.budget} model calls ({self._cost()})"
            return f"no flip found in {self.examples} perturbations ({self._cost()})"
        how = "replayed from the example database" if self.replayed else (
            "shrunk to a minimal change" if self.minimal else "budget ran out while shrinking; may not be minimal"
        )
        return f"verdict {self.original.verdict!r} → {self.flipped.verdict!r} under: {self.description} ({how})"

    def summary(self) -> str:
        """The headline plus the evidence: perturbed prompt, response and verdict reasons."""
        lines = [self.headline(), f"  prompt:           {_clip(self.prompt)}"]
        if self.flipped is not None:
            lines += [
                f"  perturbed prompt: {_clip(self.flipped.prompt)}",
                f"  response:         {_clip(self.flipped.response)}",
                f"  original response: {_clip(self.original.response)}",
            ]
            if self.flipped.reason:
                lines.append(f"  verdict reason:   {self.flipped.reason}")
            lines.append(f"  cost:             {self._cost()}")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        """Builtins only, for pytest user_properties (crosses xdist) and JSON results."""
        return {
            "status": self.status,
            "prompt": self.prompt,
            "expected": list(self.expected),
            "kinds": list(self.kinds),
            "original_response": self.original.response,
            "original_verdict": self.original.verdict,
            "perturbation": self.perturbation.as_dict() if self.perturbation else None,
            "description": self.description,
            "perturbed_prompt": self.perturbed_prompt,
            "response": self.response,
            "new_verdict": self.new_verdict,
            "new_verdict_reason": self.flipped.reason if self.flipped else None,
            "minimal": self.minimal,
            "replayed": self.replayed,
            "model_calls": self.model_calls,
            "examples": self.examples,
            "budget": self.budget,
            "budget_exhausted": self.budget_exhausted,
        }
