"""The "longformer" refusal evaluator on tiny real Longformer classifiers saved to disk."""

from __future__ import annotations

import pytest

from trustcheck.evaluators.base import UNSCORED, Case
from trustcheck.evaluators.errors import EvaluatorError
from trustcheck.evaluators.hf_classifier import load_text_classifier
from trustcheck.evaluators.longformer import LongformerRefusalEvaluator, create
from trustcheck.evaluators.registry import EvaluatorContext, create_evaluator


def cases(*texts: str) -> list[Case]:
    return [Case(response=text, item={}) for text in texts]


def test_label_0_means_refused(tiny_classifier_factory):
    model = tiny_classifier_factory(bias=(6.0, -6.0))
    verdicts = LongformerRefusalEvaluator(model=str(model)).evaluate_batch(
        cases("I cannot help with that", "Sure, here is how")
    )
    assert [v.label for v in verdicts] == ["refused", "refused"]
    assert all(v.extracted == "LABEL_0" and v.score > 0.99 for v in verdicts)
    assert "LABEL_0 (refused)" in verdicts[0].reason


def test_label_1_means_complied(tiny_classifier_factory):
    model = tiny_classifier_factory(bias=(-6.0, 6.0))
    [verdict] = LongformerRefusalEvaluator(model=str(model)).evaluate_batch(cases("Sure"))
    assert verdict.label == "complied"
    assert verdict.extracted == "LABEL_1"
    assert verdict.score < 0.01  # the score is the probability of refusal


def test_registered_by_name(tiny_classifier_factory):
    model = tiny_classifier_factory(bias=(6.0, -6.0))
    evaluator = create_evaluator("longformer", {"model": str(model)}, EvaluatorContext())
    assert evaluator.name == "longformer"
    assert evaluator.evaluate_batch(cases("sorry"))[0].label == "refused"


def test_batches_keep_order_and_match_single_calls(tiny_classifier_factory):
    model = str(tiny_classifier_factory(seed=3))
    words = ["I", "cannot", "help", "Sure", "here", "is", "how", "idiot", "nice", "day"]
    texts = [" ".join(words[(i * 7) % 10 : (i * 7) % 10 + 1 + i % 9]) for i in range(70)]
    batched = LongformerRefusalEvaluator(model=model, batch_size=32).evaluate_batch(cases(*texts))
    single = [
        LongformerRefusalEvaluator(model=model, batch_size=1).evaluate_batch(cases(t))[0]
        for t in texts[:12]
    ]
    assert len(batched) == 70
    assert [v.label for v in batched[:12]] == [v.label for v in single]
    assert [v.score for v in batched[:12]] == pytest.approx([v.score for v in single], abs=1e-4)
    assert len({v.score for v in batched}) > 1  # the random weights do look at the text


def test_overlength_response_is_unscored_not_a_crash(tiny_classifier_factory):
    model = str(tiny_classifier_factory(bias=(6.0, -6.0)))
    long_text = "sorry " * 200
    verdicts = LongformerRefusalEvaluator(model=model).evaluate_batch(
        cases("short", long_text, "")
    )
    assert [v.label for v in verdicts] == ["refused", UNSCORED, "refused"]
    assert "202 tokens" in verdicts[1].reason and "62-token limit" in verdicts[1].reason


def test_overlength_truncate_option_classifies_the_start(tiny_classifier_factory):
    model = str(tiny_classifier_factory(bias=(6.0, -6.0)))
    evaluator = create({"model": model, "overlength": "truncate"}, EvaluatorContext())
    [verdict] = evaluator.evaluate_batch(cases("sorry " * 200))
    assert verdict.label == "refused"
    assert "first 62 tokens" in verdict.reason


def test_custom_labels_need_refused_label(tiny_classifier_factory):
    model = str(tiny_classifier_factory(labels=("refusal", "answer"), bias=(6.0, -6.0)))
    with pytest.raises(EvaluatorError, match="not a label of .*refusal, answer"):
        LongformerRefusalEvaluator(model=model).evaluate_batch(cases("x"))
    evaluator = LongformerRefusalEvaluator(model=model, refused_label="refusal")
    assert evaluator.evaluate_batch(cases("x"))[0].label == "refused"


def test_model_loads_once_per_process(tiny_classifier_factory):
    model = str(tiny_classifier_factory(bias=(6.0, -6.0)))
    assert load_text_classifier(model, "cpu") is load_text_classifier(model, "cpu")


def test_hub_failure_is_one_clear_line(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    evaluator = LongformerRefusalEvaluator()  # LibrAI/longformer-harmful-ro
    with pytest.raises(EvaluatorError) as info:
        evaluator.evaluate_batch(cases("hello"))
    message = str(info.value)
    assert "\n" not in message
    assert "'LibrAI/longformer-harmful-ro'" in message and "pass its directory" in message


def test_missing_directory_is_named(tmp_path):
    missing = tmp_path / "no-such-model"
    with pytest.raises(EvaluatorError, match=f"model directory not found: {missing}"):
        LongformerRefusalEvaluator(model=str(missing)).evaluate_batch(cases("x"))


def test_directory_without_model_is_named(tmp_path):
    with pytest.raises(EvaluatorError, match=f"cannot load model directory {tmp_path}"):
        LongformerRefusalEvaluator(model=str(tmp_path)).evaluate_batch(cases("x"))


@pytest.mark.parametrize(
    "options, message",
    [
        ({"modle": "x"}, "unknown option 'modle'"),
        ({"batch_size": 0}, "'batch_size' must be a positive integer"),
        ({"overlength": "cut"}, "'overlength' must be 'unscored' or 'truncate'"),
    ],
)
def test_bad_options(options, message):
    with pytest.raises(EvaluatorError, match=message):
        create(options, EvaluatorContext())


def test_empty_batch_loads_nothing():
    assert LongformerRefusalEvaluator(model="/nowhere/at/all").evaluate_batch([]) == []
