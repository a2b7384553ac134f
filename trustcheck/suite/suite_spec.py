"""The typed Suite a suite file describes, and its parts: frozen values, no reading or checking.

suite.py builds them from a validated document; suite_checks.py checks them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class DataSpec:
    file: str | None
    items: tuple[Mapping[str, Any], ...] | None
    prompt: str = "prompt"
    id: str | None = None
    category: str | None = None
    keep: tuple[str, ...] = ()
    where: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class GenerationSpec:
    temperature: float
    max_new_tokens: int
    mode: str
    stop: tuple[str, ...]


@dataclass(frozen=True)
class MetricSpec:
    name: str
    fn: str
    params: Mapping[str, Any]
    group_by: str | None = None
    where: Mapping[str, Any] = field(default_factory=dict)
    modes: tuple[str, ...] = ("toolkit", "paper")
    direction: str = "higher"
    paper_name: str | None = None


@dataclass(frozen=True)
class GateSpec:
    metric: str
    op: str
    threshold: float
    modes: tuple[str, ...] = ("toolkit", "paper")


@dataclass(frozen=True)
class SampleSpec:
    strata: tuple[str, ...] | None = None
    per_stratum: int | None = None
    group_by: str | None = None


def find_metric(metrics: tuple[MetricSpec, ...], name: str) -> MetricSpec | None:
    """The spec behind a metric name; `rta[leetspeak]` is a group of `rta`."""
    base = name.split("[", 1)[0]
    return next((m for m in metrics if m.name == base), None)


@dataclass(frozen=True)
class Suite:
    path: str
    name: str
    dimension: str
    task: str
    description: str
    data: DataSpec
    generation: GenerationSpec
    evaluator: str
    evaluator_options: Mapping[str, Any]
    expect: tuple[str, ...]
    critical: bool
    sample: SampleSpec
    metrics: tuple[MetricSpec, ...]
    gates: tuple[GateSpec, ...]

    def metric(self, name: str) -> MetricSpec | None:
        return find_metric(self.metrics, name)
