"""Embeddings and toxicity scores come from the response cache on a re-run."""

from __future__ import annotations

from pathlib import Path

from trustcheck.responses.cache import NullCache, ResponseCache
from trustcheck.responses.service_cache import CachedTextService, cache_services


class CountingEmbedder:
    label = "counting"

    def __init__(self) -> None:
        self.texts: list[str] = []

    def __call__(self, texts: list[str]) -> list[list[float]]:
        self.texts.extend(texts)
        return [[len(t) / 3, 0.1 * len(t.split())] for t in texts]


def test_second_call_computes_nothing_and_returns_identical_values(tmp_path: Path) -> None:
    inner = CountingEmbedder()
    cached = CachedTextService(inner, ResponseCache(tmp_path / "c.sqlite3"), "embed\0counting")
    texts = ["a response", "another one", "a response", "\ud800 lone surrogate"]
    first = cached(texts)
    assert inner.texts == ["a response", "another one", "\ud800 lone surrogate"]
    again = CachedTextService(CountingEmbedder(), ResponseCache(tmp_path / "c.sqlite3"), "embed\0counting")
    assert again(texts) == first
    assert again._service.texts == []
    assert cached.label == "counting"


def test_namespaces_keep_providers_apart_and_none_is_not_cached(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "c.sqlite3")
    calls = []

    def scorer(texts):
        calls.append(list(texts))
        return [None if t == "unscorable" else 0.5 for t in texts]

    one = CachedTextService(scorer, cache, "toxicity\0a")
    assert one(["x", "unscorable"]) == [0.5, None]
    assert one(["x", "unscorable"]) == [0.5, None]
    assert calls == [["x", "unscorable"], ["unscorable"]]
    CachedTextService(scorer, cache, "toxicity\0b")(["x"])
    assert calls[-1] == ["x"]


def test_cache_services_wraps_only_text_services() -> None:
    refusal, embed = object(), CountingEmbedder()
    wrapped = cache_services({"refusal": refusal, "embed": embed}, NullCache(), {"embed": "minilm"})
    assert wrapped["refusal"] is refusal
    assert wrapped["embed"](["q"]) == embed(["q"])
