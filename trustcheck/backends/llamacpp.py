"""`gguf:` backend: a GGUF file run in-process by llama-cpp-python.

By default the prompts of a call are decoded together (see llamacpp_batched); the backend option
`batched=false` runs them one after another through `Llama.create_completion` instead. With
`flash_attn=true` both paths use llama.cpp's flash-attention kernels: up to a fifth faster per
batched token on CPU, but then a sampled text can change with the prompts that share its batch
(5 of 42 jailbreak responses differed between `-n 0` and `-n 2`), so they are off by default.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

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
from .llamacpp_batched import MEMORY_SHARE, SAMPLING, BatchedDecoder, Job
from .registry import BackendOptions
from .resources import available_memory
from .workers import gpu_for_worker, threads_per_worker

GGUF_MAGIC = b"GGUF"
HUB_PREFIX = "hf://"
# Sequences decoded together when --trust-batch-size does not say.
DEFAULT_PARALLEL = 16
_TRUE, _FALSE = ("true", "1", "yes", "on"), ("false", "0", "no", "off")


class Engine(Protocol):
    """Turns tokenized jobs into generations (text before any stop sequence is cut), in order."""

    def generate(self, jobs: Sequence[Job], progress: GenerationProgress | None = None) -> list[Generation]: ...

    def close(self) -> None: ...


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


class _RequestProgress:
    """Relays an engine's progress, whose indices count jobs, under the indices of the requests,
    with each output finished as `generate` returns it."""

    def __init__(
        self,
        progress: GenerationProgress,
        positions: list[int],
        requests: Sequence[GenerationRequest],
        finish: Callable[[GenerationRequest, Generation], Generation],
    ):
        self.progress, self.positions, self.requests, self._finish = progress, positions, requests, finish

    def advance(self, tokens: int) -> None:
        self.progress.advance(tokens)

    def finish(self, index: int, tokens: int, generation: Generation | None = None) -> None:
        position = self.positions[index]
        finished = None if generation is None else self._finish(self.requests[position], generation)
        self.progress.finish(position, tokens, finished)


class SingleStream:
    """One prompt after another through `Llama.create_completion` (`batched=false`)."""

    def __init__(self, llama_cpp: Any, llama: Any, end_tokens: list[int]):
        self.lib, self.llama, self.end_tokens = llama_cpp, llama, end_tokens

    def generate(self, jobs: Sequence[Job], progress: GenerationProgress | None = None) -> list[Generation]:
        generations = []
        for index, job in enumerate(jobs):
            generation, tokens = self._generate_one(job)
            generations.append(generation)
            if progress is not None:
                progress.finish(index, tokens, generation)
        return generations

    def _generate_one(self, job: Job) -> tuple[Generation, int]:
        processors = None
        if job.min_new_tokens > 0:
            processors = self.lib.LogitsProcessorList([_BanUntil(self.end_tokens, len(job.tokens), job.min_new_tokens)])
        try:
            result = self.llama.create_completion(
                list(job.tokens),
                max_tokens=job.max_new_tokens,
                temperature=job.temperature,
                stop=[stop.decode("utf-8") for stop in job.stop],
                seed=job.seed,
                logits_processor=processors,
                **SAMPLING,
            )
        except (RuntimeError, ValueError) as error:
            return Generation(text=None, error=str(error)), 0
        choice = result["choices"][0]
        tokens = int(result.get("usage", {}).get("completion_tokens", 0))
        return Generation(text=choice["text"], finish_reason=choice.get("finish_reason")), tokens

    def close(self) -> None:
        self.llama.close()


class LlamaCppBackend:
    """A GGUF model loaded in this process, generating through a batched or a single-stream engine."""

    name = "gguf"

    def __init__(self, path: Path, display: str, model: Any, engine: Engine, options: BackendOptions):
        self.path, self.display, self.model, self.engine = path, display, model, engine
        self._cache_dir = default_cache_dir(options)
        self._identity: ModelIdentity | None = None
        self.template = model.metadata().get("tokenizer.chat_template", "")
        self._formatter = self._chat_formatter() if self.template else None
        self._messages_for: MessagesFor | None = None
        self.context_length = min(options.n_ctx, model.n_ctx_train() or options.n_ctx)

    def __repr__(self) -> str:
        return f"LlamaCppBackend({self.display!r}, {type(self.engine).__name__}, context={self.context_length})"

    def _chat_formatter(self) -> Any:
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        model = self.model
        eos, bos = model.token_eos(), model.token_bos()
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
            return self.model.tokenize(request.prompt.encode("utf-8"), add_bos=True, special=True)
        if self._formatter is None:
            raise BackendError(f"{self.display} has no chat template in its metadata; use mode: raw")
        if self._messages_for is None:
            self._messages_for = chat_messages_builder(self._render_chat)
        text = self._render_chat(self._messages_for(request.prompt, request.system_prompt))
        # The template already wrote any BOS the model wants, as create_chat_completion assumes.
        return self.model.tokenize(text.encode("utf-8"), add_bos=False, special=True)

    def _job(self, request: GenerationRequest) -> Job:
        tokens = self._token_ids(request)
        if len(tokens) + request.max_new_tokens > self.context_length:
            raise BackendError(
                f"prompt is {len(tokens)} tokens; with max_new_tokens {request.max_new_tokens} it exceeds "
                f"the context of {self.context_length} tokens of {self.display} (raise n_ctx or shorten it)"
            )
        return Job(
            tokens=tokens,
            max_new_tokens=request.max_new_tokens,
            temperature=request.temperature,
            seed=request.seed,
            min_new_tokens=request.min_new_tokens,
            stop=tuple(stop.encode("utf-8") for stop in request.stop if stop),
        )

    def generate(
        self, requests: Sequence[GenerationRequest], progress: GenerationProgress | None = None
    ) -> list[Generation]:
        results: list[Generation | None] = [None] * len(requests)
        jobs: dict[int, Job] = {}
        for index, request in enumerate(requests):
            try:
                jobs[index] = self._job(request)
            except BackendError as error:
                results[index] = Generation(text=None, error=str(error))
                if progress is not None:
                    progress.finish(index, 0)
        positions = list(jobs)
        relayed = _RequestProgress(progress, positions, requests, self._finish) if progress is not None else None
        for index, output in zip(positions, self.engine.generate(list(jobs.values()), relayed)):
            results[index] = self._finish(requests[index], output)
        return results  # type: ignore[return-value]

    def _finish(self, request: GenerationRequest, output: Generation) -> Generation:
        if output.text is None:
            return Generation(text=None, error=f"{self.display}: {output.error}")
        text, stopped = cut_at_stop(output.text, request.stop)
        return Generation(text=text, finish_reason="stop" if stopped else output.finish_reason)

    def close(self) -> None:
        if self.engine is not None:
            self.engine.close()
            self.engine = None  # type: ignore[assignment]
        if self.model is not None:
            self.model.close()
            self.model = None


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


def _switch(options: BackendOptions, name: str, default: str) -> bool:
    raw = options.extra.get(name, default).strip().lower()
    if raw not in _TRUE + _FALSE:
        raise BackendError(f"--trust-backend-option {name}={raw!r}: expected true or false")
    return raw in _TRUE


def batched_option(options: BackendOptions) -> bool:
    return _switch(options, "batched", "true")


def flash_attention_option(options: BackendOptions) -> bool:
    return _switch(options, "flash_attn", "false")


def _quiet_llama_logs() -> None:
    # Llama() does this itself; the batched path loads the model without it.
    logger = logging.getLogger("llama-cpp-python")
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.ERROR)


def _load_model(llama_cpp: Any, path: Path, layout: dict[str, int]) -> Any:
    from llama_cpp._internals import LlamaModel

    params = llama_cpp.llama_model_default_params()
    layers = layout.get("n_gpu_layers", 0)
    params.n_gpu_layers = 0x7FFFFFFF if layers == -1 else layers  # as Llama() spells "all layers"
    if "split_mode" in layout:
        params.split_mode, params.main_gpu = layout["split_mode"], layout["main_gpu"]
    return LlamaModel(path_model=str(path), params=params, verbose=False)


def _end_tokens(llama_cpp: Any, model: Any) -> list[int]:
    return [t for t in range(model.n_vocab()) if llama_cpp.llama_vocab_is_eog(model.vocab, t)]


def _memory_budget(options: BackendOptions) -> int | None:
    free = available_memory()
    return None if free is None else int(free * MEMORY_SHARE) // max(1, options.worker_count)


def create(rest: str, options: BackendOptions) -> LlamaCppBackend:
    llama_cpp = _import_llama_cpp()
    path = download_from_hub(rest) if rest.startswith(HUB_PREFIX) else Path(rest).expanduser()
    check_gguf_file(path)
    batched, flash_attn = batched_option(options), flash_attention_option(options)
    offload = bool(llama_cpp.llama_supports_gpu_offload())
    gpus = _visible_gpus() if offload and options.worker_count > 1 else 1
    layout, threads = placement(offload, options, gpus), threads_per_worker(options)
    try:
        if batched:
            _quiet_llama_logs()
            model = _load_model(llama_cpp, path, layout)
            engine: Engine = BatchedDecoder(
                llama_cpp,
                model,
                parallel=options.batch_size or DEFAULT_PARALLEL,
                threads=threads,
                end_tokens=_end_tokens(llama_cpp, model),
                memory_budget=_memory_budget(options),
                flash_attn=flash_attn,
            )
        else:
            llama = llama_cpp.Llama(
                model_path=str(path), n_ctx=options.n_ctx, n_threads=threads, flash_attn=flash_attn, verbose=False, **layout
            )
            model = llama._model
            engine = SingleStream(llama_cpp, llama, _end_tokens(llama_cpp, model))
    except (ValueError, RuntimeError) as error:
        raise BackendError(f"cannot load GGUF model {path}: {error}") from None
    return LlamaCppBackend(path, f"gguf:{rest}", model, engine, options)
