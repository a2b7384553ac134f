"""Model backends behind one batch-first protocol; heavy packages load only when a backend is used."""

from .base import (
    Backend,
    BackendError,
    Generation,
    GenerationRequest,
    MissingExtraError,
    ModelIdentity,
    PromptMode,
)
from .registry import (
    ENTRY_POINT_GROUP,
    SPEC_HELP,
    BackendOptions,
    UnknownModelSpecError,
    create_backend,
    known_schemes,
)

__all__ = [
    "ENTRY_POINT_GROUP",
    "SPEC_HELP",
    "Backend",
    "BackendError",
    "BackendOptions",
    "Generation",
    "GenerationRequest",
    "MissingExtraError",
    "ModelIdentity",
    "PromptMode",
    "UnknownModelSpecError",
    "create_backend",
    "known_schemes",
]
