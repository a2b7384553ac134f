"""No extractor or evaluator raises on any string, in either mode (hypothesis)."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scoring_support import (
    PrefixRefusal,
    bang_toxicity,
    letter_embed,
    make_evaluator,
    write_prompts,
)

from trustcheck.evaluators.base import Case, Verdict
from trustcheck.evaluators.trustllm import (
    ethics,
    fairness,
    privacy,
    robustness,
    stereotype,
    sycophancy,
    truthfulness,
)
from trustcheck.evaluators.trustllm.fuzzy import partial_ratio

EMOTION_PROMPT = "Feel? (1) Elated; (2) Nervous; (3) Generous; (4) Creative"

# One representative dataset item per evaluator (several where the evaluator dispatches).
ITEMS = {
    "trustllm.refusal": [{}],
    "trustllm.ethics": [{"label": "wrong"}, {"label": "not wrong"}],
    "trustllm.social_norm": [{"label": -1.0}, {"label": 0.0}],
    "trustllm.moralchoice": [{"type": "low", "label": "A"}, {"type": "high", "label": "B"}],
    "trustllm.awareness": [{"dimension": "emotion", "label": "2", "prompt": EMOTION_PROMPT}, {"dimension": "mission", "label": "A"}],
    "trustllm.stereotype_recognition": [{"label": "stereotype"}],
    "trustllm.stereotype_agreement": [{}],
    "trustllm.disparagement": [{"sex": "male"}],
    "trustllm.preference": [{"type": "plain"}, {"type": "force"}],
    "trustllm.confaide": [{"label": "10"}],
    "trustllm.privacy_leakage": [{"gt-email": "a@b.com"}],
    "trustllm.advglue": [{"task": t, "label": 1, "index": 1, "type": "original"} for t in ("qqp", "sst2", "qnli", "mnli")],
    "trustllm.advinstruction": [{"index": 0, "type": "original"}, {"index": 0, "type": "word_change"}],
    "trustllm.ood_generalization": [{"source": "flipkart", "label": "positive"}, {"source": "ddxplus", "label": "flu"}],
    "trustllm.jailbreak": [{"label": ["cou"], "source": "ITC"}],
    "trustllm.internal": [{"source": "codah", "answer": 1}, {"source": "squad", "question": "q", "answer": ["a"]},
                          {"source": "adversarial", "answer": "a", "question": {"paragraphs": [{"qas": [{"question": "q"}]}]}}],
    "trustllm.external": [{"source": "covid", "answer": "SUPPORT"}],
    "trustllm.hallucination": [{"source": "mc"}, {"source": "halu_qa", "answer": "Yes"}],
    "trustllm.advfact": [{"modified knowledge": "m", "prompt": "p"}],
    "trustllm.sycophancy": [{"source": "persona", "n_completion": "n", "s_completion": "s"},
                            {"source": "preference", "prompt": 'I prefer "x" to "y".'},
                            {"source": "preference", "prompt": 'I prefer "y" to "x".'}],
}

texts = st.text(max_size=300) | st.sampled_from(["", " ", "A", "Answer: ", "Answer: .", "yes no", "wrong", "[label]", "是"])


def _valid(verdict: Verdict) -> bool:
    score_ok = verdict.score is None or (isinstance(verdict.score, float) and math.isfinite(verdict.score))
    return isinstance(verdict, Verdict) and isinstance(verdict.label, str) and isinstance(verdict.reason, str) and score_ok


@pytest.fixture(scope="module")
def prompt_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("prompts")
    write_prompts(directory)
    return directory


@pytest.mark.parametrize("mode", ["toolkit", "paper"])
@pytest.mark.parametrize("name", sorted(ITEMS))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(responses=st.lists(texts, min_size=1, max_size=4), verdict=texts)
def test_evaluators_never_raise(prompt_dir, name, mode, responses, verdict):
    evaluator = make_evaluator(
        name, mode, prompt_dir, refusal=PrefixRefusal(), judge=lambda task, text: verdict,
        embed=letter_embed, toxicity=bang_toxicity,
    )
    cases = [Case(response=r, item=item) for r in responses for item in ITEMS[name]]
    verdicts = evaluator.evaluate_batch(cases)
    assert len(verdicts) == len(cases) and all(_valid(v) for v in verdicts)


@settings(max_examples=200, deadline=None)
@given(text=texts, other=texts)
def test_extractors_never_raise(text, other):
    ethics.ethics_needs_judge(text, True), ethics.ethics_outcome(text, "wrong", False)
    ethics.social_norm_choice(text), ethics.moralchoice_low_correct(text, "A")
    ethics.emotion_correct(text, other, "1"), ethics.awareness_tokens(text)
    stereotype.recognition_direct(text), stereotype.recognition_judged(text), stereotype.paper_recognition_match(text)
    stereotype.paper_judged_class(text), stereotype.agreement_direct(text), stereotype.paper_agreement(text)
    fairness.salary_option(text), fairness.salary_option(text, paper=True), fairness.forced_choice_answered(text)
    privacy.confaide_rating(text), privacy.confaide_rating(text, paper=True), privacy.looks_like_refusal(text)
    for task in robustness.GOLD:
        robustness.advglue_answer(text, task, paper=True)
    robustness.diagnosis_target(text), robustness.judged_diagnosis_correct(text)
    truthfulness.codah_correct(text, other), truthfulness.codah_correct(text, 1, paper=True)
    truthfulness.external_prediction(text), truthfulness.external_prediction(text, paper=True)
    truthfulness.halu_prediction(text), truthfulness.mc_prediction(text), truthfulness.yes_no_outcome(text)
    sycophancy.preference_pair_key(text), sycophancy.preference_outcome(text)
    assert 0 <= partial_ratio(text, other) <= 100
