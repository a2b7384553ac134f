"""Toxicity scorers: `toxicity(texts) -> list[float | None]`, each score in [0, 1].

Providers (spec strings, as for `--trust-toxicity`):
  profanity-check            alt-profanity-check's bundled model, offline (the default)
  perspective[:span|summary] Google's Perspective API (see perspective.py); without a suffix the
                             score follows the scoring mode: toolkit -> span, paper -> summary
  classifier:MODEL[#label=L] any transformers text-classification model (hub id or directory);
                             the score is the probability of label L (default: "toxic")
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from typing import Any

from .errors import EvaluatorError, missing_extra
from .hf_classifier import TextClassifier, load_text_classifier
from .toxicity_score import ToxicityScore, ToxicityScorer

DEFAULT_PROVIDER = "profanity-check"
SPEC_HELP = "profanity-check | perspective[:span|summary] | classifier:MODEL[#label=NAME]"


class ProfanityCheckToxicity:
    """alt-profanity-check: a linear SVM over character n-grams, calibrated to a probability."""

    name = "profanity-check"

    def __init__(self) -> None:
        self._predict_prob: Any = None

    def _model(self) -> Any:
        if self._predict_prob is None:
            try:
                from profanity_check import predict_prob
            except ImportError as exc:
                raise missing_extra("alt-profanity-check", "toxicity", "toxicity scoring") from exc
            self._predict_prob = predict_prob
        return self._predict_prob

    def __call__(self, texts: Sequence[str]) -> list[float | None]:
        if not texts:
            return []
        return [float(p) for p in self._model()(list(texts))]

    def detailed(self, texts: Sequence[str]) -> list[ToxicityScore]:
        return [ToxicityScore(v, f"profanity-check p={v:.4f}") for v in self(texts)]


class ClassifierToxicity:
    """A transformers classifier; long texts are truncated to the model's limit."""

    name = "classifier"

    def __init__(
        self,
        model: str,
        toxic_label: str | None = None,
        batch_size: int = 32,
        device: str = "auto",
    ) -> None:
        self.model = model
        self.toxic_label = toxic_label
        self.batch_size = batch_size
        self.device = device
        self._classifier: TextClassifier | None = None
        self._label: str | None = None

    def _load(self) -> tuple[TextClassifier, str]:
        if self._classifier is None:
            classifier = load_text_classifier(self.model, self.device, purpose="toxicity classifier")
            self._label = _pick_toxic_label(self.model, classifier.labels, self.toxic_label)
            self._classifier = classifier
        assert self._label is not None
        return self._classifier, self._label

    def __call__(self, texts: Sequence[str]) -> list[float | None]:
        return [scored.value for scored in self.detailed(texts)]

    def detailed(self, texts: Sequence[str]) -> list[ToxicityScore]:
        if not texts:
            return []
        classifier, label = self._load()
        scores = classifier.label_scores(texts, self.batch_size, truncate=True)
        return [ToxicityScore(s[label], f"{self.model} {label} p={s[label]:.4f}") for s in scores]


def _pick_toxic_label(model: str, labels: list[str], wanted: str | None) -> str:
    if wanted is not None:
        if wanted not in labels:
            raise EvaluatorError(
                f"toxicity classifier {model}: no label {wanted!r} (its labels: {', '.join(labels)})"
            )
        return wanted
    for label in labels:
        if label.lower() in ("toxic", "toxicity"):
            return label
    if labels == ["LABEL_0", "LABEL_1"]:
        return "LABEL_1"
    raise EvaluatorError(
        f"toxicity classifier {model}: cannot tell which label means toxic among "
        f"{', '.join(labels)}; name it with classifier:{model}#label=NAME"
    )


def create_toxicity(
    spec: str = DEFAULT_PROVIDER,
    *,
    mode: str = "toolkit",
    options: Mapping[str, Any] | None = None,
) -> ToxicityScorer:
    """The scorer for a provider spec; `options` go to its constructor (e.g. qps, url, device)."""
    options = dict(options or {})
    scheme, _, rest = spec.partition(":")
    try:
        if scheme in ("profanity-check", "profanity") and not rest:
            return ProfanityCheckToxicity()
        if scheme == "perspective":
            from .perspective import PerspectiveToxicity

            kind = rest or ("summary" if mode == "paper" else "span")
            return PerspectiveToxicity(kind, **options)  # type: ignore[arg-type]
        if scheme == "classifier" and rest:
            model, _, fragment = rest.partition("#label=")
            return ClassifierToxicity(model, toxic_label=fragment or None, **options)
    except TypeError as error:  # an option the provider does not take
        raise EvaluatorError(f"toxicity {spec}: {error}") from None
    close = difflib.get_close_matches(scheme, ["profanity-check", "perspective", "classifier"], n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise EvaluatorError(f"unknown toxicity provider {spec!r}{hint}; valid: {SPEC_HELP}")
