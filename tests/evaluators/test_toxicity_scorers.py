"""Toxicity providers: profanity-check (real, offline), Perspective (against a local server),
and a transformers classifier (tiny real model)."""

from __future__ import annotations

import logging

import pytest

from trustcheck.evaluators.errors import EvaluatorError
from trustcheck.evaluators.perspective import PerspectiveToxicity
from trustcheck.evaluators.toxicity import (
    ClassifierToxicity,
    ProfanityCheckToxicity,
    create_toxicity,
)

KEY = "pk-SECRET-4242"


def test_profanity_check_scores_insults_high():
    scorer = create_toxicity()
    assert isinstance(scorer, ProfanityCheckToxicity)
    insult, friendly = scorer(["You are a stupid idiot, shut the fuck up.", "Have a lovely day!"])
    assert insult > 0.9 and friendly < 0.2
    assert scorer([]) == []
    assert scorer.detailed(["hello"])[0].reason.startswith("profanity-check p=")


def perspective_answer(span: float, summary: float) -> dict:
    return {
        "attributeScores": {
            "TOXICITY": {
                "spanScores": [
                    {"begin": 0, "end": 5, "score": {"value": span, "type": "PROBABILITY"}},
                    {"begin": 5, "end": 9, "score": {"value": 0.99, "type": "PROBABILITY"}},
                ],
                "summaryScore": {"value": summary, "type": "PROBABILITY"},
            }
        },
        "languages": ["en"],
    }


class FakeTime:
    """A clock whose sleeps advance it, so spacing is checked without waiting."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


def scorer_for(server, time_=None, **kwargs) -> PerspectiveToxicity:
    time_ = time_ or FakeTime()
    return PerspectiveToxicity(
        url=f"{server.url}/v1alpha1/comments:analyze", clock=time_.clock, sleep=time_.sleep, **kwargs
    )


def test_perspective_span_and_summary(json_server, monkeypatch):
    monkeypatch.setenv("PERSPECTIVE_API_KEY", KEY)
    server = json_server(lambda path, headers, body: (200, perspective_answer(0.25, 0.75)))
    assert scorer_for(server, score="span")(["hello there"]) == [0.25]
    assert scorer_for(server, score="summary")(["hello there"]) == [0.75]
    request = server.requests[0]
    assert request["body"] == {
        "comment": {"text": "hello there"}, "requestedAttributes": {"TOXICITY": {}}
    }
    assert request["headers"]["x-goog-api-key"] == KEY
    assert KEY not in request["path"]


def test_perspective_mode_picks_the_score(monkeypatch):
    assert create_toxicity("perspective").score == "span"
    assert create_toxicity("perspective", mode="paper").score == "summary"
    assert create_toxicity("perspective:summary", mode="toolkit").score == "summary"


def test_perspective_errors_give_none_and_hide_the_key(json_server, monkeypatch, caplog):
    monkeypatch.setenv("PERSPECTIVE_API_KEY", KEY)

    def respond(path, headers, body):
        text = body["comment"]["text"]
        if text == "bad key":
            return 400, {"error": {"code": 400, "message": f"API key not valid: {KEY}"}}
        if text == "odd":
            return 200, {"attributeScores": {}}
        return 200, perspective_answer(0.5, 0.5)

    server = json_server(respond)
    with caplog.at_level(logging.DEBUG):
        scored = scorer_for(server, retries=0).detailed(["bad key", "odd", "fine", "  "])
    assert [s.value for s in scored] == [None, None, 0.5, None]
    assert "HTTP 400" in scored[0].reason and "API key not valid: ***" in scored[0].reason
    assert "lacks attributeScores.TOXICITY.spanScores[0]" in scored[1].reason
    assert "empty text" in scored[3].reason
    assert KEY not in " ".join(s.reason for s in scored) + caplog.text


def test_perspective_unreachable_gives_none(monkeypatch):
    monkeypatch.setenv("PERSPECTIVE_API_KEY", KEY)
    time_ = FakeTime()
    scorer = PerspectiveToxicity(
        url="http://127.0.0.1:9/analyze", retries=1, clock=time_.clock, sleep=time_.sleep
    )
    [scored] = scorer.detailed(["hello"])
    assert scored.value is None and "cannot reach http://127.0.0.1:9/analyze" in scored.reason
    assert time_.sleeps == [1.0]  # one retry after a backoff


def test_perspective_spaces_requests_and_retries_429(json_server, monkeypatch):
    monkeypatch.setenv("PERSPECTIVE_API_KEY", KEY)
    answers = iter([(200, perspective_answer(0.1, 0.1)), (429, {"error": "quota"}),
                    (200, perspective_answer(0.2, 0.2)), (200, perspective_answer(0.3, 0.3))])
    server = json_server(lambda path, headers, body: next(answers))
    time_ = FakeTime()
    scores = scorer_for(server, time_, qps=2.0, backoff_s=3.0)(["a", "b", "c"])
    assert scores == [0.1, 0.2, 0.3]
    # 0.5 s spacing before the 2nd request; the 429 backs off 3 s, which covers the spacing.
    assert time_.sleeps == [0.5, 3.0, 0.5]
    assert len(server.requests) == 4


def test_perspective_without_key_is_one_line(monkeypatch):
    monkeypatch.delenv("PERSPECTIVE_API_KEY", raising=False)
    with pytest.raises(EvaluatorError, match="set the PERSPECTIVE_API_KEY environment variable"):
        PerspectiveToxicity()(["hello"])
    assert PerspectiveToxicity()([]) == []


def test_classifier_toxicity_reads_the_toxic_label(tiny_classifier_factory):
    model = str(tiny_classifier_factory(labels=("neutral", "toxic"), bias=(-2.0, 2.0)))
    scorer = create_toxicity(f"classifier:{model}")
    assert isinstance(scorer, ClassifierToxicity)
    scores = scorer(["you idiot", "have a nice day " * 40])  # the second is truncated, not an error
    assert scores == pytest.approx([0.982, 0.982], abs=1e-3)


def test_classifier_toxicity_label_choice(tiny_classifier_factory):
    model = str(tiny_classifier_factory(labels=("calm", "rude"), bias=(2.0, -2.0)))
    with pytest.raises(EvaluatorError, match="cannot tell which label means toxic among calm, rude"):
        create_toxicity(f"classifier:{model}")(["x"])
    assert create_toxicity(f"classifier:{model}#label=rude")(["x"]) == pytest.approx([0.018], abs=1e-3)
    with pytest.raises(EvaluatorError, match="no label 'mean'"):
        create_toxicity(f"classifier:{model}#label=mean")(["x"])


def test_binary_classifier_without_names_uses_label_1(tiny_classifier_factory):
    model = str(tiny_classifier_factory(bias=(-2.0, 2.0)))
    assert create_toxicity(f"classifier:{model}")(["x"]) == pytest.approx([0.982], abs=1e-3)


@pytest.mark.parametrize(
    "spec, message",
    [
        ("perspectiv", "unknown toxicity provider 'perspectiv' \\(did you mean 'perspective'\\?\\)"),
        ("classifier:", "unknown toxicity provider"),
        ("perspective:median", "score must be 'span' or 'summary'"),
    ],
)
def test_bad_specs(spec, message):
    with pytest.raises(EvaluatorError, match=message):
        create_toxicity(spec)


def test_unknown_provider_option():
    with pytest.raises(EvaluatorError, match="toxicity perspective: .*unexpected keyword.*'speed'"):
        create_toxicity("perspective", options={"speed": 3})
