"""Service access: task_prompt.json lookup, judge outcomes, batched judging, refusal labels."""

from __future__ import annotations

import zipfile

import pytest
from scoring_support import RuleJudge, judge_all, make_evaluator, write_prompts

from trustcheck.evaluators.base import Case, Verdict
from trustcheck.evaluators.trustllm.prompts import TaskPrompts
from trustcheck.evaluators.trustllm.services import (
    NEEDS_JUDGE,
    EmbedService,
    JudgeService,
    ToxicityService,
)
from trustcheck.evaluators.trustllm.unscorable import Unscorable

ETHICS_ITEM = ({"label": "wrong"}, "Hmm")  # no "wrong": the toolkit asks the judge


def test_prompts_found_in_the_data_dir_itself(tmp_path):
    write_prompts(tmp_path)
    assert TaskPrompts.for_data_dir(str(tmp_path)).concat("ETHICS", "X") == "ETHICS judge. Here is the response:X"


def test_prompts_found_beside_a_dataset_zip(tmp_path):
    write_prompts(tmp_path)
    archive = tmp_path / "dataset.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("dataset/ethics/implicit_ETHICS.json", "[]")
    assert TaskPrompts.for_data_dir(str(archive)).get("squad").mapping["[[answer]]"] == "res"


def test_missing_prompt_file_names_both_places(tmp_path):
    data = tmp_path / "dataset"
    data.mkdir()
    verdict = judge_all(make_evaluator("trustllm.ethics", data_dir=data, judge=RuleJudge()), [ETHICS_ITEM])[0]
    assert verdict.label == "unscored"
    assert "task_prompt.json not found" in verdict.reason and str(tmp_path) in verdict.reason


def test_malformed_prompt_file_is_named(tmp_path):
    (tmp_path / "task_prompt.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(Unscorable, match="task_prompt.json"):
        TaskPrompts.for_data_dir(str(tmp_path)).get("ETHICS")


def test_unknown_task_and_missing_mapped_field(data_dir):
    prompts = TaskPrompts.for_data_dir(str(data_dir))
    with pytest.raises(Unscorable, match="no judge prompt for task 'nope'"):
        prompts.get("nope")
    with pytest.raises(Unscorable, match="'modified knowledge'"):
        prompts.mapped("advfact", {"prompt": "p", "res": "r"})


def test_judge_absent_none_or_failing(data_dir):
    assert judge_all(make_evaluator("trustllm.ethics", data_dir=data_dir), [ETHICS_ITEM])[0].reason == NEEDS_JUDGE
    silent = RuleJudge(default=None)
    reason = judge_all(make_evaluator("trustllm.ethics", data_dir=data_dir, judge=silent), [ETHICS_ITEM])[0].reason
    assert reason == NEEDS_JUDGE
    configured = make_evaluator("trustllm.ethics", data_dir=data_dir, judge=silent, judge_spec="gguf:judge.gguf")
    assert judge_all(configured, [ETHICS_ITEM])[0].reason == "the LLM judge (gguf:judge.gguf) gave no answer"

    def broken(task_key, prompt_text):
        raise ConnectionError("refused")

    failed = judge_all(make_evaluator("trustllm.ethics", data_dir=data_dir, judge=broken), [ETHICS_ITEM])[0]
    assert failed.label == "unscored" and "the LLM judge failed: refused" in failed.reason


class BatchJudge(RuleJudge):
    """A judge that answers many questions in one call, like the LLM judge service."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.batches: list[int] = []

    def judge_many(self, requests):
        self.batches.append(len(requests))
        return [self(task, text) for task, text in requests]


def test_questions_are_asked_in_one_batch_when_the_judge_batches(data_dir):
    judge = BatchJudge({"Hmm": "Wrong"}, default="Not wrong")
    items = [ETHICS_ITEM, ({"label": "not wrong"}, "Hmm"), ({"label": "wrong"}, "Fine"), ({"label": "wrong"}, "wrong")]
    verdicts = judge_all(make_evaluator("trustllm.ethics", data_dir=data_dir, judge=judge), items)
    assert [v.label for v in verdicts] == ["correct", "incorrect", "incorrect", "correct"]
    assert judge.batches == [2]  # two distinct questions ("Hmm" twice), one call
    assert len(judge.calls) == 2


class OddRefusal:
    name = "odd"

    def evaluate_batch(self, cases):
        return [Verdict("maybe") for _ in cases]


def test_unknown_refusal_label_is_unscored():
    verdict = judge_all(make_evaluator("trustllm.refusal", refusal=OddRefusal()), [({}, "x")])[0]
    assert verdict.label == "unscored" and "'maybe'" in verdict.reason


def test_none_response_is_unscored():
    evaluator = make_evaluator("trustllm.hallucination")
    verdict = evaluator.evaluate_batch([Case(response=None, item={"source": "mc"})])[0]  # type: ignore[arg-type]
    assert verdict.label == "unscored" and "no response" in verdict.reason


def test_protocols_accept_plain_callables():
    assert isinstance(RuleJudge(), JudgeService)
    assert isinstance(lambda texts: [[0.0]], EmbedService) and isinstance(lambda texts: [0.0], ToxicityService)


def test_unknown_option_is_rejected():
    with pytest.raises(Exception, match="unknown option 'colour'"):
        make_evaluator("trustllm.ethics", options={"colour": "red"})



def test_unknown_scoring_mode_is_rejected():
    with pytest.raises(Exception, match="scoring mode must be toolkit or paper, found 'papers'"):
        make_evaluator("trustllm.ethics", mode="papers")
