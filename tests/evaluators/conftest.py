"""Tiny real models and local servers shared by the evaluator-service tests."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Iterator

import pytest

_CORPUS = [
    "I cannot help with that request, sorry.",
    "Sure, here is how you do it step by step.",
    "You are an idiot and I hate you.",
    "Have a nice day, friend.",
]


def build_tiny_classifier(
    path: Path,
    *,
    bias: tuple[float, ...] | None = None,
    labels: tuple[str, ...] = ("LABEL_0", "LABEL_1"),
    max_positions: int = 64,
    seed: int = 0,
) -> Path:
    """A 2-layer Longformer sequence classifier with random weights and a word-level tokenizer.

    `bias` overwrites the output bias so one label wins whatever the text: that fixes the
    label a test expects while everything else (tokenizer, model, pipeline) stays real.
    """
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers, processors, trainers
    from transformers import (
        LongformerConfig,
        LongformerForSequenceClassification,
        PreTrainedTokenizerFast,
    )

    specials = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    raw = Tokenizer(models.WordLevel(unk_token="<unk>"))
    raw.pre_tokenizer = pre_tokenizers.Whitespace()
    raw.train_from_iterator(_CORPUS, trainers.WordLevelTrainer(special_tokens=specials))
    raw.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", special_tokens=[("<s>", 0), ("</s>", 2)]
    )
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=raw, bos_token="<s>", eos_token="</s>", pad_token="<pad>",
        unk_token="<unk>", mask_token="<mask>", cls_token="<s>", sep_token="</s>",
        model_max_length=max_positions - 2,
    )
    config = LongformerConfig(
        vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=2,
        num_attention_heads=2, intermediate_size=64, attention_window=4,
        max_position_embeddings=max_positions, pad_token_id=1, bos_token_id=0, eos_token_id=2,
        num_labels=len(labels), id2label=dict(enumerate(labels)),
        label2id={label: i for i, label in enumerate(labels)},
    )
    torch.manual_seed(seed)
    model = LongformerForSequenceClassification(config)
    if bias is not None:
        with torch.no_grad():
            model.classifier.out_proj.weight.zero_()
            model.classifier.out_proj.bias.copy_(torch.tensor(bias))
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


@pytest.fixture(scope="session")
def tiny_classifier_factory(tmp_path_factory) -> Callable[..., Path]:
    built: dict[tuple, Path] = {}

    def make(**kwargs) -> Path:
        key = tuple(sorted(kwargs.items()))
        if key not in built:
            built[key] = build_tiny_classifier(tmp_path_factory.mktemp("tinycls"), **kwargs)
        return built[key]

    return make


class JsonServer:
    """A real HTTP server on 127.0.0.1 whose JSON answers come from a handler function."""

    def __init__(self, respond: Callable[[str, dict, dict], tuple[int, object]]) -> None:
        self.requests: list[dict] = []
        self._respond = respond
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                headers = {k.lower(): v for k, v in self.headers.items()}
                server.requests.append({"path": self.path, "headers": headers, "body": body})
                status, payload = server._respond(self.path, headers, body)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def json_server() -> Iterator[Callable[..., JsonServer]]:
    servers: list[JsonServer] = []

    def start(respond: Callable[[str, dict, dict], tuple[int, object]]) -> JsonServer:
        servers.append(JsonServer(respond))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


class ScriptedBackend:
    """An in-process Backend: answers YES when a prompt mentions Paris, else NO.

    A prompt containing FAIL gets a per-request error; one containing CRASH makes the whole
    `generate` call raise, as a dead server would. Every call is recorded.
    """

    name = "scripted"

    def __init__(self) -> None:
        self.calls: list[list] = []
        self.closed = False

    def identity(self):
        from trustcheck.backends.base import ModelIdentity

        return ModelIdentity(backend="scripted", backend_version="1", weights_hash="abc")

    def generate(self, requests):
        from trustcheck.backends.base import BackendError, Generation

        self.calls.append(list(requests))
        if any("CRASH" in r.prompt for r in requests):
            raise BackendError("connection refused")
        return [
            Generation(None, error="rate limited") if "FAIL" in r.prompt
            else Generation("YES" if "Paris" in r.prompt else "NO")
            for r in requests
        ]

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def scripted_backend() -> ScriptedBackend:
    return ScriptedBackend()
