"""The OpenAI-compatible backend: a live llama_cpp.server, and a local server failing on purpose."""

from __future__ import annotations

import pytest
from backends_support import SMOLLM2_DEFAULT_SYSTEM, ScriptedOpenAIServer, free_port

from trustcheck.backends import (
    BackendError,
    BackendOptions,
    GenerationRequest,
    create_backend,
)
from trustcheck.backends.openai_http import parse_spec
from trustcheck.responses.keys import cache_key

FAST_RETRIES = {"retries": "2", "backoff": "0.01", "timeout": "5"}
SECRET = "sk-test-do-not-leak-4242"


def options(concurrency: int = 4, **extra: str) -> BackendOptions:
    return BackendOptions(concurrency=concurrency, api_key_env="TRUSTCHECK_TEST_KEY", extra={**FAST_RETRIES, **extra})


@pytest.mark.parametrize(
    ("spec", "url", "model", "system"),
    [
        ("http://h:8000/v1@llama-3", "http://h:8000/v1", "llama-3", "none"),
        ("http://h:8000@llama-3", "http://h:8000/v1", "llama-3", "none"),
        ("https://api.example.com/v1/@gpt-4o#system=empty", "https://api.example.com/v1", "gpt-4o", "empty"),
    ],
)
def test_specs_parse(spec: str, url: str, model: str, system: str) -> None:
    parsed = parse_spec(spec)
    assert (parsed.base_url, parsed.model, parsed.system) == (url, model, system)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("http://h:8000/v1", "expected openai:BASE_URL@MODEL"),
        ("h:8000@m", "must start with http"),
        ("http://h@m#system=maybe", "system=none|empty"),
        ("http://h@m#temperature=1", "system=none|empty"),
    ],
)
def test_bad_specs_say_what_is_expected(spec: str, message: str) -> None:
    with pytest.raises(BackendError, match=message):
        create_backend(f"openai:{spec}")


def test_requests_go_out_concurrently_and_come_back_in_order() -> None:
    with ScriptedOpenAIServer(delay=0.2) as server:
        backend = create_backend(f"openai:{server.base_url}@m", options())
        prompts = [f"prompt {i}" for i in range(8)]
        results = backend.generate([GenerationRequest(p) for p in prompts])
        assert [r.text for r in results] == [f"echo: {p}" for p in prompts]
        assert 1 < server.max_in_flight <= 4


def test_the_payload_carries_the_settings() -> None:
    with ScriptedOpenAIServer() as server:
        backend = create_backend(f"openai:{server.base_url}@m", options())
        stops = ("a", "b", "c", "d", "e")
        backend.generate([GenerationRequest("q", temperature=0.7, max_new_tokens=9, stop=stops, seed=5, min_new_tokens=3)])
        backend.generate([GenerationRequest("r", mode="raw")])
        chat, raw = (r["body"] for r in server.requests)
        assert chat["messages"] == [{"role": "user", "content": "q"}]
        assert (chat["temperature"], chat["max_tokens"], chat["seed"], chat["min_tokens"]) == (0.7, 9, 5, 3)
        assert chat["stop"] == ["a", "b", "c", "d"]
        assert raw["prompt"] == "r" and "messages" not in raw and "min_tokens" not in raw
        assert [r["path"] for r in server.requests] == ["/v1/chat/completions", "/v1/completions"]


def test_stop_sequences_beyond_the_api_limit_are_cut_locally() -> None:
    with ScriptedOpenAIServer() as server:
        backend = create_backend(f"openai:{server.base_url}@m", options())
        result = backend.generate([GenerationRequest("one two three", stop=("q1", "q2", "q3", "q4", "three"))])[0]
        assert result.text == "echo: one two " and result.finish_reason == "stop"


@pytest.mark.parametrize("fault", [429, 500, 503, "garbage", "drop"])
def test_transient_faults_are_retried(fault: object) -> None:
    with ScriptedOpenAIServer(faults=(fault, fault)) as server:
        backend = create_backend(f"openai:{server.base_url}@m", options())
        result = backend.generate([GenerationRequest("hello")])[0]
        assert result.ok and result.text == "echo: hello"
        assert len(server.requests) == 3


def test_after_the_last_retry_the_item_error_names_the_url() -> None:
    with ScriptedOpenAIServer(faults=(503,) * 3 + (500,) * 3) as server:
        backend = create_backend(f"openai:{server.base_url}@m", options(concurrency=1))
        failed, also_failed, fine = backend.generate([GenerationRequest("a"), GenerationRequest("b"), GenerationRequest("c")])
        assert not failed.ok and not also_failed.ok and fine.ok
        assert f"{server.base_url}/chat/completions" in (failed.error or "")
        assert "gave up after 3 attempts" in (failed.error or "")


def test_client_errors_are_not_retried() -> None:
    with ScriptedOpenAIServer(faults=(400,)) as server:
        backend = create_backend(f"openai:{server.base_url}@m", options())
        result = backend.generate([GenerationRequest("a")])[0]
        assert "HTTP 400" in (result.error or "") and len(server.requests) == 1


def test_a_server_that_is_down_gives_item_errors_and_a_clear_identity_error() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    backend = create_backend(f"openai:{url}@m", options())
    result = backend.generate([GenerationRequest("a")])[0]
    assert not result.ok and url in (result.error or "") and "gave up" in (result.error or "")
    with pytest.raises(BackendError, match="cannot reach the model server"):
        backend.identity()


def test_the_api_key_is_sent_but_never_written(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUSTCHECK_TEST_KEY", SECRET)
    with ScriptedOpenAIServer(faults=(401, 503, 503, 503)) as server:
        backend = create_backend(f"openai:{server.base_url}@m", options(concurrency=1))
        rejected, exhausted = backend.generate([GenerationRequest("a"), GenerationRequest("b")])
        assert server.requests[0]["headers"]["Authorization"] == f"Bearer {SECRET}"
        written = [rejected.error, exhausted.error, repr(backend), repr(backend.identity()), str(vars(backend))]
        assert "scripted fault; you sent Bearer ***" in (rejected.error or "")
        assert all(SECRET not in (text or "") for text in written)


def test_identity_is_the_model_not_the_url() -> None:
    with ScriptedOpenAIServer(models=("m", "n")) as server:
        localhost = server.base_url.replace("127.0.0.1", "localhost")
        m_here = create_backend(f"openai:{server.base_url}@m", options()).identity()
        m_there = create_backend(f"openai:{localhost}@m", options()).identity()
        n_here = create_backend(f"openai:{server.base_url}@n", options()).identity()
        request = GenerationRequest("q")
        assert cache_key(m_here, request) == cache_key(m_there, request)
        assert cache_key(m_here, request) != cache_key(n_here, request)
        assert m_here.extra == {"owned_by": "tests"}  # `created` changes on every restart: left out
        with pytest.raises(BackendError, match="does not serve model 'x'; it serves: m, n"):
            create_backend(f"openai:{server.base_url}@x", options()).identity()


@pytest.mark.slow
def test_without_system_option_the_server_template_adds_its_default(llama_server) -> None:
    # The default sends the user turn alone, as TrustLLM does for API models; SmolLM2's template on
    # the server then inserts its default system prompt.
    backend = create_backend(f"openai:{llama_server.base_url}@smollm2", options(timeout="120"))
    prompt = "What is the capital of France?"
    chat, raw = backend.generate(
        [
            GenerationRequest(prompt, max_new_tokens=12),
            GenerationRequest(SMOLLM2_DEFAULT_SYSTEM.format(prompt=prompt), mode="raw", max_new_tokens=12),
        ]
    )
    assert chat.ok and chat.text == raw.text
    assert backend.identity().extra == {"owned_by": "me"}
