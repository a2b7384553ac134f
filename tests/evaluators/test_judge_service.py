"""The LLM judge service: request shape, batching, caching, failures."""

from __future__ import annotations

import logging

import pytest

from trustcheck.backends.base import GenerationRequest
from trustcheck.evaluators.errors import EvaluatorError
from trustcheck.evaluators.judge import LLMJudge, create_judge
from trustcheck.responses.cache import ResponseCache
from trustcheck.responses.keys import cache_key


def test_one_greedy_user_message_per_prompt(scripted_backend):
    judge = LLMJudge(scripted_backend, max_new_tokens=40)
    assert judge("squad", "Is Paris in France?") == "YES"
    [[request]] = scripted_backend.calls
    assert request == GenerationRequest(
        prompt="Is Paris in France?", mode="chat", temperature=0.0, max_new_tokens=40
    )


def test_judge_many_keeps_order_and_batches(scripted_backend):
    judge = LLMJudge(scripted_backend, batch_size=3)
    prompts = [("advfact", f"q{i} Paris" if i % 2 else f"q{i}") for i in range(7)]
    answers = judge.judge_many(prompts)
    assert answers == ["NO", "YES", "NO", "YES", "NO", "YES", "NO"]
    assert [len(call) for call in scripted_backend.calls] == [3, 3, 1]


def test_identical_prompts_are_asked_once(scripted_backend):
    judge = LLMJudge(scripted_backend)
    answers = judge.judge_many([("a", "Paris?"), ("b", "Paris?"), ("a", "Rome?")])
    assert answers == ["YES", "YES", "NO"]
    assert [r.prompt for r in scripted_backend.calls[0]] == ["Paris?", "Rome?"]


def test_cache_answers_without_the_backend(tmp_path, scripted_backend):
    cache = ResponseCache(tmp_path / "cache.sqlite")
    LLMJudge(scripted_backend, cache=cache).judge_many([("squad", "Paris?"), ("squad", "Rome?")])
    assert len(cache) == 2
    key = cache_key(scripted_backend.identity(), GenerationRequest("Paris?", max_new_tokens=128))
    assert cache.get(key) == "YES"

    again = LLMJudge(scripted_backend, cache=cache)
    outcomes = again.outcomes([("squad", "Rome?"), ("squad", "Paris?"), ("squad", "Oslo?")])
    assert [(o.text, o.cached) for o in outcomes] == [("NO", True), ("YES", True), ("NO", False)]
    assert [r.prompt for r in scripted_backend.calls[-1]] == ["Oslo?"]


class GetPutCache:
    """The minimal cache hook: only get and put."""

    def __init__(self) -> None:
        self.store: dict[str, str] = {}

    def get(self, key):
        return self.store.get(key)

    def put(self, key, text):
        self.store[key] = text


def test_minimal_get_put_cache(scripted_backend):
    cache = GetPutCache()
    LLMJudge(scripted_backend, cache=cache)("t", "Paris?")
    assert list(cache.store.values()) == ["YES"]
    assert LLMJudge(scripted_backend, cache=cache).outcomes([("t", "Paris?")])[0].cached


def test_failures_give_none_with_reason_and_are_not_cached(scripted_backend, caplog):
    cache = GetPutCache()
    judge = LLMJudge(scripted_backend, cache=cache, label="judge test")
    with caplog.at_level(logging.WARNING, logger="trustcheck.judge"):
        outcomes = judge.outcomes([("squad", "FAIL Paris"), ("squad", "Paris")])
    assert outcomes[0].text is None and outcomes[0].error == "judge test: rate limited"
    assert outcomes[1].text == "YES"
    assert list(cache.store.values()) == ["YES"]
    assert "failed on a squad item: judge test: rate limited" in caplog.text


def test_backend_exception_fails_only_its_batch(scripted_backend):
    judge = LLMJudge(scripted_backend, batch_size=2)
    outcomes = judge.outcomes([("x", "CRASH"), ("x", "Paris"), ("x", "Paris again")])
    assert [o.text for o in outcomes] == [None, None, "YES"]
    assert "connection refused" in outcomes[0].error


def test_backend_is_built_on_first_question(scripted_backend):
    built = []

    def make():
        built.append(1)
        return scripted_backend

    judge = LLMJudge(make)
    assert built == [] and judge.judge_many([]) == []
    judge("t", "Paris")
    judge("t", "Rome")
    assert built == [1]
    judge.close()
    assert scripted_backend.closed


@pytest.mark.parametrize("spec", ["nosuchscheme:whatever", "gguf"])
def test_bad_judge_spec_fails_before_any_question(spec):
    with pytest.raises(EvaluatorError, match=f"--trust-judge {spec}: (unknown|invalid) model"):
        create_judge(spec)


def test_backend_answering_too_few_fails_that_batch(scripted_backend):
    original = scripted_backend.generate
    scripted_backend.generate = lambda requests: original(requests)[:-1]
    outcomes = LLMJudge(scripted_backend).outcomes([("x", "Paris"), ("x", "Rome")])
    assert [o.text for o in outcomes] == [None, None]
    assert "gave 1 answers for 2 prompts" in outcomes[0].error
