"""Property suite files (`kind: property`): validation and the typed PropertySpec they describe.

A property file shares its data, sample, generation and evaluator sections with plain suites
(same schema fragments, same loaders), so the plugin selects its prompts the same way.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..common.errors import SuiteError
from ..common.terminal_text import bounded_repr
from ..suite.suite import (
    data_spec,
    document_problems,
    gate_specs,
    generation_spec,
    read_yaml,
    sample_spec,
)
from ..suite.suite_checks import data_path_problems, evaluator_problems
from ..suite.suite_spec import (
    DataSpec,
    GateSpec,
    GenerationSpec,
    MetricSpec,
    SampleSpec,
    find_metric,
)
from . import metric as _registers_the_invariance_metric  # noqa: F401
from .catalog import UnknownKindError, kind_names, known_names
from .property import DEFAULT_CALL_BUDGET, DEFAULT_MAX_EXAMPLES
from .strategies import DEFAULT_MAX_STEPS

SCHEMA = "property.schema.json"
METRIC = "invariance"


@dataclass(frozen=True)
class PropertySpec:
    """One property suite. `expect` None means "the original prompt's verdict must hold"."""

    path: str
    name: str
    dimension: str
    task: str
    description: str
    property: str
    data: DataSpec
    sample: SampleSpec
    generation: GenerationSpec
    evaluator: str
    evaluator_options: Mapping[str, Any]
    expect: tuple[str, ...] | None
    precondition: str
    kinds: tuple[str, ...]
    max_steps: int
    max_examples: int
    model_calls: int
    critical: bool
    metrics: tuple[MetricSpec, ...]
    gates: tuple[GateSpec, ...]

    def metric(self, name: str) -> MetricSpec | None:
        return find_metric(self.metrics, name)


def is_property_document(document: Any) -> bool:
    return isinstance(document, dict) and document.get("kind") == "property"


def _expect(document: Mapping[str, Any]) -> tuple[str, ...] | None:
    value = document.get("expect_verdict")
    if value is None:
        return None
    return (value,) if isinstance(value, str) else tuple(value)


def _kind_problems(document: Mapping[str, Any], display: str) -> Iterator[SuiteError]:
    for index, name in enumerate(document["perturbations"]):
        try:
            kind_names(name)
        except UnknownKindError:
            close = difflib.get_close_matches(name, known_names(), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            yield SuiteError(display, f"$.perturbations[{index}]", f"a perturbation kind or group{hint}", bounded_repr(name))


def _metrics(data: DataSpec) -> tuple[MetricSpec, ...]:
    """One metric: the share of prompts whose verdict held (skipped prompts are left out)."""
    return (MetricSpec(name=METRIC, fn="invariance", params={}, group_by="category" if data.category else None),)


def build_property(document: Mapping[str, Any], display: str) -> PropertySpec:
    data = data_spec(document["data"])
    budget = document.get("budget", {})
    return PropertySpec(
        path=display,
        name=document["name"],
        dimension=document["dimension"],
        task=document.get("task", document["name"]),
        description=document.get("description", ""),
        property=document["property"],
        data=data,
        sample=sample_spec(document),
        generation=generation_spec(document),
        evaluator=document["evaluator"]["name"],
        evaluator_options=dict(document["evaluator"].get("options", {})),
        expect=_expect(document),
        precondition=document.get("precondition", "skip"),
        kinds=kind_names(document["perturbations"]),
        max_steps=int(document.get("max_steps", DEFAULT_MAX_STEPS)),
        max_examples=int(budget.get("max_examples", DEFAULT_MAX_EXAMPLES)),
        model_calls=int(budget.get("model_calls", DEFAULT_CALL_BUDGET)),
        critical=bool(document.get("critical", True)),
        metrics=_metrics(data),
        gates=gate_specs(document),
    )


def _gate_problems(spec: PropertySpec) -> Iterator[SuiteError]:
    grouped = spec.metrics[0].group_by is not None
    for index, gate in enumerate(spec.gates):
        base, _, group = gate.metric.partition("[")
        if base != METRIC or (group and not grouped):
            wanted = f"{METRIC!r}" + (f" or '{METRIC}[<category>]'" if grouped else " (no data.category, so no groups)")
            yield SuiteError(spec.path, f"$.gates[{index}].metric", wanted, bounded_repr(gate.metric))
        if not 0 <= gate.threshold <= 1:
            yield SuiteError(spec.path, f"$.gates[{index}].threshold", "a number in [0, 1] for a rate", bounded_repr(gate.threshold))


def property_file_problems(path: Path, display: str) -> tuple[PropertySpec | None, list[SuiteError]]:
    """The property suite a file declares (None when its problems leave none) and all its problems."""
    try:
        document = read_yaml(path, display)
    except SuiteError as error:
        return None, [error]
    problems = document_problems(document, display, SCHEMA) or list(_kind_problems(document, display))
    if problems:
        return None, problems
    spec = build_property(document, display)
    return spec, [
        *data_path_problems(spec.path, spec.data.file),
        *evaluator_problems(spec.path, spec.evaluator, dict(spec.evaluator_options)),
        *_gate_problems(spec),
    ]


def load_property(path: Path, display: str | None = None) -> PropertySpec:
    """Read, validate and check one property file; raises SuiteError with a one-line message."""
    spec, problems = property_file_problems(path, display or str(path))
    if problems:
        raise problems[0]
    assert spec is not None
    return spec
