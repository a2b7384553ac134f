"""Errors of evaluators and their model services, each a one-line message for the user."""

from __future__ import annotations

from ..common.errors import TrustcheckError
from ..common.terminal_text import bounded_repr


class EvaluatorError(TrustcheckError):
    """An evaluator or evaluation service cannot be set up (bad option, model not loadable)."""


class MissingEvaluatorExtraError(EvaluatorError):
    """An optional package an evaluator needs is not installed; the message names the extra."""


def missing_extra(package: str, extra: str, purpose: str) -> MissingEvaluatorExtraError:
    return MissingEvaluatorExtraError(
        f"{purpose} needs the {package!r} package: pip install 'trustcheck[{extra}]'"
    )


def check_option_names(owner: str, options: object, known: set[str]) -> None:
    """Reject option names the evaluator does not know, naming the valid ones."""
    unknown = sorted(set(options) - known)  # type: ignore[arg-type]
    if unknown:
        raise EvaluatorError(
            f"{owner}: unknown option {bounded_repr(unknown[0])} (known: {', '.join(sorted(known))})"
        )


def positive_int(owner: str, field: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise EvaluatorError(f"{owner}: option {field!r} must be a positive integer, found {bounded_repr(value)}")
    return value
