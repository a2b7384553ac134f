"""Intervals contain their value: a hypothesis property over every registered metric function,
stratified resampling where a metric averages cells or groups, and results without float noise.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import trustcheck.perturb.metric  # noqa: F401 - registers the property suites' `invariance`
from trustcheck.evaluators.base import UNSCORED
from trustcheck.evaluators.trustllm.vectors import encode_vector
from trustcheck.metrics.base import MetricResult, settled, tidy_numbers, wilson_interval
from trustcheck.metrics.registry import known_metrics, metric_function
from trustcheck.metrics.trustllm_robustness import ADVGLUE_PARTS, VARIANT_ORDER
from trustcheck.metrics.trustllm_stats import (
    RESAMPLES,
    SEED,
    bootstrap_result,
    category_bootstrap_result,
)

MODES = ("toolkit", "paper")
REFUSAL_VERDICTS = ("refused", "complied")
ANSWERS = ("correct", "incorrect")
VECTORS = st.lists(st.floats(-1, 1, allow_nan=False), min_size=3, max_size=3).map(encode_vector)
EMAILS = ("I'm sorry, I can't share that.", "It is jane@corp.com", "Try info@corp.org", "Write to x@y.net")


def _one_of(*values: Any) -> st.SearchStrategy[Any]:
    return st.sampled_from(values)


class Case:
    """How to draw records one metric function reads, and the parameter sets to call it with."""

    def __init__(self, verdicts: tuple[str, ...], params: list[dict[str, Any]], *, fields: dict[str, Any] | None = None,
                 score: st.SearchStrategy[Any] | None = None, extracted: st.SearchStrategy[Any] | None = None,
                 response: st.SearchStrategy[Any] | None = None, records: st.SearchStrategy[Any] | None = None) -> None:
        self.params = params
        record = st.fixed_dictionaries({
            "verdict": st.one_of(st.sampled_from(verdicts), st.just(UNSCORED)),
            "passed": st.booleans(),
            "category": _one_of("leetspeak", "cot", "cou"),
            "score": score if score is not None else st.none(),
            "extracted": extracted if extracted is not None else st.none(),
            "response": response if response is not None else st.just("a response"),
            "fields": st.fixed_dictionaries(fields or {}),
        })
        self.records = records if records is not None else st.lists(record, min_size=2, max_size=30)


def _advglue_pairs(rows: list[tuple[str, int, str, str]]) -> list[dict[str, Any]]:
    return [
        {"verdict": verdict, "fields": {"task": task, "index": index, "type": role}}
        for task, index, original, modified in rows
        for role, verdict in (("original", original), ("modified", modified))
    ]


ADVGLUE_RECORDS = st.lists(
    st.tuples(_one_of("qqp", "sst2", "qnli", "mnli", "rte"), st.integers(0, 30), st.sampled_from([*ANSWERS, UNSCORED]), st.sampled_from(ANSWERS)),
    max_size=20, unique_by=lambda row: (row[0], row[1]),
).map(_advglue_pairs)


CASES: dict[str, Case] = {
    "invariance": Case(("held", "flipped", "precondition_unmet"), [{}]),
    "pass_rate": Case(REFUSAL_VERDICTS, [{}]),
    "rate": Case(REFUSAL_VERDICTS, [{"of": "refused"}, {"of": "refused", "complement": True}]),
    "trustllm_rate": Case(("correct", "incorrect", "not sure"), [{"of": "correct"}, {"of": "correct", "among": list(ANSWERS)}]),
    "trustllm_exaggerated_safety": Case(REFUSAL_VERDICTS, [{}]),
    "trustllm_jailbreak_rta": Case(REFUSAL_VERDICTS, [{}, {"attack": "cot"}, {"source": "ITC"}], fields={"source": _one_of("ITC", "QBB")}),
    "trustllm_toxicity": Case(REFUSAL_VERDICTS, [{"stat": "average"}, {"stat": "max"}], fields={"source": _one_of("ITC", "QBB")},
                              score=st.one_of(st.floats(0, 1), st.none())),
    "trustllm_advglue": Case(ANSWERS, [{"part": p} for p in ADVGLUE_PARTS] + [{"part": "acc", "task": "qqp"}, {"part": "asr", "task": "sst2"}],
                             records=ADVGLUE_RECORDS),
    "trustllm_advinstruction_similarity": Case(("embedded",), [{}, {"scale": 1.0}], extracted=VECTORS,
                                               fields={"index": st.integers(0, 3), "type": st.sampled_from(["original", *VARIANT_ORDER[:3]])}),
    "trustllm_ood_generalization": Case(ANSWERS, [{}, {"source": "flipkart"}], fields={"source": _one_of("flipkart", "ddxplus")}),
    "trustllm_confaide_pearson": Case(("rated", "rated", "rated", "neutral"), [{}], score=_one_of(-100, -50, 50, 100),
                                      fields={"label": _one_of(-100, -50, 0, 50, 100)}),
    "trustllm_privacy_leakage": Case(("refused", "leaked", "disclosed"), [{"part": p} for p in ("RtA", "TD", "CD")],
                                     response=st.sampled_from(EMAILS),
                                     fields={"gt-email": st.just("jane@corp.com"), "shotType": _one_of("zero-shot", "five-shot"),
                                             "type": _one_of("A", "B", "C", "D")}),
    "trustllm_disparagement_p": Case(("A", "B", "C", "not_sure"), [{"attribute": "sex"}], fields={"sex": _one_of("male", "female", "other")}),
    "trustllm_preference_rta": Case(REFUSAL_VERDICTS, [{"part": p} for p in ("overall", "plain", "force")],
                                    fields={"type": _one_of("plain", "force")}),
    "trustllm_ethics_accuracy": Case(ANSWERS, [{"part": p} for p in ("overall", "good", "bad")],
                                     fields={"label": _one_of("wrong", "not wrong", "unclear")}),
    "trustllm_social_norm_accuracy": Case(ANSWERS, [{"part": p} for p in ("overall", "good", "neutral", "bad")],
                                          fields={"label": st.floats(-1, 1)}),
    "trustllm_internal": Case(("correct", "incorrect", "ambiguous"), [{}, {"source": "codah"}, {"source": "squad"}],
                              fields={"source": _one_of("codah", "squad", "hotpot", "adversarial")}),
    "trustllm_external_f1": Case(("correct", "incorrect", "ambiguous"), [{}, {"source": "climate"}],
                                 fields={"source": _one_of("climate", "healthver", "covid", "scifact"), "answer": _one_of("SUPPORT", "REFUTE")}),
    "trustllm_hallucination": Case(ANSWERS, [{}, {"source": "mc"}], fields={"source": _one_of("halu_qa", "halu_summ", "halu_dial", "mc")}),
    "trustllm_sycophancy_persona": Case(("independent", "sycophantic"), [{}], score=st.one_of(st.none(), st.floats(-1, 1))),
    "trustllm_sycophancy_preference": Case(("consistent", "flipped", "unclear"), [{}], extracted=_one_of("p1", "p2", "p3", "p4", "p5")),
}


def _trustcheck_metrics() -> set[str]:
    """Every metric function trustcheck registers (other tests may register their own)."""
    return {name for name in known_metrics() if metric_function(name).__module__.startswith("trustcheck.")}


def test_every_registered_metric_function_has_a_case():
    assert set(CASES) == _trustcheck_metrics()
    assert len(CASES) == 21


def _assert_holds_its_value(result: MetricResult, value_range: tuple[float, float] | None) -> None:
    if result.value is None or result.low is None or result.high is None:
        return
    assert result.low <= result.value <= result.high, result
    if value_range is not None and value_range[0] <= result.value <= value_range[1]:
        assert value_range[0] <= result.low and result.high <= value_range[1], result
    low, value, high = tidy_numbers(result.low, result.value, result.high, value_range)
    assert low <= value <= high, (low, value, high)


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_interval_of_every_metric_holds_its_value(name):
    case = CASES[name]
    fn = metric_function(name)
    value_range = getattr(fn, "value_range", None)

    @settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(records=case.records, params=st.sampled_from(case.params), mode=st.sampled_from(MODES))
    def holds(records: list[dict[str, Any]], params: dict[str, Any], mode: str) -> None:
        _assert_holds_its_value(fn(records, mode=mode, **params), value_range)

    holds()


# --- stratified resampling: the cause, checked on the functions before any widening -------------


def _raw(name: str):
    return metric_function(name).__wrapped__


def _leakage_record(shot: str, kind: str, response: str) -> dict[str, Any]:
    return {"verdict": "refused", "response": response, "fields": {"gt-email": "jane@corp.com", "shotType": shot, "type": kind}}


def test_privacy_leakage_one_item_per_cell_all_refused_is_exactly_one():
    # Eight items, one per shotType x type cell: an unstratified resample empties cells and
    # counts them 0, which gave `1.000 [0.375, 0.875]`.
    records = [_leakage_record(shot, kind, "I cannot share it.") for shot in ("zero", "five") for kind in "ABCD"]
    result = _raw("trustllm_privacy_leakage")(records, part="RtA")
    assert (result.value, result.low, result.high) == (1.0, 1.0, 1.0)


@given(st.lists(st.tuples(st.sampled_from(["zero", "five"]), st.sampled_from("ABCD"), st.sampled_from(EMAILS)), min_size=2, max_size=30),
       st.sampled_from(["RtA", "TD"]))
@settings(max_examples=40, deadline=None)
def test_privacy_leakage_intervals_hold_their_value_without_widening(rows, part):
    result = _raw("trustllm_privacy_leakage")([_leakage_record(*row) for row in rows], part=part)
    assert result.low <= result.value <= result.high


@given(st.lists(st.tuples(st.sampled_from(["wrong", "not wrong"]), st.booleans()), min_size=2, max_size=30))
@settings(max_examples=40, deadline=None)
def test_class_averaged_accuracy_holds_its_value_without_widening(rows):
    records = [{"verdict": "correct" if ok else "incorrect", "fields": {"label": label}} for label, ok in rows]
    result = _raw("trustllm_ethics_accuracy")(records)
    assert result.low <= result.value <= result.high


@given(st.lists(st.tuples(st.sampled_from(["plain", "force"]), st.booleans()), min_size=2, max_size=30))
@settings(max_examples=40, deadline=None)
def test_preference_overall_holds_its_value_without_widening(rows):
    records = [{"verdict": "refused" if refused else "complied", "fields": {"type": kind}} for kind, refused in rows]
    result = _raw("trustllm_preference_rta")(records)
    assert result.low <= result.value <= result.high


def test_resampling_within_strata_keeps_each_stratum_whole():
    units = np.array([0, 0, 0, 1, 2, 2])

    def sizes(sample: np.ndarray) -> float:
        assert np.bincount(sample, minlength=3).tolist() == [3, 1, 2]
        return 0.0

    bootstrap_result(units, sizes, strata=units)
    counts = category_bootstrap_result(units, 3, lambda c: float(c == [3, 1, 2]), strata=units)
    assert (counts.low, counts.high) == (1.0, 1.0)


def test_unstratified_resampling_draws_as_before():
    values = np.array([0.1, 0.4, 0.35, 0.8, 0.05])
    draws = np.random.default_rng(SEED).integers(0, len(values), size=(RESAMPLES, len(values)))
    expected = np.percentile(values[draws].mean(axis=1), [2.5, 97.5])
    result = bootstrap_result(values, lambda s: float(s.mean()))
    assert (result.low, result.high) == pytest.approx(tuple(expected), abs=1e-15)


# --- no float noise ---------------------------------------------------------------------------


def test_wilson_bounds_are_exact_at_zero_and_all():
    for n in range(1, 60):
        assert wilson_interval(0, n)[0] == 0.0
        assert wilson_interval(n, n)[1] == 1.0
        for k in range(n + 1):
            low, high = wilson_interval(k, n)
            assert low <= k / n <= high


def test_tidy_numbers_drop_float_noise_and_keep_real_digits():
    assert tidy_numbers(0.0, 5.55e-17, 0.2, (0.0, 1.0)) == (0.0, 0.0, 0.2)
    assert tidy_numbers(0.1 + 0.2, None, None, (0.0, 1.0)) == (0.3, None, None)
    assert tidy_numbers(-1e-18, -1e-18, 0.5, (-1.0, 1.0)) == (0.0, 0.0, 0.5)
    assert tidy_numbers(83.123456789, 80.5, 85.25) == (83.123456789, 80.5, 85.25)
    assert tidy_numbers(0.8571428571428571, None, None, (0.0, 1.0))[0] == 0.857142857143


def test_settled_widens_to_the_value_and_clamps_to_the_range():
    assert settled(MetricResult(0.9, 0.2, 0.8, n=5), (0.0, 1.0)) == MetricResult(0.9, 0.2, 0.9, n=5)
    assert settled(MetricResult(0.5, -0.1, 1.2, n=5), (0.0, 1.0)) == MetricResult(0.5, 0.0, 1.0, n=5)
    # A value outside the intended range (privacy CD can be) stays inside its own interval.
    assert settled(MetricResult(1.5, 0.5, 1.2, n=5), (0.0, 1.0)) == MetricResult(1.5, 0.5, 1.5, n=5)
    assert settled(MetricResult(None, None, None)) == MetricResult(None, None, None)


def test_the_results_file_carries_no_float_noise():
    from trustcheck.gates.gates import score_suite
    from trustcheck.report.results import suite_entry
    from trustcheck.suite.suite import build_suite

    suite = build_suite({
        "name": "s", "dimension": "safety", "task": "s", "data": {"items": [{"prompt": "p"}]},
        "evaluator": {"name": "refusal"}, "expect": {"verdict": "refused"},
        "metrics": [{"name": "rta", "fn": "rate", "params": {"of": "refused"}}],
        "gates": [{"metric": "rta", "op": ">=", "threshold": 0.3}],
    }, "s.yaml")
    records = [{"nodeid": f"s.yaml::{i}", "verdict": "refused" if i < 3 else "complied"} for i in range(10)]
    outcome = score_suite(suite, records, "toolkit")
    outcome.metrics["rta"] = MetricResult(0.1 + 0.2, 5.55e-17, 0.6000000000000001, n=10)
    entry = suite_entry(outcome, partial=False)
    assert (entry["metrics"]["rta"]["value"], entry["metrics"]["rta"]["low"], entry["metrics"]["rta"]["high"]) == (0.3, 0.0, 0.6)
    gate = entry["gates"][0]
    assert gate["value"] == 0.3 and all(len(repr(gate[k])) <= 16 for k in ("value", "low", "high"))
