"""Model identity: two models never share cache keys, one model at two paths does."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest
from support.requirements import require_module

from trustcheck.backends import BackendOptions, GenerationRequest, create_backend
from trustcheck.backends.identity import (
    HASH_DB_NAME,
    file_sha256,
    files_hash,
    text_hash,
)
from trustcheck.responses.keys import cache_key

SMOLLM2_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
REQUEST = GenerationRequest("Is this the same model?")


def test_file_hash_is_the_sha256_of_the_content(tmp_path: Path) -> None:
    weights = tmp_path / "w.bin"
    weights.write_bytes(b"weights" * 1000)
    assert file_sha256(weights, tmp_path / "cache") == hashlib.sha256(b"weights" * 1000).hexdigest()
    assert (tmp_path / "cache" / HASH_DB_NAME).is_file()


def test_file_hash_is_memoised_by_size_and_mtime(tmp_path: Path) -> None:
    weights, cache = tmp_path / "w.bin", tmp_path / "cache"
    weights.write_bytes(b"aaaa")
    first = file_sha256(weights, cache)
    stat = weights.stat()
    weights.write_bytes(b"bbbb")  # same size; put the old mtime back: the memo must answer
    os.utime(weights, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert file_sha256(weights, cache) == first
    os.utime(weights, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert file_sha256(weights, cache) == hashlib.sha256(b"bbbb").hexdigest()


def test_files_hash_ignores_where_the_files_are_but_not_their_names(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    for folder in ("one", "two"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "a.safetensors").write_bytes(b"A")
        (tmp_path / folder / "b.safetensors").write_bytes(b"B")
    def of(folder: str) -> str:
        root = tmp_path / folder
        return files_hash(sorted(root.iterdir()), root, cache)
    assert of("one") == of("two")
    (tmp_path / "two" / "b.safetensors").rename(tmp_path / "two" / "c.safetensors")
    assert of("one") != of("two")


def test_text_hash_of_nothing_is_empty() -> None:
    assert text_hash("") == ""
    assert text_hash("{{ x }}") != text_hash("{{ y }}")


def test_hf_identity_follows_the_weights_not_the_path(
    tiny_llama: Path, tiny_llama_copy: Path, other_tiny_llama: Path, backend_options: BackendOptions
) -> None:
    identities = [create_backend(f"hf:{p}", backend_options).identity() for p in (tiny_llama, tiny_llama_copy, other_tiny_llama)]
    original, copy, other = identities
    assert original.display_name != copy.display_name
    assert cache_key(original, REQUEST) == cache_key(copy, REQUEST)
    assert cache_key(original, REQUEST) != cache_key(other, REQUEST)
    assert original.backend == "hf" and original.chat_template_hash and original.extra["dtype"] == "float32"


def test_hf_identity_changes_with_the_dtype(tiny_llama: Path, backend_options: BackendOptions) -> None:
    float32 = create_backend(f"hf:{tiny_llama}", backend_options).identity()
    bfloat16 = create_backend(f"hf:{tiny_llama}#dtype=bfloat16", backend_options).identity()
    assert float32.weights_hash == bfloat16.weights_hash
    assert cache_key(float32, REQUEST) != cache_key(bfloat16, REQUEST)


def test_gguf_identity_follows_the_weights_not_the_path(
    smollm2_path: Path, tmp_path: Path, backend_options: BackendOptions
) -> None:
    require_module("llama_cpp", "pip install 'trustcheck[llamacpp]'")
    copy = tmp_path / "moved.gguf"
    shutil.copyfile(smollm2_path, copy)
    altered = tmp_path / "altered.gguf"
    shutil.copyfile(smollm2_path, altered)
    with altered.open("r+b") as handle:  # one weight byte near the end of the file
        handle.seek(-16, os.SEEK_END)
        byte = handle.read(1)
        handle.seek(-16, os.SEEK_END)
        handle.write(bytes([byte[0] ^ 1]))
    original, moved, changed = (
        create_backend(f"gguf:{p}", backend_options).identity() for p in (smollm2_path, copy, altered)
    )
    assert original.weights_hash == SMOLLM2_SHA256
    assert cache_key(original, REQUEST) == cache_key(moved, REQUEST)
    assert cache_key(original, REQUEST) != cache_key(changed, REQUEST)
    assert original.chat_template_hash and original.backend == "gguf"


@pytest.mark.slow
def test_the_same_file_in_two_backends_does_not_share(smollm2_path: Path, backend_options: BackendOptions) -> None:
    require_module("llama_cpp", "pip install 'trustcheck[llamacpp]'")
    gguf = create_backend(f"gguf:{smollm2_path}", backend_options).identity()
    # transformers dequantizes the GGUF: other numerics, so other cache entries.
    hf = create_backend(f"hf:{smollm2_path}", backend_options).identity()
    assert hf.weights_hash == gguf.weights_hash == SMOLLM2_SHA256
    assert hf.chat_template_hash == gguf.chat_template_hash
    assert cache_key(hf, REQUEST) != cache_key(gguf, REQUEST)
