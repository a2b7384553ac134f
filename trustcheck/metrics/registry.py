"""Metric functions by name.

A metric function takes the records of one suite (or one group of it) and keyword
parameters from the suite file, plus `mode` ("toolkit" or "paper"), and returns a
MetricResult. Modules register on import; `load_builtin_metrics` imports them all.
"""

from __future__ import annotations

import difflib
import functools
import importlib
from typing import Any

from .base import MetricFunction, MetricResult, settled

_METRICS: dict[str, MetricFunction] = {}

BUILTIN_MODULES = (
    "trustcheck.metrics.rates",
    "trustcheck.metrics.trustllm_rates",
    "trustcheck.metrics.trustllm_ethics",
    "trustcheck.metrics.trustllm_fairness",
    "trustcheck.metrics.trustllm_privacy",
    "trustcheck.metrics.trustllm_robustness",
    "trustcheck.metrics.trustllm_safety",
    "trustcheck.metrics.trustllm_truthfulness",
)


class UnknownMetricError(KeyError):
    pass


def register_metric(name: str):
    """Register `fn` under `name`. Its results' intervals always hold their value and stay in
    the function's `value_range` (an attribute set after the definition)."""

    def decorate(fn: MetricFunction) -> MetricFunction:
        @functools.wraps(fn)
        def metric(records: Any, **params: Any) -> MetricResult:
            return settled(fn(records, **params), getattr(metric, "value_range", None))

        _METRICS[name] = metric
        return metric

    return decorate


def load_builtin_metrics() -> None:
    for module in BUILTIN_MODULES:
        importlib.import_module(module)


def known_metrics() -> list[str]:
    load_builtin_metrics()
    return sorted(_METRICS)


def metric_function(name: str) -> MetricFunction:
    load_builtin_metrics()
    if name not in _METRICS:
        close = difflib.get_close_matches(name, list(_METRICS), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise UnknownMetricError(f"unknown metric function {name!r}{hint}")
    return _METRICS[name]
