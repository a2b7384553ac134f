"""trustcheck: pytest-native trustworthiness suites for LLMs, built on the TrustLLM benchmark."""

from .backends.base import Backend, Generation, GenerationRequest, ModelIdentity
from .evaluators.base import Case, Evaluator, Verdict
from .metrics.base import MetricResult, wilson_interval

__version__ = "0.1.0"

__all__ = [
    "Backend",
    "Case",
    "Evaluator",
    "Generation",
    "GenerationRequest",
    "MetricResult",
    "ModelIdentity",
    "Verdict",
    "__version__",
    "wilson_interval",
]
