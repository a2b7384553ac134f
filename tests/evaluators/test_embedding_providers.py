"""Embedding providers: bundled MiniLM (real, offline), OpenAI-compatible endpoint (local server)."""

from __future__ import annotations

import math

import pytest

from trustcheck.evaluators.embeddings import (
    OpenAIEmbedder,
    SentenceTransformerEmbedder,
    cosine,
    create_embedder,
)
from trustcheck.evaluators.errors import EvaluatorError

KEY = "sk-EMBED-SECRET-77"


def test_cosine():
    assert cosine([1, 0], [0, 1]) == 0.0
    assert cosine([1, 2, 3], [2, 4, 6]) == pytest.approx(1.0)
    assert cosine([1, 0], [-1, 0]) == pytest.approx(-1.0)
    assert cosine([3, 4], [4, 3]) == pytest.approx(24 / 25)
    assert cosine([0, 0], [1, 0]) == 0.0
    with pytest.raises(ValueError, match="different lengths \\(2 and 3\\)"):
        cosine([1, 0], [1, 0, 0])


def fake_vector(text: str) -> list[float]:
    """A deterministic vector from the text, so the test can check which text got which."""
    return [float(len(text)), float(sum(map(ord, text)) % 97), 1.0]


def embeddings_server(json_server, fail_first: int = 0):
    state = {"failures": fail_first}

    def respond(path, headers, body):
        if state["failures"]:
            state["failures"] -= 1
            return 503, {"error": {"message": "overloaded"}}
        rows = [{"object": "embedding", "index": i, "embedding": fake_vector(t)}
                for i, t in enumerate(body["input"])]
        return 200, {"object": "list", "data": rows[::-1], "model": body["model"]}

    return json_server(respond)


def test_openai_endpoint_batches_and_orders(json_server, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    server = embeddings_server(json_server)
    embed = create_embedder(f"openai:{server.url}/v1@my-embedder", batch_size=2)
    texts = ["alpha", "be", "gamma ray", "d", "epsilon"]
    assert embed(texts) == [fake_vector(t) for t in texts]
    assert [r["body"]["input"] for r in server.requests] == [texts[0:2], texts[2:4], texts[4:]]
    first = server.requests[0]
    assert first["path"] == "/v1/embeddings"
    assert first["body"]["model"] == "my-embedder"
    assert first["headers"]["authorization"] == f"Bearer {KEY}"


def test_openai_defaults_to_ada_002_and_no_key_no_header(json_server, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    server = embeddings_server(json_server)
    embed = create_embedder(f"openai:{server.url}/v1/")
    assert embed(["x"]) == [fake_vector("x")]
    assert server.requests[0]["body"]["model"] == "text-embedding-ada-002"
    assert "authorization" not in server.requests[0]["headers"]
    assert create_embedder("openai").url == "https://api.openai.com/v1/embeddings"
    assert create_embedder("openai@text-embedding-3-small").model == "text-embedding-3-small"


def test_openai_retries_then_succeeds(json_server):
    server = embeddings_server(json_server, fail_first=2)
    sleeps: list[float] = []
    embed = OpenAIEmbedder(f"{server.url}/v1", sleep=sleeps.append, backoff_s=0.5)
    assert embed(["x"]) == [fake_vector("x")]
    assert sleeps == [0.5, 1.0]


def test_openai_failure_is_one_line_without_the_key(json_server, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    server = json_server(lambda p, h, b: (401, {"error": {"message": f"Incorrect API key {KEY}"}}))
    with pytest.raises(EvaluatorError) as info:
        OpenAIEmbedder(f"{server.url}/v1", sleep=lambda s: None)(["x"])
    message = str(info.value)
    assert "HTTP 401" in message and "Incorrect API key ***" in message
    assert KEY not in message and "\n" not in message


def test_openai_malformed_answer(json_server):
    server = json_server(lambda p, h, b: (200, {"data": [{"index": 0, "embedding": [1.0]}]}))
    with pytest.raises(EvaluatorError, match="1 embeddings for 2 texts"):
        OpenAIEmbedder(f"{server.url}/v1", retries=0)(["a", "b"])


def test_unknown_provider():
    with pytest.raises(EvaluatorError, match="unknown embeddings provider 'glove'"):
        create_embedder("glove")


def test_missing_sentence_transformers_dir(tmp_path):
    embed = create_embedder(f"sentence-transformers:{tmp_path / 'absent'}")
    with pytest.raises(EvaluatorError, match=f"embeddings: model directory not found: {tmp_path}"):
        embed(["x"])


@pytest.mark.slow
def test_minilm_is_real_offline_and_loaded_once(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    embed = create_embedder("minilm")
    assert isinstance(embed, SentenceTransformerEmbedder)
    cat, kitten, stocks = embed(
        ["A cat sits on the mat.", "A kitten is sitting on a rug.", "Stock markets fell sharply."]
    )
    assert len(cat) == 384
    assert math.isclose(math.fsum(x * x for x in cat), 1.0, rel_tol=1e-4)
    assert cosine(cat, kitten) > 0.5 > cosine(cat, stocks)
    assert embed._load() is create_embedder("minilm")._load()
