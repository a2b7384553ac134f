"""`gguf:` backend: a GGUF file run in-process by llama-cpp-python, one prompt at a time."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .base import (
    BackendError,
    Generation,
    GenerationProgress,
    GenerationRequest,
    MissingExtraError,
    ModelIdentity,
)
from .chat import Messages, MessagesFor, chat_messages_builder, cut_at_stop
from .errors import first_line
from .identity import default_cache_dir, file_sha256, package_version, text_hash
from .registry import BackendOptions
from .workers import gpu_for_worker, threads_per_worker

GGUF_MAGIC = b"GGUF"
HUB_PREFIX = "hf://"
# Sampling settings when temperature > 0: transformers' defaults, which TrustLLM's runs used,
# rather than llama-cpp-python's own (top_k 40, top_p 0.95, min_p 0.05).
SAMPLING = {"top_k": 50, "top_p": 1.0, "min_p": 0.0, "typical_p": 1.0, "repeat_penalty": 1.0}


def _import_llama_cpp() -> Any:
    try:
        import llama_cpp
    except ImportError as error:
        raise MissingExtraError(
            "gguf: needs llama-cpp-python: pip install 'trustcheck[llamacpp]' "
            "(set CMAKE_ARGS for a CUDA or Metal build, e.g. CMAKE_ARGS=-DGGML_CUDA=on)"
        ) from error
    return llama_cpp


def download_from_hub(rest: str) -> Path:
    """`hf://REPO_OWNER/REPO_NAME/FILE.gguf` to a local file through huggingface_hub."""
    parts = rest[len(HUB_PREFIX):].split("/")
    if len(parts) < 3 or not all(parts):
        raise BackendError(f"gguf:{rest}: expected gguf:hf://OWNER/REPO/FILE.gguf")
    repo, filename = "/".join(parts[:2]), "/".join(parts[2:])
    try:
        from huggingface_hub import hf_hub_download
    except ImportError as error:
        raise MissingExtraError("gguf:hf:// needs huggingface_hub: pip install huggingface_hub") from error
    try:
        return Path(hf_hub_download(repo, filename))
    except Exception as error:  # noqa: BLE001 - the hub client raises many types; the user needs one line
        raise BackendError(
            f"gguf:{rest}: could not download {filename} from {repo} on the Hugging Face Hub ({first_line(error)}); "
            "download it yourself and use gguf:PATH"
        ) from None


def check_gguf_file(path: Path) -> None:
    if not path.is_file():
        raise BackendError(f"GGUF file not found: {path}")
    with path.open("rb") as handle:
        if handle.read(4) != GGUF_MAGIC:
            raise BackendError(f"not a GGUF file (it does not start with 'GGUF'): {path}")


class _BanUntil:
    """Masks the end-of-generation tokens until `min_tokens` new tokens exist."""

    def __init__(self, banned: list[int], prompt_length: int, min_tokens: int):
        self.banned, self.until = banned, prompt_length + min_tokens

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        if len(input_ids) < self.until:
            scores[self.banned] = float("-inf")
        return scores


class LlamaCppBackend:
    """A GGUF model loaded in this process; requests run one after another."""

    name = "gguf"

    def __init__(self, path: Path, display: str, llama: Any, options: BackendOptions):
        self.path, self.display, self.llama = path, display, llama
        self._module = _import_llama_cpp()
        self._cache_dir = default_cache_dir(options)
        self._identity: ModelIdentity | None = None
        self.template = llama.metadata.get("tokenizer.chat_template", "")
        self._formatter = self._chat_formatter() if self.template else None
        self._messages_for: MessagesFor | None = None
        vocab = llama._model.vocab
        self._end_tokens = [t for t in range(llama.n_vocab()) if self._module.llama_vocab_is_eog(vocab, t)]
        self.context_length = min(llama.n_ctx(), llama._model.n_ctx_train() or llama.n_ctx())
        self._completion_tokens = 0

    def __repr__(self) -> str:
        return f"LlamaCppBackend({self.display!r}, n_ctx={self.llama.n_ctx()})"

    def _chat_formatter(self) -> Any:
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        model, llama = self.llama._model, self.llama
        eos, bos = llama.token_eos(), llama.token_bos()
        return Jinja2ChatFormatter(
            template=self.template,
            eos_token=model.token_get_text(eos) if eos != -1 else "",
            bos_token=model.token_get_text(bos) if bos != -1 else "",
        )

    def identity(self) -> ModelIdentity:
        if self._identity is None:
            self._identity = ModelIdentity(
                backend=self.name,
                backend_version=package_version("llama-cpp-python"),
                weights_hash=file_sha256(self.path, self._cache_dir),
                chat_template_hash=text_hash(self.template),
                display_name=self.display,
            )
        return self._identity

    def _render_chat(self, messages: Messages) -> str:
        return self._formatter(messages=messages).prompt  # type: ignore[misc]

    def _token_ids(self, request: GenerationRequest) -> list[int]:
        if request.mode == "raw":
            return self.llama.tokenize(request.prompt.encode("utf-8"), add_bos=True, special=True)
        if self._formatter is None:
            raise BackendError(f"{self.display} has no chat template in its metadata; use mode: raw")
        if self._messages_for is None:
            self._messages_for = chat_messages_builder(self._render_chat)
        text = self._render_chat(self._messages_for(request.prompt, request.system_prompt))
        # The template already wrote any BOS the model wants, as create_chat_completion assumes.
        return self.llama.tokenize(text.encode("utf-8"), add_bos=False, special=True)

    def generate(
        self, requests: Sequence[GenerationRequest], progress: GenerationProgress | None = None
    ) -> list[Generation]:
        generations = []
        for index, request in enumerate(requests):
            self._completion_tokens = 0
            generations.append(self._generate_one(request))
            if progress is not None:
                progress.finish(index, self._completion_tokens)
        return generations

    def _generate_one(self, request: GenerationRequest) -> Generation:
        try:
            tokens = self._token_ids(request)
        except BackendError as error:
            return Generation(text=None, error=str(error))
        if len(tokens) + request.max_new_tokens > self.context_length:
            return Generation(
                text=None,
                error=f"prompt is {len(tokens)} tokens; with max_new_tokens {request.max_new_tokens} it exceeds "
                f"the context of {self.context_length} tokens of {self.display} (raise n_ctx or shorten it)",
            )
        processors = None
        if request.min_new_tokens > 0:
            processors = self._module.LogitsProcessorList(
                [_BanUntil(self._end_tokens, len(tokens), request.min_new_tokens)]
            )
        try:
            result = self.llama.create_completion(
                tokens,
                max_tokens=request.max_new_tokens,
                temperature=request.temperature,
                stop=list(request.stop),
                seed=request.seed,
                logits_processor=processors,
                **SAMPLING,
            )
        except (RuntimeError, ValueError) as error:
            return Generation(text=None, error=f"{self.display}: {error}")
        choice = result["choices"][0]
        self._completion_tokens = int(result.get("usage", {}).get("completion_tokens", 0))
        text, stopped = cut_at_stop(choice["text"], request.stop)
        return Generation(text=text, finish_reason="stop" if stopped else choice.get("finish_reason"))

    def close(self) -> None:
        if self.llama is not None:
            self.llama.close()
            self.llama = None


def _visible_gpus() -> int:
    try:
        import torch
    except ImportError:  # without torch there is no cheap way to count them: no pinning
        return 1
    return torch.cuda.device_count() if torch.cuda.is_available() else 1


def placement(gpu_offload: bool, options: BackendOptions, gpu_count: int) -> dict[str, int]:
    """Llama() arguments: every layer on the GPU of a GPU build, worker N on GPU N under xdist."""
    if options.device.lower() == "cpu" or not gpu_offload:
        return {"n_gpu_layers": 0}
    if options.worker_count > 1 and gpu_count > 1:
        # Split mode NONE puts the whole model on main_gpu instead of spreading it over all GPUs.
        return {"n_gpu_layers": -1, "split_mode": 0, "main_gpu": gpu_for_worker(options, gpu_count)}
    return {"n_gpu_layers": -1}


def create(rest: str, options: BackendOptions) -> LlamaCppBackend:
    llama_cpp = _import_llama_cpp()
    path = download_from_hub(rest) if rest.startswith(HUB_PREFIX) else Path(rest).expanduser()
    check_gguf_file(path)
    offload = bool(llama_cpp.llama_supports_gpu_offload())
    gpus = _visible_gpus() if offload and options.worker_count > 1 else 1
    try:
        llama = llama_cpp.Llama(
            model_path=str(path),
            n_ctx=options.n_ctx,
            n_threads=threads_per_worker(options),
            verbose=False,
            **placement(offload, options, gpus),
        )
    except (ValueError, RuntimeError) as error:
        raise BackendError(f"cannot load GGUF model {path}: {error}") from None
    return LlamaCppBackend(path, f"gguf:{rest}", llama, options)
