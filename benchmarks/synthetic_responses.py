"""`synthetic:SEED`: a deterministic stand-in for a chat model that answers every TrustLLM prompt.

    PYTHONPATH=benchmarks pytest suites --trust-full -p synthetic_responses \\
        --model synthetic:0 --trust-judge synthetic:0

Loaded as a pytest plugin (`-p synthetic_responses`, in every xdist worker too), this module
registers the `synthetic` backend scheme. The backend finds the dataset the way the run does
(`$TRUSTCHECK_DATA`, else the fetched copy; `synthetic:SEED#data=PATH` names it), looks each
prompt up in it and answers as a chat model would, from the item it came from: right and wrong
answers in the formats models use, refusals, compliances, ratings, e-mail completions, stories
(see synthetic_answers.py and synthetic_knowledge.py). Judge prompts built from
`task_prompt.json` are answered by reading the response they show (synthetic_judge.py), so the
same spec serves as `--trust-judge`. Every choice is seeded by SEED and the prompt, so a run
is reproducible to the byte and two seeds are two different "models".
"""

from __future__ import annotations

import hashlib
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synthetic_answers as answers
import synthetic_knowledge as knowledge
from synthetic_judge import JudgePrompts, judge_answer

from trustcheck.backends.base import (
    BackendError,
    Generation,
    GenerationRequest,
    ModelIdentity,
)
from trustcheck.backends.registry import register_backend
from trustcheck.common.errors import DataError
from trustcheck.dataset.data import DataSource, data_source, resolve_location
from trustcheck.evaluators.judge_prompts import load_task_prompt_specs

WRITERS: dict[str, answers.Writer] = {
    "ethics/implicit_ETHICS.json": answers.implicit_ethics,
    "ethics/implicit_SocialChemistry101.json": answers.social_norm,
    "ethics/explicit_moralchoice.json": answers.moralchoice,
    "ethics/awareness.json": answers.awareness,
    "fairness/stereotype_recognition.json": answers.stereotype_recognition,
    "fairness/stereotype_agreement.json": answers.stereotype_agreement,
    "fairness/stereotype_query_test.json": answers.refuse_mostly(0.9),
    "fairness/disparagement.json": answers.disparagement,
    "fairness/preference.json": answers.preference,
    "privacy/privacy_awareness_confAIde.json": answers.confaide,
    "privacy/privacy_awareness_query.json": answers.privacy_query,
    "privacy/privacy_leakage.json": answers.privacy_leakage,
    "robustness/AdvGLUE.json": knowledge.advglue,
    "robustness/AdvInstruction.json": knowledge.advinstruction,
    "robustness/ood_detection.json": answers.ood_detection,
    "robustness/ood_generalization.json": knowledge.ood_generalization,
    "safety/jailbreak.json": answers.jailbreak,
    "safety/misuse.json": answers.refuse_mostly(0.83),
    "safety/exaggerated_safety.json": answers.exaggerated_safety,
    "truthfulness/internal.json": knowledge.internal,
    "truthfulness/external.json": knowledge.external,
    "truthfulness/hallucination.json": knowledge.hallucination,
    "truthfulness/sycophancy.json": knowledge.sycophancy,
    "truthfulness/golden_advfactuality.json": knowledge.advfact,
}
_MODULES = (answers, knowledge, sys.modules[JudgePrompts.__module__], sys.modules[__name__])


def _code_fingerprint() -> str:
    """Changes whenever what the model says changes, so caches never mix two versions."""
    digest = hashlib.sha256()
    for module in _MODULES:
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()[:16]


class SyntheticBackend:
    """Answers from the dataset item behind each prompt; judge prompts by reading the response."""

    name = "synthetic"

    def __init__(self, seed: int, source: DataSource) -> None:
        self.seed = seed
        self.source = source
        self._lock = threading.Lock()
        self._items: dict[str, tuple[str, dict[str, Any]]] | None = None
        self._judge: JudgePrompts | None = None

    def identity(self) -> ModelIdentity:
        return ModelIdentity(
            backend="synthetic", backend_version=_code_fingerprint(), weights_hash=f"seed-{self.seed}",
            display_name=f"synthetic:{self.seed}",
        )

    def _load(self) -> None:
        with self._lock:
            if self._items is not None:
                return
            items: dict[str, tuple[str, dict[str, Any]]] = {}
            for file in WRITERS:
                try:
                    loaded = self.source.load(file)
                except DataError:
                    continue  # a partial data directory: its prompts get generic answers
                for item in loaded:
                    items.setdefault(str(item.get("prompt")), (file, item))
            try:
                self._judge = JudgePrompts(load_task_prompt_specs(self.source.directory))
            except DataError:
                self._judge = JudgePrompts({})  # no task_prompt.json: judge prompts get generic answers
            self._items = items

    def respond(self, prompt: str) -> str:
        self._load()
        assert self._items is not None and self._judge is not None
        draw = answers.Draw(self.seed, prompt)
        found = self._items.get(prompt)
        if found is not None:
            file, item = found
            return WRITERS[file](item, draw)
        judged = self._judge.match(prompt)
        if judged is not None:
            return judge_answer(judged[0], judged[1], draw)
        return answers.refusal_or(draw, 0.5, draw.choice(answers.COMPLIANCES))

    def generate(self, requests: Sequence[GenerationRequest]) -> list[Generation]:
        return [Generation(text=self.respond(r.prompt), finish_reason="stop") for r in requests]

    def close(self) -> None:
        """Nothing to release."""


def create(rest: str, options: object = None) -> SyntheticBackend:
    seed_text, _, fragment = rest.partition("#")
    if fragment and not fragment.startswith("data="):
        raise BackendError(f"synthetic:{rest}: the only option after '#' is data=PATH")
    try:
        seed = int(seed_text)
    except ValueError:
        raise BackendError(f"synthetic:{rest}: expected synthetic:SEED with an integer seed") from None
    location = resolve_location(fragment.removeprefix("data=") or None, Path.cwd())
    if location is None:
        raise BackendError(f"synthetic:{rest}: no TrustLLM data (set TRUSTCHECK_DATA or use synthetic:SEED#data=PATH)")
    try:
        return SyntheticBackend(seed, data_source(location))
    except DataError as error:
        raise BackendError(f"synthetic:{rest}: {error}") from None


register_backend("synthetic", create)
