"""Metamorphic robustness: perturbation strategies and a search for the smallest verdict flip."""

from .catalog import ADVINSTRUCTION_KINDS, GROUPS, KINDS, UnknownKindError, kind_names
from .helpers import InvariantViolation, check_invariant, metamorphic
from .perturbation import IDENTITY, Composite, Perturbation
from .probe import Probe, SearchError
from .property import find_flip
from .result import FlipResult
from .strategies import (
    applicable_kinds,
    perturbations,
    perturbed_texts,
    single_perturbations,
)

__all__ = [
    "ADVINSTRUCTION_KINDS",
    "GROUPS",
    "IDENTITY",
    "KINDS",
    "Composite",
    "FlipResult",
    "InvariantViolation",
    "Perturbation",
    "Probe",
    "SearchError",
    "UnknownKindError",
    "applicable_kinds",
    "check_invariant",
    "find_flip",
    "kind_names",
    "metamorphic",
    "perturbations",
    "perturbed_texts",
    "single_perturbations",
]
