"""Builds `EvaluatorContext.services` from a run's options; the core plugin calls it once.

Building is cheap and checks every option at once, so a typo fails the run before any model
loads; the heavy parts (classifier and embedding weights, the judge model, profanity-check's
scikit-learn model) load on first use and are shared by every later build in the process.

Config keys (all optional):
  refusal              evaluator name for the "refusal" service: refusal (keyword detector,
                       the default) | longformer | refusal-judge | any registered evaluator
  refusal_options      options for that evaluator (e.g. {"model": DIR} for longformer)
  judge                backend spec of the LLM judge (`--trust-judge`); absent -> no "judge"
  judge_cache          object with get(key)/put(key, text) that stores judge answers
  judge_max_new_tokens answer length limit for the judge (default 128)
  backend_options      trustcheck.backends.registry.BackendOptions for the judge model
  toxicity             provider spec (default "profanity-check"; see toxicity.py); "none" -> absent
  toxicity_options     provider keyword options (e.g. {"qps": 5} for perspective)
  embeddings           provider spec (default "minilm"; see embeddings.py); "none" -> absent
  embeddings_options   provider keyword options (e.g. {"batch_size": 64})
  device               device for local evaluator models (default "auto")
  mode                 "toolkit" | "paper" (picks Perspective's span or summary score)
  data_dir             the dataset location (a directory or dataset.zip)
A None value means the default, so unset command-line options can be passed through as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .embeddings import DEFAULT_PROVIDER as DEFAULT_EMBEDDINGS
from .embeddings import create_embedder
from .errors import EvaluatorError
from .judge import DEFAULT_MAX_NEW_TOKENS, create_judge
from .registry import EvaluatorContext, UnknownEvaluatorError, create_evaluator
from .toxicity import DEFAULT_PROVIDER as DEFAULT_TOXICITY
from .toxicity import create_toxicity

DEFAULT_REFUSAL = "refusal"
DISABLED = "none"
# Evaluators that take a `device` option; others would reject it as unknown.
_DEVICE_EVALUATORS = {"longformer"}
_KEYS = {
    "refusal", "refusal_options", "judge", "judge_cache", "judge_max_new_tokens",
    "backend_options", "toxicity", "toxicity_options", "embeddings", "embeddings_options",
    "device", "mode", "data_dir",
}


def build_services(config: Mapping[str, Any]) -> dict[str, object]:
    """The services under the keys "refusal", "judge" (only with a judge), "toxicity", "embed"."""
    unknown = sorted(set(config) - _KEYS)
    if unknown:
        raise EvaluatorError(
            f"evaluation services: unknown setting {unknown[0]!r} (known: {', '.join(sorted(_KEYS))})"
        )
    services: dict[str, object] = {}
    judge = _judge(config)
    if judge is not None:
        services["judge"] = judge
    toxicity = _toxicity(config)
    if toxicity is not None:
        services["toxicity"] = toxicity
    embed = _embed(config)
    if embed is not None:
        services["embed"] = embed
    # Built last so that a refusal-judge evaluator finds the judge in the same services.
    services["refusal"] = _refusal(config, services)
    return services


def describe_services(services: Mapping[str, object]) -> dict[str, str]:
    """Which implementation serves each key, for run metadata and reports."""
    return {
        key: str(getattr(service, "label", None) or getattr(service, "name", type(service).__name__))
        for key, service in sorted(services.items())
    }


def _judge(config: Mapping[str, Any]) -> object | None:
    spec = config.get("judge")
    if not spec:
        return None
    max_new_tokens = config.get("judge_max_new_tokens")
    if max_new_tokens is None:
        max_new_tokens = DEFAULT_MAX_NEW_TOKENS
    if isinstance(max_new_tokens, bool) or not isinstance(max_new_tokens, int) or max_new_tokens < 1:
        raise EvaluatorError(
            f"evaluation services: judge_max_new_tokens must be a positive integer, found {max_new_tokens!r}"
        )
    return create_judge(
        str(spec),
        cache=config.get("judge_cache"),
        options=config.get("backend_options"),
        max_new_tokens=max_new_tokens,
    )


def _toxicity(config: Mapping[str, Any]) -> object | None:
    spec = config.get("toxicity") or DEFAULT_TOXICITY
    if spec == DISABLED:
        return None
    options = dict(_mapping(config, "toxicity_options"))
    if str(spec).startswith("classifier:"):
        options.setdefault("device", _device(config))
    return create_toxicity(str(spec), mode=_mode(config), options=options)


def _embed(config: Mapping[str, Any]) -> object | None:
    spec = config.get("embeddings") or DEFAULT_EMBEDDINGS
    if spec == DISABLED:
        return None
    options = dict(_mapping(config, "embeddings_options"))
    if not str(spec).startswith("openai"):
        options.setdefault("device", _device(config))
    return create_embedder(str(spec), **options)


def _refusal(config: Mapping[str, Any], services: dict[str, object]) -> object:
    name = str(config.get("refusal") or DEFAULT_REFUSAL)
    options = dict(_mapping(config, "refusal_options"))
    if name in _DEVICE_EVALUATORS:
        options.setdefault("device", _device(config))
    context = EvaluatorContext(
        mode=_mode(config),  # type: ignore[arg-type]
        judge_spec=config.get("judge"),
        data_dir=config.get("data_dir"),
        services=services,
    )
    try:
        return create_evaluator(name, options, context)
    except UnknownEvaluatorError as error:
        raise EvaluatorError(f"evaluation services: refusal: {error.args[0]}") from None


def _device(config: Mapping[str, Any]) -> str:
    return str(config.get("device") or "auto")


def _mode(config: Mapping[str, Any]) -> str:
    mode = config.get("mode") or "toolkit"
    if mode not in ("toolkit", "paper"):
        raise EvaluatorError(f"evaluation services: mode must be 'toolkit' or 'paper', found {mode!r}")
    return str(mode)


def _mapping(config: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = config.get(key) or {}
    if not isinstance(value, Mapping):
        raise EvaluatorError(
            f"evaluation services: {key} must be a mapping of options, found {type(value).__name__}"
        )
    return value
