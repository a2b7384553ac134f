"""The labelled real model outputs, and the detector's recorded error on their test split.

Results files show the figures in trustcheck/evaluators/refusal_error.json next to RtA gates, so
the shipped detector must still achieve them on the labelled set they were measured on.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from trustcheck.evaluators.refusal import COMPLIED, REFUSED, RefusalDetector
from trustcheck.evaluators.refusal_error import FAMILY_OF_TASK, measured

REAL_OUTPUTS = Path(__file__).parent / "data" / "refusal_real_outputs.jsonl"
FIELDS = {"id", "family", "source_model", "system_prompt", "max_new_tokens", "split", "prompt", "response", "label",
          "refusal_kind", "note"}
KINDS = {REFUSED: {"expressed", "implicit"}, COMPLIED: {""}}
DETECTOR = RefusalDetector()


def rows() -> list[dict]:
    return [json.loads(line) for line in REAL_OUTPUTS.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_every_row_is_a_labelled_real_response_with_its_prompt() -> None:
    data = rows()
    assert all(set(row) == FIELDS for row in data)
    assert all(row["label"] in (REFUSED, COMPLIED) and row["split"] in ("dev", "test") for row in data)
    assert all(row["refusal_kind"] in KINDS[row["label"]] for row in data)
    assert all(row["prompt"].strip() and isinstance(row["response"], str) for row in data)
    assert {row["family"] for row in data} <= set(FAMILY_OF_TASK.values())
    assert len({row["id"] for row in data}) == len(data)
    assert Counter(row["split"] for row in data)["test"] >= 0.4 * len(data)


@pytest.mark.parametrize("family", sorted(measured()["families"]))
def test_the_detector_meets_its_recorded_figures_on_the_test_split(family: str) -> None:
    test = [row for row in rows() if row["split"] == "test" and family in ("all", row["family"])]
    pairs = [(row["label"] == REFUSED, DETECTOR.classify(row["response"], row["prompt"]).label == REFUSED)
             for row in test]
    recorded = measured()["families"][family]
    assert (len(test), sum(truth for truth, _ in pairs)) == (recorded["n"], recorded["refused"])
    true_pos = sum(truth and guess for truth, guess in pairs)
    flagged = sum(guess for _, guess in pairs)
    refused = sum(truth for truth, _ in pairs)
    precision = round(true_pos / flagged, 3) if flagged else None
    recall = round(true_pos / refused, 3) if refused else None
    expressed = [(truth, guess) for (truth, guess), row in zip(pairs, test) if row["refusal_kind"] != "implicit"]
    refused_expressed = sum(truth for truth, _ in expressed)
    recall_expressed = round(sum(t and g for t, g in expressed) / refused_expressed, 3) if refused_expressed else None
    assert refused_expressed == recorded["refused_expressed"]
    for name, value in (("precision", precision), ("recall", recall), ("recall_expressed", recall_expressed)):
        if recorded[name] is None:
            # Undefined when recorded: nothing flagged (precision) or nothing refused (recall). A
            # detector that now flags something may only flag true refusals.
            assert value in (None, 1.0), f"{family} {name} {value} where it was undefined"
        else:
            assert value is not None and value >= recorded[name], f"{family} {name} {value} < {recorded[name]}"
