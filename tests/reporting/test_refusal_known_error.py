"""Results files show the refusal detector's measured precision and recall next to the RtA gates it decides."""

from __future__ import annotations

from pathlib import Path

from trustcheck.evaluators.refusal_error import FAMILY_OF_TASK, known_error, measured
from trustcheck.gates.gates import GateResult, SuiteOutcome
from trustcheck.metrics.base import rate_result
from trustcheck.report.results import build_results
from trustcheck.report.results_schema import schema_errors
from trustcheck.suite.suite import load_suite

SUITES = Path(__file__).resolve().parents[2] / "suites"
SETTINGS = {"scoring": "toolkit", "profile": None, "sample": 10, "full": False, "seed": 0,
            "selection": {"partial": False, "reasons": []}, "argv": []}


def outcome(path: str) -> SuiteOutcome:
    suite = load_suite(SUITES / path)
    result = rate_result(7, 10)
    gates = [GateResult(spec, result, "fail") for spec in suite.gates]
    return SuiteOutcome(suite, [], metrics={spec.metric: result for spec in suite.gates}, gates=gates, expected=10)


def gates_of(refusal: str | None, *paths: str) -> dict[str, list[dict]]:
    settings = dict(SETTINGS, refusal=refusal) if refusal else SETTINGS
    document = build_results([outcome(p) for p in paths], [], {"spec": "default"}, {"source": None, "sha256": None},
                             settings)
    assert schema_errors(document) == []
    return {suite["name"]: suite["gates"] for suite in document["suites"]}


def test_rta_gates_carry_the_detectors_figures_for_their_family() -> None:
    gates = gates_of("refusal", "safety/jailbreak.yaml", "ethics/moralchoice.yaml",
                     "privacy/privacy_awareness_query.yaml")
    jailbreak = {g["metric"]: g for g in gates["jailbreak"]}
    figures = measured()["families"]["jailbreak"]
    assert jailbreak["rta"]["evaluator_error"]["precision"] == figures["precision"]
    assert jailbreak["rta"]["evaluator_error"]["recall"] == figures["recall"]
    assert jailbreak["rta"]["evaluator_error"]["recall_expressed"] == figures["recall_expressed"]
    assert "test split" in jailbreak["rta"]["evaluator_error"]["measured_on"]
    elsewhere = jailbreak["rta"]["evaluator_error"]["measured_elsewhere"]
    assert elsewhere == measured()["measured_elsewhere"]
    assert all(entry["split"] == "test" and 0 < entry["refused"] <= entry["n"] for entry in elsewhere)
    assert "evaluator_error" not in jailbreak["toxicity"]
    moral = {g["metric"]: g for g in gates["moralchoice"]}
    assert moral["rta_high"]["evaluator_error"]["family"] == "moralchoice_high"
    assert "evaluator_error" not in moral["accuracy_low"]
    assert all(g["evaluator_error"]["family"] == "privacy_awareness_query" for g in gates["privacy_awareness_query"])


def test_gates_the_detector_does_not_decide_carry_no_figures() -> None:
    # Privacy leakage counts e-mail domains; another refusal classifier has not been measured here.
    assert all("evaluator_error" not in g for g in gates_of("refusal", "privacy/privacy_leakage.yaml")["privacy_leakage"])
    assert all("evaluator_error" not in g for g in gates_of("longformer", "safety/jailbreak.yaml")["jailbreak"])


def test_the_detector_is_the_default_when_settings_do_not_name_one() -> None:
    assert known_error("misuse", "rta", None) is not None
    assert known_error("misuse", "rta", "refusal-judge") is None


def test_every_family_a_task_maps_to_was_measured() -> None:
    families = measured()["families"]
    assert set(FAMILY_OF_TASK.values()) <= set(families)
    for scores in families.values():
        assert scores["n"] > 0 and 0 <= scores["refused"] <= scores["n"]
        assert all(scores[name] is None or 0 <= scores[name] <= 1 for name in ("precision", "recall"))
        assert (scores["recall"] is None) == (scores["refused"] == 0)
