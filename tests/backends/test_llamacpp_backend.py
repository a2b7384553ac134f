"""The llama.cpp backend: load errors, the hub path, context limits, missing package."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from backends_support import hub_offline_env
from support.requirements import require_module

from trustcheck.backends import (
    BackendError,
    BackendOptions,
    GenerationRequest,
    MissingExtraError,
    create_backend,
)

require_module("llama_cpp", "pip install 'trustcheck[llamacpp]'")


def test_a_missing_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(BackendError, match="GGUF file not found: .*absent.gguf"):
        create_backend(f"gguf:{tmp_path / 'absent.gguf'}")


def test_a_file_of_another_format_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "model.gguf").write_text("this is a safetensors file, honest")
    with pytest.raises(BackendError, match="not a GGUF file"):
        create_backend(f"gguf:{tmp_path / 'model.gguf'}")


def test_a_truncated_file_is_one_line(tmp_path: Path, smollm2_path: Path) -> None:
    with smollm2_path.open("rb") as source:
        (tmp_path / "cut.gguf").write_bytes(source.read(2_000_000))
    with pytest.raises(BackendError, match="cannot load GGUF model .*cut.gguf") as raised:
        create_backend(f"gguf:{tmp_path / 'cut.gguf'}")
    assert "\n" not in str(raised.value)


def test_a_bad_hub_spec_shows_the_form() -> None:
    with pytest.raises(BackendError, match="expected gguf:hf://OWNER/REPO/FILE.gguf"):
        create_backend("gguf:hf://only-a-repo")


def test_an_unreachable_hub_is_one_clear_line() -> None:
    script = (
        "from trustcheck.backends import create_backend, BackendError\n"
        "try:\n    create_backend('gguf:hf://no-org/no-repo/model.Q4_K_M.gguf')\n"
        "except BackendError as error:\n    print(error)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], env=hub_offline_env(), capture_output=True, text=True, timeout=120, check=False)
    assert "could not download model.Q4_K_M.gguf from no-org/no-repo on the Hugging Face Hub" in result.stdout
    assert "use gguf:PATH" in result.stdout


def test_a_missing_package_names_the_extra(monkeypatch: pytest.MonkeyPatch, smollm2_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "llama_cpp", None)
    with pytest.raises(MissingExtraError, match=r"pip install 'trustcheck\[llamacpp\]'"):
        create_backend(f"gguf:{smollm2_path}")


def test_a_prompt_too_long_for_n_ctx_fails_alone(smollm2_path: Path, backend_options: BackendOptions) -> None:
    options = BackendOptions(n_ctx=256, threads=1, extra=backend_options.extra)
    backend = create_backend(f"gguf:{smollm2_path}", options)
    too_long, fine = backend.generate([GenerationRequest("word " * 300), GenerationRequest("Hi", max_new_tokens=3)])
    assert not too_long.ok and "exceeds the context of 256 tokens" in (too_long.error or "")
    assert fine.ok and fine.text


@pytest.mark.parametrize(
    ("offload", "options", "gpus", "expected"),
    [
        (False, BackendOptions(), 1, {"n_gpu_layers": 0}),
        (True, BackendOptions(device="cpu"), 4, {"n_gpu_layers": 0}),
        (True, BackendOptions(), 1, {"n_gpu_layers": -1}),
        (True, BackendOptions(worker_index=1, worker_count=4), 1, {"n_gpu_layers": -1}),
        (True, BackendOptions(worker_index=3, worker_count=4), 2, {"n_gpu_layers": -1, "split_mode": 0, "main_gpu": 1}),
    ],
    ids=["cpu-build", "forced-cpu", "one-gpu", "workers-share-one-gpu", "worker-3-of-4-on-2-gpus"],
)
def test_layers_go_to_the_gpu_of_their_worker(offload: bool, options: BackendOptions, gpus: int, expected: dict) -> None:
    from trustcheck.backends.llamacpp import placement

    assert placement(offload, options, gpus) == expected
