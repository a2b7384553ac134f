"""TrustLLM's answer extraction and per-item scoring, one module per task family.

Each evaluator follows the toolkit at commit 4b86421 (`mode="toolkit"`) or the paper-era rules
(`mode="paper"`) as described in the project's TrustLLM specification; the differences are
listed in docs/scoring-modes.md. External services (refusal classifier, LLM judge, embeddings,
toxicity) come from `EvaluatorContext.services`; see `services.py`.
"""

from .services import EmbedService, JudgeService, RefusalService, ToxicityService

__all__ = ["EmbedService", "JudgeService", "RefusalService", "ToxicityService"]
