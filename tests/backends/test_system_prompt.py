"""`--trust-system-prompt`: what each condition sends, and that it names its cache entries."""

from __future__ import annotations

from pathlib import Path

import pytest
from backends_support import (
    SMOLLM2_BLANK_SYSTEM,
    SMOLLM2_DEFAULT_SYSTEM,
    ScriptedOpenAIServer,
)

from trustcheck.backends import BackendOptions, GenerationRequest, create_backend
from trustcheck.backends.base import (
    ModelIdentity,
    describe_system_prompt,
    parse_system_prompt,
    system_prompt_label,
)
from trustcheck.responses.keys import cache_key, request_key

MODEL = ModelIdentity(backend="b", backend_version="1", weights_hash="w")


@pytest.mark.parametrize(
    ("option", "carried", "described"),
    [("empty", "", "empty"), ("model-default", None, "model-default"), ("Be brief.", "Be brief.", "Be brief.")],
)
def test_the_option_reads_as_a_request_field_and_back(option: str, carried: str | None, described: str) -> None:
    assert parse_system_prompt(option) == carried
    assert describe_system_prompt(carried) == described


def test_a_long_text_is_cut_for_headers_and_reports() -> None:
    assert system_prompt_label("empty") == "empty"
    assert system_prompt_label("x" * 100) == repr("x" * 60) + "... (100 characters)"


def test_each_condition_has_its_own_cache_key_and_the_blank_one_keeps_the_old_key() -> None:
    keys = {cache_key(MODEL, GenerationRequest("q", system_prompt=s)) for s in ("", None, "Be brief.", "Be careful.")}
    assert len(keys) == 4
    assert "system_prompt" not in GenerationRequest("q").settings()
    assert GenerationRequest("q", system_prompt=None).settings()["system_prompt"] == "model-default"


def test_a_raw_prompt_has_no_system_turn_so_the_condition_does_not_split_its_cache() -> None:
    raw = [GenerationRequest("q", mode="raw", system_prompt=s) for s in ("", None, "Be brief.")]
    assert len({request_key(r) for r in raw}) == 1


def test_the_http_backend_sends_a_system_message_only_for_a_text_or_when_asked(tmp_path: Path) -> None:
    options = BackendOptions(concurrency=1, extra={"retries": "0", "timeout": "5"})
    with ScriptedOpenAIServer() as server:
        plain = create_backend(f"openai:{server.base_url}@m", options)
        blank = create_backend(f"openai:{server.base_url}@m#system=empty", options)
        plain.generate([GenerationRequest("q", system_prompt=s) for s in ("", None, "Be brief.")])
        blank.generate([GenerationRequest("q", system_prompt=s) for s in ("", None)])
        sent = [r["body"]["messages"][:-1] for r in server.requests if "messages" in r["body"]]
    empty, none = [{"role": "system", "content": ""}], []
    assert sent == [none, none, [{"role": "system", "content": "Be brief."}], empty, none]


@pytest.mark.slow
def test_llama_cpp_renders_each_condition_with_the_models_template(smollm2_path: Path, backend_options: BackendOptions) -> None:
    backend = create_backend(f"gguf:{smollm2_path}", backend_options)
    try:
        prompt = "What is the capital of France?"
        texts = {}
        for condition in ("empty", "model-default", "Answer in one word."):
            request = GenerationRequest(prompt, system_prompt=parse_system_prompt(condition), max_new_tokens=8)
            backend._token_ids(request)  # builds the messages rule from the model's own template
            texts[condition] = backend._render_chat(backend._messages_for(prompt, request.system_prompt))
        assert texts["empty"] == SMOLLM2_BLANK_SYSTEM.format(prompt=prompt)
        assert texts["model-default"] == SMOLLM2_DEFAULT_SYSTEM.format(prompt=prompt)
        assert texts["Answer in one word."].startswith("<|im_start|>system\nAnswer in one word.<|im_end|>\n<|im_start|>user\n")
        # The model answers the default-system prompt exactly as the same text sent raw.
        chat, raw = backend.generate([
            GenerationRequest(prompt, system_prompt=None, max_new_tokens=8),
            GenerationRequest(SMOLLM2_DEFAULT_SYSTEM.format(prompt=prompt), mode="raw", max_new_tokens=8),
        ])
        assert chat.ok and chat.text == raw.text
    finally:
        backend.close()


@pytest.mark.slow
def test_transformers_renders_each_condition_with_the_models_template(tiny_llama: Path, backend_options: BackendOptions) -> None:
    backend = create_backend(f"hf:{tiny_llama}", backend_options)
    try:
        prompt = "What is the capital of France?"
        for condition, expected in (("empty", SMOLLM2_BLANK_SYSTEM), ("model-default", SMOLLM2_DEFAULT_SYSTEM)):
            request = GenerationRequest(prompt, system_prompt=parse_system_prompt(condition))
            ids = backend._token_ids(request)
            assert backend.tokenizer.decode(ids) == expected.format(prompt=prompt)
        ids = backend._token_ids(GenerationRequest(prompt, system_prompt="Answer in one word."))
        assert backend.tokenizer.decode(ids).startswith("<|im_start|>system\nAnswer in one word.<|im_end|>")
    finally:
        backend.close()
