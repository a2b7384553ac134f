"""Evaluators: response -> verdict (label, score, reason)."""

from .base import UNSCORED, Case, Evaluator, PerCaseEvaluator, ScoringMode, Verdict
from .registry import (
    EvaluatorContext,
    create_evaluator,
    known_evaluators,
    register_evaluator,
)

__all__ = [
    "UNSCORED",
    "Case",
    "Evaluator",
    "EvaluatorContext",
    "PerCaseEvaluator",
    "ScoringMode",
    "Verdict",
    "create_evaluator",
    "known_evaluators",
    "register_evaluator",
]
