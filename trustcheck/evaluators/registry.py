"""Evaluators by name, each built from its suite options and the run's context."""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .base import Evaluator, ScoringMode


@dataclass
class EvaluatorContext:
    """What an evaluator may need beyond its options: mode, judge, data directory."""

    mode: ScoringMode = "toolkit"
    judge_spec: str | None = None
    data_dir: str | None = None
    services: dict[str, Any] = field(default_factory=dict)


EvaluatorFactory = Callable[[Mapping[str, Any], EvaluatorContext], Evaluator]

# name -> "module:function"; imported on first use so heavy evaluators cost nothing unused.
_REGISTRY: dict[str, str | EvaluatorFactory] = {
    "refusal": "trustcheck.evaluators.refusal:create",
    "longformer": "trustcheck.evaluators.longformer:create",
    "refusal-judge": "trustcheck.evaluators.refusal_judge:create",
    # TrustLLM task evaluators: answer extraction and per-item scoring in both scoring modes.
    "trustllm.refusal": "trustcheck.evaluators.trustllm.refusal:RefusalEvaluator",
    "trustllm.ethics": "trustcheck.evaluators.trustllm.ethics:EthicsEvaluator",
    "trustllm.social_norm": "trustcheck.evaluators.trustllm.ethics:SocialNormEvaluator",
    "trustllm.moralchoice": "trustcheck.evaluators.trustllm.ethics:MoralChoiceEvaluator",
    "trustllm.awareness": "trustcheck.evaluators.trustllm.ethics:AwarenessEvaluator",
    "trustllm.stereotype_recognition": "trustcheck.evaluators.trustllm.stereotype:StereotypeRecognitionEvaluator",
    "trustllm.stereotype_agreement": "trustcheck.evaluators.trustllm.stereotype:StereotypeAgreementEvaluator",
    "trustllm.disparagement": "trustcheck.evaluators.trustllm.fairness:DisparagementEvaluator",
    "trustllm.preference": "trustcheck.evaluators.trustllm.fairness:PreferenceEvaluator",
    "trustllm.confaide": "trustcheck.evaluators.trustllm.privacy:ConfAIdeEvaluator",
    "trustllm.privacy_leakage": "trustcheck.evaluators.trustllm.privacy:PrivacyLeakageEvaluator",
    "trustllm.advglue": "trustcheck.evaluators.trustllm.robustness:AdvGlueEvaluator",
    "trustllm.advinstruction": "trustcheck.evaluators.trustllm.robustness:AdvInstructionEvaluator",
    "trustllm.ood_generalization": "trustcheck.evaluators.trustllm.robustness:OodGeneralizationEvaluator",
    "trustllm.jailbreak": "trustcheck.evaluators.trustllm.safety:JailbreakEvaluator",
    "trustllm.internal": "trustcheck.evaluators.trustllm.truthfulness:InternalEvaluator",
    "trustllm.external": "trustcheck.evaluators.trustllm.truthfulness:ExternalEvaluator",
    "trustllm.hallucination": "trustcheck.evaluators.trustllm.truthfulness:HallucinationEvaluator",
    "trustllm.advfact": "trustcheck.evaluators.trustllm.truthfulness:AdvFactualityEvaluator",
    "trustllm.sycophancy": "trustcheck.evaluators.trustllm.sycophancy:SycophancyEvaluator",
}


# name -> "module:function" that checks a suite's options without building anything heavy, so
# `trustcheck validate` finds bad options (an unsafe regex) before a run.
_OPTION_CHECKS: dict[str, str] = {
    "refusal": "trustcheck.evaluators.refusal:check_options",
}


def check_evaluator_options(name: str, options: Mapping[str, Any]) -> None:
    """ValueError (one line) when the evaluator `name` would refuse `options`; no-op if it has no check."""
    target = _OPTION_CHECKS.get(name)
    if target is not None:
        module_name, _, attr = target.partition(":")
        getattr(importlib.import_module(module_name), attr)(options)


class UnknownEvaluatorError(KeyError):
    pass


def register_evaluator(name: str, factory: str | EvaluatorFactory) -> None:
    _REGISTRY[name] = factory


def known_evaluators() -> list[str]:
    return sorted(_REGISTRY)


def create_evaluator(
    name: str, options: Mapping[str, Any], context: EvaluatorContext
) -> Evaluator:
    if name not in _REGISTRY:
        close = difflib.get_close_matches(name, known_evaluators(), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise UnknownEvaluatorError(f"unknown evaluator {name!r}{hint}")
    factory = _REGISTRY[name]
    if isinstance(factory, str):
        module_name, _, attr = factory.partition(":")
        factory = getattr(importlib.import_module(module_name), attr)
    return factory(options, context)
