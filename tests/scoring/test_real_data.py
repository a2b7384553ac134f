"""The scoring rules against the real TrustLLM files (TRUSTCHECK_DATA: a directory or dataset.zip).

Checks the assumptions the evaluators make about the data, and scores oracle responses (the
gold answer in the expected format) end to end: each must reach the metric's best value.
"""

from __future__ import annotations

from collections import Counter

import pytest
from scoring_support import RuleJudge, judge_all, make_evaluator, metric, records_of
from support.requirements import trustllm_data

from trustcheck.dataset.data import data_source
from trustcheck.evaluators.trustllm.ethics import emotion_options
from trustcheck.evaluators.trustllm.prompts import TaskPrompts
from trustcheck.evaluators.trustllm.robustness import GOLD
from trustcheck.evaluators.trustllm.sycophancy import preference_pair_key
from trustcheck.evaluators.trustllm.truthfulness import adversarial_question
from trustcheck.metrics.trustllm_robustness import VARIANT_ORDER

JUDGE_TASKS = ("ETHICS", "stereotype_recognition", "stereotype_agreement", "ood_generalization", "advfact", "squad",
               "adv", "hotpot", "sycophancy_preference")


@pytest.fixture(scope="module")
def source():
    location = trustllm_data()
    return data_source(location)


def test_every_judge_prompt_the_evaluators_use_is_in_task_prompt_json(source):
    prompts = TaskPrompts.for_data_dir(str(source.directory))
    for task in JUDGE_TASKS:
        assert prompts.get(task).prompt


def test_emotion_prompts_name_their_label(source):
    emotion = [x for x in source.load("ethics/awareness.json") if x["dimension"] == "emotion"]
    assert len(emotion) == 200
    assert all(x["label"] in emotion_options(x["prompt"]) and len(emotion_options(x["prompt"])) == 4 for x in emotion)


def test_sycophancy_preference_pairs_are_consecutive(source):
    keys = [preference_pair_key(x["prompt"]) for x in source.load("truthfulness/sycophancy.json") if x["source"] == "preference"]
    assert len(keys) == 240 and None not in keys
    assert all(keys[2 * k] == keys[2 * k + 1] for k in range(120)) and len(set(keys)) == 120


def test_advglue_pairs_and_advinstruction_variant_order(source):
    glue = source.load("robustness/AdvGLUE.json")
    pairs = Counter((x["task"], x["index"]) for x in glue)
    assert len(pairs) == 456 and set(pairs.values()) == {2}
    assert all(x["task"] in GOLD and GOLD[x["task"]].get(int(x["label"])) for x in glue)
    instructions = source.load("robustness/AdvInstruction.json")
    for index in range(50):
        assert tuple(x["type"] for x in instructions if x["index"] == index) == VARIANT_ORDER


def test_leakage_cells_and_org_addresses(source):
    leakage = source.load("privacy/privacy_leakage.json")
    assert set(Counter((x["shotType"], x["type"]) for x in leakage).values()) == {50}
    assert sum(x["gt-email"].endswith(".org") for x in leakage) == 24


def test_jailbreak_attacks_and_adversarial_questions(source):
    attacks = Counter(x["label"][0] for x in source.load("safety/jailbreak.json"))
    assert len(attacks) == 14 and attacks["cou"] == 100
    internal = source.load("truthfulness/internal.json")
    assert all(adversarial_question(x) for x in internal if x["source"] == "adversarial")


def _oracle(source, name, file, respond, keep, mode="toolkit", where=None, **services):
    items = [x for x in source.load(file) if where is None or where(x)]
    pairs = [(x, respond(x)) for x in items]
    return records_of(judge_all(make_evaluator(name, mode, **services), pairs), pairs, keep)


@pytest.mark.parametrize("mode", ["toolkit", "paper"])
def test_oracle_responses_score_perfectly(source, mode):
    ethics = _oracle(source, "trustllm.ethics", "ethics/implicit_ETHICS.json", lambda x: x["label"].capitalize() + ".", ["label"], mode)
    assert metric("trustllm_ethics_accuracy", ethics, mode=mode).value == 1.0
    social = _oracle(source, "trustllm.social_norm", "ethics/implicit_SocialChemistry101.json",
                     lambda x: "bad" if x["label"] < 0 else "neutral" if x["label"] < 0.5 else "good", ["label"], mode)
    assert metric("trustllm_social_norm_accuracy", social, mode=mode).value == 1.0
    low = _oracle(source, "trustllm.moralchoice", "ethics/explicit_moralchoice.json", lambda x: x["label"] + ".", [], mode,
                  where=lambda x: x["type"] == "low")
    assert metric("trustllm_rate", low, of="correct", among=["correct", "incorrect"]).value == 1.0
    words = {"qqp": ["no", "yes"], "sst2": ["negative", "Positive"], "qnli": ["yes", "no"], "mnli": ["yes", "maybe", "no"]}
    glue = _oracle(source, "trustllm.advglue", "robustness/AdvGLUE.json", lambda x: words[x["task"]][int(x["label"])],
                   ["task", "index", "type"], mode)
    assert metric("trustllm_advglue", glue, mode=mode).value == 1.0
    codah = _oracle(source, "trustllm.internal", "truthfulness/internal.json", lambda x: f"Answer: {x['answer']}", ["source"], mode,
                    where=lambda x: x["source"] == "codah")
    assert metric("trustllm_internal", codah, mode=mode).value == (1.0 if mode == "toolkit" else 78 / 100)  # 22 gold 0s
    external = _oracle(source, "trustllm.external", "truthfulness/external.json",
                       lambda x: "Answer: Supports." if x["answer"] == "SUPPORT" else "Answer: Refutes.", ["source", "answer"], mode)
    assert metric("trustllm_external_f1", external, mode=mode).value == 1.0
    halu = _oracle(source, "trustllm.hallucination", "truthfulness/hallucination.json",
                   lambda x: "A." if x["source"] == "mc" else x["answer"], ["source"], mode)
    assert metric("trustllm_hallucination", halu, mode=mode).value == 1.0


def test_judged_oracles_with_a_rule_judge(source):
    prompts_dir = source.directory
    advfact = _oracle(source, "trustllm.advfact", "truthfulness/golden_advfactuality.json", lambda x: "Actually, no.", [],
                      data_dir=prompts_dir, judge=RuleJudge({"Actually, no.": "[CORRECTED]"}))
    assert metric("trustllm_rate", advfact, of="corrected").value == 1.0
    squad = _oracle(source, "trustllm.internal", "truthfulness/internal.json", lambda x: "Answer: x", ["source"],
                    data_dir=prompts_dir, judge=RuleJudge(default="Yes"), where=lambda x: x["source"] != "codah")
    assert metric("trustllm_internal", squad).value == 1.0
