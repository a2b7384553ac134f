"""Metamorphic robustness: perturbation strategies and a search for the smallest verdict flip.

The names below load on first use, so that collecting plain suites never imports hypothesis.
"""

from importlib import import_module
from typing import Any

_EXPORTS = {
    "ADVINSTRUCTION_KINDS": "catalog",
    "GROUPS": "catalog",
    "KINDS": "catalog",
    "UnknownKindError": "catalog",
    "kind_names": "catalog",
    "InvariantViolation": "helpers",
    "check_invariant": "helpers",
    "metamorphic": "helpers",
    "IDENTITY": "perturbation",
    "Composite": "perturbation",
    "Perturbation": "perturbation",
    "Probe": "probe",
    "SearchError": "probe",
    "find_flip": "property",
    "FlipResult": "result",
    "applicable_kinds": "strategies",
    "perturbations": "strategies",
    "perturbed_texts": "strategies",
    "single_perturbations": "strategies",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
