"""The identity of a `gguf:` model, read from the file and the hash memo: llama.cpp is not loaded.

It equals what `LlamaCppBackend.identity()` gives once the model is loaded (the weights' sha256,
the metadata's chat template, the llama-cpp-python version), so cached responses are found
before anything is loaded; the model pool checks the two against each other when it loads.
"""

from __future__ import annotations

from pathlib import Path

from .base import ModelIdentity
from .gguf_metadata import GGUFMetadataError, read_string
from .identity import (
    default_cache_dir,
    file_fact,
    file_sha256,
    package_version,
    text_hash,
)
from .llamacpp import HUB_PREFIX, check_gguf_file, download_from_hub
from .registry import BackendOptions

CHAT_TEMPLATE_KEY = "tokenizer.chat_template"


def chat_template_hash(path: Path) -> str:
    return text_hash(read_string(path, CHAT_TEMPLATE_KEY) or "")


def identify(rest: str, options: BackendOptions) -> ModelIdentity | None:
    """The identity, or None for a file this reader cannot parse (llama.cpp itself may still load it)."""
    path = download_from_hub(rest) if rest.startswith(HUB_PREFIX) else Path(rest).expanduser()
    check_gguf_file(path)
    cache_dir = default_cache_dir(options)
    try:
        template_hash = file_fact(path, cache_dir, "gguf-chat-template-sha256", chat_template_hash)
    except GGUFMetadataError:
        return None
    return ModelIdentity(
        backend="gguf",
        backend_version=package_version("llama-cpp-python"),
        weights_hash=file_sha256(path, cache_dir),
        chat_template_hash=template_hash,
        display_name=f"gguf:{rest}",
    )
