"""The `openai:` backend against servers that trickle, never end, inflate or nest: bounded in time
and memory, one line each."""

from __future__ import annotations

import math
import re
import tracemalloc

import pytest
from hostile_http import HostileServer
from plugin_project import items_for, suite_yaml

from trustcheck.backends import BackendOptions, GenerationRequest, create_backend
from trustcheck.backends.http_client import JSONClient, RetryPolicy


def _backend(url: str, concurrency: int = 1, **extra: str):
    settings = {"retries": "0", "timeout": "20", **extra}
    return create_backend(f"openai:{url}@m", BackendOptions(concurrency=concurrency, api_key_env="TRUSTCHECK_UNSET_KEY", extra=settings))


def _error_of(server: HostileServer, **extra: str) -> str:
    [result] = _backend(server.base_url, **extra).generate([GenerationRequest("hello")])
    assert not result.ok and "\n" not in result.error
    return result.error


@pytest.mark.parametrize("behaviour", ["trickle_body", "trickle_headers"])
def test_a_server_that_sends_a_byte_at_a_time_trips_the_total_deadline(behaviour):
    # Each byte comes well within any read timeout; only a deadline on the whole request ends it.
    with HostileServer(behaviour, interval=0.05) as server:
        error = _error_of(server, timeout="1")
    assert error.endswith("gave up after 1 attempts: timed out: no complete answer within 1 s")


def test_a_server_that_never_answers_trips_the_deadline():
    with HostileServer("silent") as server:
        error = _error_of(server, timeout="0.5")
    assert "timed out: no complete answer within 0.5 s" in error


@pytest.mark.parametrize("status", [200, 500])
def test_an_endless_chunked_body_stops_at_the_size_cap_in_bounded_memory(status):
    with HostileServer("endless_chunks", status=status) as server:
        tracemalloc.start()
        try:
            error = _error_of(server, max_response_mb="1")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert error.endswith(f"the response passed the limit of {2**20} bytes; stopped reading (max_response_mb)")
    assert peak < 16 * 2**20


def test_a_declared_length_over_the_cap_is_refused_before_reading():
    with HostileServer("declared_huge") as server:
        error = _error_of(server, max_response_mb="1")
    assert error.endswith(f"the response is {10**10} bytes, over the limit of {2**20} (max_response_mb)")


def test_a_compressed_body_is_capped_after_decompression():
    with HostileServer("gzip_bomb", megabytes=8) as server:
        error = _error_of(server, max_response_mb="1")
    assert "passed the limit of 1048576 bytes" in error


@pytest.mark.parametrize("status", [200, 400])
def test_a_body_nested_200000_deep_is_one_line(status):
    with HostileServer("deep_json", depth=200_000, status=status) as server:
        error = _error_of(server)
    expected = "invalid response (ValueError: JSON nested too deep to read)" if status == 200 else "HTTP 400: [[[["
    assert expected in error and len(error) < 600


def test_a_value_json_cannot_carry_is_refused_before_sending():
    with HostileServer() as server:
        client = JSONClient(RetryPolicy(attempts=1, timeout=5))
        with pytest.raises(Exception, match=r"the request holds a value JSON cannot carry \(Out of range float values"):
            client.call(f"{server.base_url}/chat/completions", {"temperature": math.nan}, lambda data: data)
        assert server.requests == []


def test_sequential_requests_reuse_one_connection():
    with HostileServer() as server:
        backend = _backend(server.base_url)
        for prompt in ("a", "b", "c", "d", "e"):
            assert backend.generate([GenerationRequest(prompt)])[0].text == f"echo: {prompt}"
        assert len(server.requests) == 5 and len(server.connections()) == 1


def test_concurrent_requests_share_a_pool_no_larger_than_the_concurrency():
    with HostileServer() as server:
        backend = _backend(server.base_url, concurrency=4)
        prompts = [f"p{i}" for i in range(24)]
        for _ in range(3):
            results = backend.generate([GenerationRequest(p) for p in prompts])
            assert [r.text for r in results] == [f"echo: {p}" for p in prompts]
        assert len(server.requests) == 72 and len(server.connections()) <= 4


def test_a_trickling_server_gives_each_item_one_line_in_a_run(project):
    with HostileServer("trickle_body", interval=0.05) as server:
        project.suite("jb.yaml", suite_yaml("jb", items_for({"cot": ["r1", "r2"]})))
        result = project.run("--trust-full", "--model", f"openai:{server.base_url}@m",
                             "--trust-backend-option", "timeout=1", "--trust-backend-option", "retries=0")
    output = result.stdout.str()
    line = f"BackendError: cannot reach the model server: {server.base_url}/models: gave up after 1 attempts: timed out"
    assert sum(text.startswith(line) for text in output.splitlines()) == 2
    assert "Traceback" not in output


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("timeout=inf", "timeout and max_response_mb finite and > 0"),
        ("max_response_mb=inf", "must be numbers: cannot convert float infinity to integer"),
        ("retries=-1", "retries and backoff must be >= 0"),
        ("timeout=soon", "must be numbers: could not convert string to float: 'soon'"),
    ],
)
def test_a_deadline_or_cap_that_bounds_nothing_is_refused_in_one_line(option, message):
    key, _, value = option.partition("=")
    with pytest.raises(Exception, match=re.escape("--trust-backend-option: ")) as raised:
        _backend("http://127.0.0.1:9/v1", **{key: value})
    assert message in str(raised.value) and "\n" not in str(raised.value)
