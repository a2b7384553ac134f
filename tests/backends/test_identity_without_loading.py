"""Backends name their model from its files without loading it, and the name equals the loaded model's."""

from __future__ import annotations

import struct
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from support.requirements import require_module

from trustcheck.backends import (
    BackendError,
    BackendOptions,
    Generation,
    GenerationRequest,
    create_backend,
)
from trustcheck.backends.gguf_metadata import GGUFMetadataError, read_string
from trustcheck.backends.registry import identify_backend


def _string(text: str) -> bytes:
    raw = text.encode("utf-8")
    return struct.pack("<Q", len(raw)) + raw


def _gguf(entries: list[tuple[str, int, bytes]], version: int = 3) -> bytes:
    """A GGUF header with the given (key, type code, encoded value) entries and no tensors."""
    body = b"".join(_string(key) + struct.pack("<I", kind) + value for key, kind, value in entries)
    return b"GGUF" + struct.pack("<IQQ", version, 0, len(entries)) + body


TOKENS = struct.pack("<IQ", 8, 3) + b"".join(_string(t) for t in ("<s>", "hello", "world"))
SCORES = struct.pack("<IQ", 6, 3) + struct.pack("<3f", 0.0, -1.0, -2.0)
ENTRIES = [
    ("general.name", 8, _string("tiny")),
    ("llama.context_length", 4, struct.pack("<I", 2048)),
    ("tokenizer.ggml.tokens", 9, TOKENS),
    ("tokenizer.ggml.scores", 9, SCORES),
    ("tokenizer.ggml.add_bos_token", 7, b"\x01"),
    ("tokenizer.chat_template", 8, _string("{% for m in messages %}{{ m.content }}{% endfor %}")),
]


def test_a_string_is_found_after_arrays_of_strings_and_numbers(tmp_path: Path) -> None:
    path = tmp_path / "m.gguf"
    path.write_bytes(_gguf(ENTRIES))
    assert read_string(path, "tokenizer.chat_template") == "{% for m in messages %}{{ m.content }}{% endfor %}"
    assert read_string(path, "general.name") == "tiny"
    assert read_string(path, "general.missing") is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (_gguf(ENTRIES)[:60], "ends early|past the end"),
        (_gguf(ENTRIES, version=1), "version 1"),
        (b"GGML" + bytes(20), "not a GGUF file"),
        (_gguf([("k", 99, b"")]), "unknown value type 99"),
    ],
)
def test_files_this_reader_cannot_parse_say_why(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "m.gguf"
    path.write_bytes(content)
    with pytest.raises(GGUFMetadataError, match=message):
        read_string(path, "tokenizer.chat_template")


def test_an_unparsable_gguf_is_left_to_llama_cpp_to_name(tmp_path: Path, backend_options: BackendOptions) -> None:
    path = tmp_path / "m.gguf"
    path.write_bytes(_gguf(ENTRIES, version=1))
    assert identify_backend(f"gguf:{path}", backend_options) is None


def test_a_missing_gguf_file_is_the_same_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(BackendError, match="GGUF file not found"):
        identify_backend(f"gguf:{tmp_path / 'nothing.gguf'}")


def test_naming_a_gguf_model_imports_no_llama_cpp(smollm2_path: Path, tmp_path: Path) -> None:
    code = (
        "import sys; from trustcheck.backends.registry import identify_backend, BackendOptions; "
        f"identity = identify_backend('gguf:{smollm2_path}', BackendOptions(extra={{'cache_dir': {str(tmp_path)!r}}})); "
        "print(identity.weights_hash, 'llama_cpp' in sys.modules)"
    )
    printed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert printed == ["b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53", "False"]


def test_the_gguf_identity_from_the_file_is_the_loaded_models(smollm2_path: Path, backend_options: BackendOptions) -> None:
    require_module("llama_cpp", "pip install 'trustcheck[llamacpp]'")
    from_files = identify_backend(f"gguf:{smollm2_path}", backend_options)
    assert from_files is not None and from_files.chat_template_hash
    assert create_backend(f"gguf:{smollm2_path}", backend_options).identity() == from_files


def test_the_hf_identity_from_the_tokenizer_is_the_loaded_models(tiny_llama: Path, backend_options: BackendOptions) -> None:
    require_module("transformers", "pip install 'trustcheck[hf]'")
    from_files = identify_backend(f"hf:{tiny_llama}", backend_options)
    assert create_backend(f"hf:{tiny_llama}", backend_options).identity() == from_files


class _Recorder:
    """A GenerationProgress that keeps every report."""

    def __init__(self) -> None:
        self.advanced: list[int] = []
        self.finished: list[tuple[int, int]] = []
        self.lock = threading.Lock()

    def advance(self, tokens: int) -> None:
        with self.lock:
            self.advanced.append(tokens)

    def finish(self, index: int, tokens: int, generation: Generation | None = None) -> None:
        with self.lock:
            self.finished.append((index, tokens))


def test_the_hf_backend_reports_each_step_and_each_request(tiny_llama: Path, backend_options: BackendOptions) -> None:
    require_module("transformers", "pip install 'trustcheck[hf]'")
    backend = create_backend(f"hf:{tiny_llama}", BackendOptions(threads=1, batch_size=2, extra=backend_options.extra))
    requests = [GenerationRequest(p, max_new_tokens=6) for p in ("one", "two words", "three more words")]
    recorder = _Recorder()
    generations = backend.generate(requests, progress=recorder)
    assert [g.text for g in generations] == [g.text for g in backend.generate(requests)]
    assert sorted(index for index, _ in recorder.finished) == [0, 1, 2]
    assert all(0 < tokens <= 6 for _, tokens in recorder.finished)
    # Two batches (of two and of one), at most six steps each, one token per running row per step.
    assert 0 < sum(recorder.advanced) <= 3 * 6 and all(0 < step <= 2 for step in recorder.advanced)


@pytest.mark.slow
def test_the_llama_cpp_backend_reports_each_finished_request(smollm2_path: Path, backend_options: BackendOptions) -> None:
    require_module("llama_cpp", "pip install 'trustcheck[llamacpp]'")
    backend = create_backend(f"gguf:{smollm2_path}", backend_options)
    recorder = _Recorder()
    backend.generate([GenerationRequest("Say hi.", max_new_tokens=4), GenerationRequest("Count to three.", max_new_tokens=5)], progress=recorder)
    assert [index for index, _ in recorder.finished] == [0, 1]
    assert 0 < recorder.finished[0][1] <= 4 and 0 < recorder.finished[1][1] <= 5
