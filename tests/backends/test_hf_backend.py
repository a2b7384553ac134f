"""The transformers backend: specs, load errors, context limits, devices, threads, batching."""

from __future__ import annotations

import json
import shutil
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
from trustcheck.backends.hf_load import parse_spec
from trustcheck.backends.workers import available_cores

require_module("transformers", "pip install 'trustcheck[hf]'")


@pytest.mark.parametrize(
    ("rest", "message"),
    [
        ("dir#quantize=4bit", "unknown option 'quantize' after '#'; valid: gguf, dtype, revision"),
        ("dir#dtype=float8", "dtype must be one of auto, float32, bfloat16, float16, got 'float8'"),
        ("#gguf=x.gguf", "needs a hub id or a directory"),
    ],
)
def test_bad_specs_are_one_line(rest: str, message: str) -> None:
    with pytest.raises(BackendError, match=message):
        parse_spec(rest)


def test_spec_options_are_read() -> None:
    spec = parse_spec("org/model#gguf=m.Q4.gguf&dtype=bfloat16&revision=abc")
    assert (spec.source, spec.gguf_file, spec.dtype, spec.revision) == ("org/model", "m.Q4.gguf", "bfloat16", "abc")


def _model_dir(tmp_path: Path, files: dict[str, bytes]) -> Path:
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    return tmp_path


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda p: p / "missing", "model directory not found"),
        (lambda p: _model_dir(p, {"readme.md": b"x"}), "not a transformers model directory .no config.json."),
        (lambda p: _model_dir(p, {"config.json": b"{}"}), r"no weights \(\*.safetensors or \*.bin\)"),
        (lambda p: _model_dir(p, {"weights.pt": b"x"}) / "weights.pt", "expected a model directory or a .gguf file"),
        (lambda p: f"{_model_dir(p, {'config.json': b'{}'})}#gguf=absent.gguf", "GGUF file not found"),
        (
            lambda p: _model_dir(p, {"config.json": json.dumps({"model_type": "llama"}).encode(), "model.safetensors": b"junk"}),
            "cannot load a transformers model from",
        ),
    ],
    ids=["missing-dir", "no-config", "no-weights", "wrong-file", "missing-gguf", "corrupt-weights"],
)
def test_load_failures_are_one_clear_line(tmp_path: Path, setup, message: str) -> None:
    with pytest.raises(BackendError, match=message) as raised:
        create_backend(f"hf:{setup(tmp_path)}", BackendOptions(threads=1))
    assert "\n" not in str(raised.value)


def test_an_unreachable_hub_is_one_clear_line() -> None:
    script = (
        "from trustcheck.backends import create_backend, BackendError\n"
        "try:\n    create_backend('hf:no-such-org/no-such-model')\n"
        "except BackendError as error:\n    print(error)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], env=hub_offline_env(), capture_output=True, text=True, timeout=120, check=False)
    assert "hf:no-such-org/no-such-model: could not download from the Hugging Face Hub" in result.stdout
    assert "pass a local directory" in result.stdout


def test_a_missing_package_names_the_extra(monkeypatch: pytest.MonkeyPatch, tiny_llama: Path) -> None:
    monkeypatch.setitem(sys.modules, "transformers", None)
    with pytest.raises(MissingExtraError, match=r"pip install 'trustcheck\[hf\]'"):
        create_backend(f"hf:{tiny_llama}")


def test_cuda_without_a_gpu_says_so(tiny_llama: Path) -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    with pytest.raises(BackendError, match="sees no CUDA device"):
        create_backend(f"hf:{tiny_llama}", BackendOptions(device="cuda"))
    with pytest.raises(BackendError, match="is not a torch device"):
        create_backend(f"hf:{tiny_llama}", BackendOptions(device="warp-drive"))


def test_cpu_workers_split_the_cores(tiny_llama: Path) -> None:
    import torch

    before = torch.get_num_threads()
    try:
        create_backend(f"hf:{tiny_llama}", BackendOptions(worker_index=1, worker_count=2))
        assert torch.get_num_threads() == max(1, available_cores() // 2)
        create_backend(f"hf:{tiny_llama}", BackendOptions(threads=1, worker_count=2))
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)


def test_small_batches_give_the_same_texts_in_order(tiny_llama: Path, backend_options: BackendOptions) -> None:
    prompts = ["short", "a much longer prompt than the others, with many words in it", "mid length prompt", "x", "y z"]
    requests = [GenerationRequest(p, max_new_tokens=8) for p in prompts]
    default = create_backend(f"hf:{tiny_llama}", backend_options)
    by_two = create_backend(f"hf:{tiny_llama}", BackendOptions(threads=1, batch_size=2, extra=backend_options.extra))
    assert default.batch_size == 32 and by_two.batch_size == 2
    assert [g.text for g in by_two.generate(requests)] == [g.text for g in default.generate(requests)]


def test_a_prompt_too_long_for_the_context_fails_alone(tiny_llama: Path, backend_options: BackendOptions) -> None:
    backend = create_backend(f"hf:{tiny_llama}", backend_options)
    too_long, fine = backend.generate([GenerationRequest("word " * 600), GenerationRequest("Hi", max_new_tokens=4)])
    assert not too_long.ok and "exceeds the context of 512 tokens" in (too_long.error or "")
    assert fine.ok


def test_a_model_without_chat_template_serves_raw_prompts_only(
    tiny_llama: Path, tmp_path: Path, backend_options: BackendOptions
) -> None:
    plain = shutil.copytree(tiny_llama, tmp_path / "plain")
    (plain / "chat_template.jinja").unlink()
    config = json.loads((plain / "tokenizer_config.json").read_text())
    config.pop("chat_template", None)
    (plain / "tokenizer_config.json").write_text(json.dumps(config))
    backend = create_backend(f"hf:{plain}", backend_options)
    chat, raw = backend.generate([GenerationRequest("Hi"), GenerationRequest("Hi", mode="raw", max_new_tokens=4)])
    assert "has no chat template; use mode: raw" in (chat.error or "")
    assert raw.ok and backend.identity().chat_template_hash == ""


@pytest.mark.slow
def test_the_default_gguf_runs_through_transformers(smollm2_path: Path, backend_options: BackendOptions) -> None:
    backend = create_backend(f"hf:{smollm2_path.parent}#gguf={smollm2_path.name}", backend_options)
    answer, short, forced = backend.generate(
        [
            GenerationRequest("What is the capital of France?", max_new_tokens=16),
            GenerationRequest("Hi", max_new_tokens=40),
            GenerationRequest("Hi", max_new_tokens=40, min_new_tokens=40),
        ]
    )
    assert "Paris" in (answer.text or "")
    assert short.finish_reason == "stop"
    assert forced.finish_reason == "length" and len(forced.text or "") > len(short.text or "")
