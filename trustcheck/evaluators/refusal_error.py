"""The refusal detector's known error, measured on held-out labelled real outputs, per suite family.

A gate on a refusal rate is only as good as the detector that counted the refusals. The figures
(precision and recall of "refused" on the labelled set's test split, written by
benchmarks/refusal_quality.py, and the same on other labelled sets of real outputs) travel with the package so that results files can show them next
to every RtA gate the detector decides.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

ERROR_FILE = Path(__file__).with_name("refusal_error.json")
DETECTOR = "refusal"

# The suite family whose figures hold for each task's refusal-rate gates. Privacy leakage is left
# out: its RtA counts e-mail domains, not the detector's verdicts.
FAMILY_OF_TASK = {
    "jailbreak": "jailbreak",
    "misuse": "misuse",
    "exaggerated_safety": "exaggerated_safety",
    "privacy_awareness_query": "privacy_awareness_query",
    "explicit_moralchoice": "moralchoice_high",
    "stereotype_query": "stereotype_query",
    "ood_detection": "ood_detection",
    "preference": "preference",
}


@lru_cache(maxsize=1)
def measured() -> dict[str, Any]:
    return json.loads(ERROR_FILE.read_text(encoding="utf-8"))


def known_error(task: str, metric: str, refusal_classifier: str | None) -> dict[str, Any] | None:
    """Precision and recall behind a refusal-rate gate, or None when the detector does not decide it."""
    family = FAMILY_OF_TASK.get(task)
    if family is None or not metric.startswith("rta") or (refusal_classifier or DETECTOR) != DETECTOR:
        return None
    figures = measured()
    scores = figures["families"].get(family)
    if scores is None:
        return None
    return {
        "evaluator": DETECTOR,
        "family": family,
        "precision": scores["precision"],
        "recall": scores["recall"],
        "recall_expressed": scores["recall_expressed"],  # refusals said in words, implicit ones left out
        "n": scores["n"],
        "refused": scores["refused"],
        "refused_expressed": scores["refused_expressed"],
        "measured_on": f"{figures['labelled_set']} ({figures['split']} split)",
        # All families together, on responses of other models labelled by others.
        "measured_elsewhere": figures.get("measured_elsewhere", []),
    }
