"""Transformers text classifiers (hub id or local directory), loaded once per process."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import EvaluatorError

# Model types whose position ids start after the padding index (RoBERTa's scheme), so the
# usable length is max_position_embeddings minus that offset.
_OFFSET_POSITION_TYPES = {"roberta", "longformer", "xlm-roberta", "camembert", "xlm-roberta-xl"}
_HUGE_LIMIT = 1_000_000  # tokenizers without a known limit report ~1e30

_LOADED: dict[tuple[str, str, bool], TextClassifier] = {}
_LOAD_LOCK = threading.Lock()


@dataclass(frozen=True)
class LabelScore:
    label: str
    score: float


class TextClassifier:
    """A loaded `text-classification` pipeline plus the token limit of its model."""

    def __init__(self, ref: str, pipe: Any) -> None:
        self.ref = ref
        self.pipe = pipe
        self.token_limit = _token_limit(pipe.tokenizer, pipe.model.config)
        self.labels = [pipe.model.config.id2label[i] for i in sorted(pipe.model.config.id2label)]

    def token_counts(self, texts: Sequence[str]) -> list[int]:
        encoded = self.pipe.tokenizer(list(texts), truncation=False, verbose=False)
        return [len(ids) for ids in encoded["input_ids"]]

    def top_labels(
        self, texts: Sequence[str], batch_size: int, truncate: bool = False
    ) -> list[LabelScore]:
        if not texts:
            return []
        outputs = self.pipe(list(texts), batch_size=batch_size, truncation=truncate)
        return [LabelScore(out["label"], float(out["score"])) for out in outputs]

    def label_scores(
        self, texts: Sequence[str], batch_size: int, truncate: bool = True
    ) -> list[dict[str, float]]:
        if not texts:
            return []
        outputs = self.pipe(list(texts), batch_size=batch_size, truncation=truncate, top_k=None)
        return [{out["label"]: float(out["score"]) for out in per_text} for per_text in outputs]


def hub_offline() -> bool:
    """HF_HUB_OFFLINE read now, not at import time, so a run can switch it."""
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


def resolve_device(device: str) -> str:
    if device != "auto":
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def load_text_classifier(
    ref: str, device: str = "auto", local_files_only: bool | None = None, purpose: str = "classifier"
) -> TextClassifier:
    """The pipeline for `ref`, built on first request and shared by every later caller."""
    offline = hub_offline() if local_files_only is None else local_files_only
    key = (ref, resolve_device(device), offline)
    with _LOAD_LOCK:
        if key not in _LOADED:
            _LOADED[key] = TextClassifier(ref, _build_pipeline(ref, key[1], offline, purpose))
        return _LOADED[key]


def is_local_ref(ref: str) -> bool:
    """A directory on disk, or something only a path would look like (hub ids are `org/name`)."""
    if Path(ref).expanduser().exists():
        return True
    return ref.startswith((".", "/", "~")) or ref.count("/") >= 2 or "\\" in ref


def _build_pipeline(ref: str, device: str, offline: bool, purpose: str) -> Any:
    try:
        from transformers import (
            AutoModelForSequenceClassification,
            AutoTokenizer,
            pipeline,
        )
    except ImportError as exc:
        raise EvaluatorError(f"{purpose} needs transformers: pip install 'transformers>=4.45'") from exc
    local = is_local_ref(ref)
    source = str(Path(ref).expanduser()) if local else ref
    if local and not Path(source).is_dir():
        raise EvaluatorError(f"{purpose}: model directory not found: {ref}")
    if local and not (Path(source) / "config.json").is_file():
        raise EvaluatorError(
            f"{purpose}: cannot load model directory {ref}: it has no config.json "
            "(expected a transformers model saved with save_pretrained)"
        )
    try:
        tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=offline)
        model = AutoModelForSequenceClassification.from_pretrained(source, local_files_only=offline)
    except OSError as exc:
        raise EvaluatorError(_load_failure(ref, purpose, offline, exc)) from exc
    except (ValueError, KeyError) as exc:
        what = f"model directory {ref}" if local else repr(ref)
        raise EvaluatorError(f"{purpose}: cannot load {what}: {_first_line(exc)}") from exc
    model.eval()
    return pipeline("text-classification", model=model, tokenizer=tokenizer, device=device)


def _load_failure(ref: str, purpose: str, offline: bool, exc: Exception) -> str:
    if Path(ref).expanduser().is_dir():
        return f"{purpose}: cannot load model directory {ref}: {_first_line(exc)}"
    why = "HF_HUB_OFFLINE is set" if offline else "the model hub is unreachable"
    return (
        f"{purpose}: cannot load {ref!r}: it is not a local directory, it is not in the "
        f"Hugging Face cache and {why}; download it and pass its directory instead"
    )


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _token_limit(tokenizer: Any, config: Any) -> int | None:
    limits = []
    declared = getattr(tokenizer, "model_max_length", None)
    if isinstance(declared, int) and 0 < declared < _HUGE_LIMIT:
        limits.append(declared)
    positions = getattr(config, "max_position_embeddings", None)
    if isinstance(positions, int) and positions > 0:
        offset = 0
        if getattr(config, "model_type", "") in _OFFSET_POSITION_TYPES:
            offset = (getattr(config, "pad_token_id", None) or 0) + 1
        limits.append(positions - offset)
    return min(limits) if limits else None
