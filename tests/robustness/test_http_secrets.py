"""Credentials of the `openai:` backend against hostile servers: never forwarded, never shown."""

from __future__ import annotations

import base64
import json
import re

import pytest
from hostile_http import HostileServer
from plugin_project import items_for, suite_yaml

from trustcheck.backends import (
    BackendError,
    BackendOptions,
    GenerationRequest,
    create_backend,
)
from trustcheck.backends.openai_http import parse_spec
from trustcheck.common.credentials import redact, redact_argv, redact_spec
from trustcheck.evaluators.embeddings import OpenAIEmbedder
from trustcheck.evaluators.errors import EvaluatorError
from trustcheck.evaluators.perspective import PerspectiveToxicity

KEY_ENV = "TRUSTCHECK_HOSTILE_KEY"
KEY = "sk-hostile-FAKE-0123456789abcdefXYZ"
PASSWORD = "pw-FAKE-s3cr3t-q9z8"
NO_RETRIES = {"retries": "0", "timeout": "20"}


def _backend(url: str, **extra: str):
    options = BackendOptions(concurrency=2, api_key_env=KEY_ENV, extra={**NO_RETRIES, **extra})
    return create_backend(f"openai:{url}@m", options)


def _with_password(url: str) -> str:
    return url.replace("http://", f"http://alice:{PASSWORD}@")


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _leaks(text: str, secret: str) -> bool:
    """Whether `text` holds the secret or any 8 characters of it in a row."""
    return any(secret[i : i + 8] in text for i in range(len(secret) - 7))


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("credential", ["api key", "url password"])
def test_a_redirect_is_not_followed_and_the_other_origin_sees_no_credential(status, credential, monkeypatch):
    monkeypatch.setenv(KEY_ENV, KEY)
    with HostileServer() as other, HostileServer("redirect", status=status, location=f"{other.base_url}/chat/completions?from=redirect") as server:
        url = _with_password(server.base_url) if credential == "url password" else server.base_url
        [result] = _backend(url).generate([GenerationRequest("hello")])
        assert other.requests == []
        assert not result.ok
        assert f"HTTP {status} redirect to http://127.0.0.1:{other.port}; redirects are not followed" in result.error
        assert "from=redirect" not in result.error and not _leaks(result.error, KEY) and not _leaks(result.error, PASSWORD)
        sent = server.authorizations()[0]
        assert sent == (f"Bearer {KEY}" if credential == "api key" else _basic("alice", PASSWORD))


def test_the_perspective_key_is_not_sent_to_a_redirect_target(monkeypatch):
    monkeypatch.setenv("PERSPECTIVE_API_KEY", KEY)
    with HostileServer() as other, HostileServer("redirect", status=307, location=f"{other.origin}/analyze") as server:
        scorer = PerspectiveToxicity(url=f"{server.origin}/analyze", retries=0, sleep=lambda s: None)
        [scored] = scorer.detailed(["some text"])
    assert other.requests == [] and scored.value is None
    assert "redirect to http://127.0.0.1" in scored.reason and KEY not in scored.reason


@pytest.mark.parametrize("behaviour", ["echo", "silent"])
def test_a_password_in_an_embeddings_url_is_sent_as_basic_auth_and_masked_in_errors(behaviour):
    with HostileServer(behaviour) as server:
        embedder = OpenAIEmbedder(_with_password(server.base_url), "m", retries=0, timeout_s=0.5)
        with pytest.raises(EvaluatorError) as raised:
            embedder(["some text"])
        assert server.authorizations() == [_basic("alice", PASSWORD)]
    message = str(raised.value)
    assert f"http://alice:***@127.0.0.1:{server.port}/v1/embeddings" in message and PASSWORD not in message


@pytest.mark.parametrize(
    ("spec", "base_url", "model", "auth"),
    [
        ("http://alice:pw@h:8000/v1@m", "http://h:8000/v1", "m", ("alice", "pw")),
        ("http://alice:pw@h:8000@llama-3", "http://h:8000/v1", "llama-3", ("alice", "pw")),
        ("http://alice:p%40ss%3Aw@h/v1@m", "http://h/v1", "m", ("alice", "p@ss:w")),
        ("http://alice:p@ss@h/v1@m", "http://h/v1", "m", ("alice", "p@ss")),
        ("https://token-only@api.example.com/v1/@gpt#system=empty", "https://api.example.com/v1", "gpt", ("token-only", "")),
    ],
)
def test_credentials_in_the_base_url_become_basic_auth_and_leave_the_url(spec, base_url, model, auth):
    parsed = parse_spec(spec)
    assert (parsed.base_url, parsed.model, parsed.basic_auth) == (base_url, model, auth)
    assert auth[1] == "" or auth[1] not in repr(parsed)


def test_a_password_in_the_url_reaches_the_server_as_basic_auth_and_no_output(project, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with HostileServer("reflect", padding=170) as server:
        spec = f"openai:{_with_password(server.base_url)}@m"
        project.suite("jb.yaml", suite_yaml("jb", items_for({"cot": ["r1", "r2"]})))
        result = project.run(
            "--trust-full", "-v", "-rA", "--model", spec, "--trust-json", "results.json",
            "--junitxml", "junit.xml", "--html", "report.html", "--trust-backend-option", "retries=0",
            subprocess=True,
        )
        header = server.authorizations()[0]
    assert header == _basic("alice", PASSWORD)
    encoded = header.split()[1]
    outputs = {"terminal": result.stdout.str() + result.stderr.str()}
    outputs.update({name: (project.pytester.path / name).read_text() for name in ("results.json", "junit.xml", "report.html")})
    for name, text in outputs.items():
        assert not _leaks(text, PASSWORD) and not _leaks(text, encoded), name
    results = json.loads(outputs["results.json"])
    masked = f"openai:http://alice:***@127.0.0.1:{server.port}/v1@m"
    assert results["model"]["spec"] == masked and masked in results["settings"]["argv"]
    result.stdout.re_match_lines([r".*invalid credentials 'Basic \*\*\*'.*"])


@pytest.mark.parametrize("padding", [150, 165, 190, 400, 5000])
def test_a_key_quoted_back_after_long_text_is_redacted_before_the_message_is_cut(padding, monkeypatch):
    monkeypatch.setenv(KEY_ENV, KEY)
    with HostileServer("reflect", padding=padding) as server:
        [result] = _backend(server.base_url).generate([GenerationRequest("hello")])
    assert "HTTP 400" in result.error and not _leaks(result.error, KEY)
    assert "Bearer ***" in result.error or result.error.endswith("...")


def test_a_key_in_a_model_response_is_masked_before_it_is_stored(monkeypatch):
    monkeypatch.setenv(KEY_ENV, KEY)
    with HostileServer(text="your header was {auth}") as server:
        [result] = _backend(server.base_url).generate([GenerationRequest("hello")])
    assert result.text == "your header was Bearer ***"


@pytest.mark.parametrize(
    ("key", "what"),
    [
        (KEY + "\n", "a newline at character 36"),
        (KEY[:10] + "\r" + KEY[10:], "a carriage return at character 11"),
        (KEY + "\x1b[0m", "the character U+001B"),
        ("sk-caf\u00e9-" + KEY, "the character U+00E9"),
        (KEY[:5] + " " + KEY[5:], "a space at character 6"),
        ("\t" + KEY, "a tab at character 1"),
    ],
)
def test_a_malformed_key_is_one_line_without_the_key(key, what, monkeypatch):
    monkeypatch.setenv(KEY_ENV, key)
    with pytest.raises(BackendError) as raised:
        _backend("http://127.0.0.1:9/v1")
    message = str(raised.value)
    assert what in message and f"${KEY_ENV}" in message and "\n" not in message
    assert not _leaks(message, KEY)


def test_a_key_ending_in_a_newline_gives_each_item_one_line_in_a_run(project, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", KEY + "\n")
    with HostileServer() as server:
        project.suite("jb.yaml", suite_yaml("jb", items_for({"cot": ["r1", "r2", "r3"]})))
        result = project.run("--trust-full", "-rA", "--model", f"openai:{server.base_url}@m", "--junitxml", "junit.xml")
    output = result.stdout.str()
    assert server.requests == []
    line = "BackendError: the API key in $OPENAI_API_KEY holds a newline at character 36 of 36; "
    assert sum(text.startswith(line) for text in output.splitlines()) == 3
    assert "Traceback" not in output and not _leaks(output, KEY)
    assert not _leaks((project.pytester.path / "junit.xml").read_text(), KEY)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("openai:http://h:8000@m", "openai:http://h:8000@m"),
        ("openai:http://u:pw@h:8000@m", "openai:http://u:***@h:8000@m"),
        ("openai:https://h/v1?api_key=abc123@m", "openai:https://h/v1?api_key=***@m"),
        ("gguf:/models/x@y.gguf", "gguf:/models/x@y.gguf"),
    ],
)
def test_specs_are_redacted_as_specs(text, shown):
    assert redact_spec(text) == shown
    assert redact_argv([f"--model={text}", "--model", text]) == [f"--model={shown}", "--model", shown]


def test_free_text_loses_bearer_tokens_url_passwords_and_key_parameters():
    text = "got 'Bearer sk-abc' at https://bob:hunter22@h/x?key=k1&token=t2&q=1 then Bearer zz"
    assert redact(text) == "got 'Bearer ***' at https://bob:***@h/x?key=***&token=***&q=1 then Bearer ***"
    assert re.search("hunter22|sk-abc|k1|t2", redact(text)) is None
