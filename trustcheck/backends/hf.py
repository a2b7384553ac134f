"""`hf:` backend: a transformers causal LM, batched with left padding, on CPU or GPU."""

from __future__ import annotations

import contextlib
import copy
import functools
import gc
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .base import (
    BackendError,
    Generation,
    GenerationProgress,
    GenerationRequest,
    MissingExtraError,
    ModelIdentity,
)
from .batching import plan_batches, run_batched
from .chat import Messages, MessagesFor, chat_messages_builder, cut_at_stop
from .hf_load import (
    HFSpec,
    LocalModel,
    choose_device,
    choose_dtype,
    load,
    load_tokenizer,
    parse_spec,
    resolve,
)
from .identity import default_cache_dir, files_hash, package_version, text_hash
from .registry import BackendOptions
from .workers import threads_per_worker

# On 2 CPU cores batch 32 gave 7.3 times the tokens/s of a one-prompt loop (benchmarks/backends.py).
# On an H200 (benchmarks/gpu_check.py) a 135M model gave 320, 1282 and 2450 tokens/s at 8, 32, 64,
# and a 7B one 2055 at 64 with 30 GiB at peak; a batch that does not fit is halved until it does.
DEFAULT_BATCH_SIZE = {"cpu": 32, "cuda": 64}


@dataclass(frozen=True)
class _Prepared:
    request: GenerationRequest
    token_ids: list[int]
    index: int  # in the requests of the `generate` call


class TransformersBackend:
    """A loaded transformers model; `generate` batches requests that share their settings."""

    name = "hf"

    def __init__(self, spec: HFSpec, local: LocalModel, model: Any, tokenizer: Any, options: BackendOptions):
        import torch

        self._torch = torch
        self.spec, self.local, self.model, self.tokenizer = spec, local, model, tokenizer
        self.device = next(model.parameters()).device
        self.batch_size = options.batch_size or DEFAULT_BATCH_SIZE.get(self.device.type, 8)
        self._cache_dir = default_cache_dir(options)
        self._identity: ModelIdentity | None = None
        self._messages_for: MessagesFor | None = None
        self._pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
        self._eos_ids = self._end_of_sequence_ids()
        self.context_length = getattr(model.config, "max_position_embeddings", None)

    def __repr__(self) -> str:
        return f"TransformersBackend({self.spec.source!r}, device={self.device}, batch_size={self.batch_size})"

    def _end_of_sequence_ids(self) -> set[int]:
        configured = self.model.generation_config.eos_token_id
        ids = configured if isinstance(configured, list) else [configured]
        return {int(i) for i in [*ids, self.tokenizer.eos_token_id] if i is not None}

    def identity(self) -> ModelIdentity:
        if self._identity is None:
            self._identity = model_identity(self.spec, self.local, self.tokenizer, self.model.dtype, self._cache_dir)
        return self._identity

    def _render_chat(self, messages: Messages) -> str:
        return self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)

    def _token_ids(self, request: GenerationRequest) -> list[int]:
        if request.mode == "raw":
            return self.tokenizer(request.prompt, add_special_tokens=True)["input_ids"]
        if not self.tokenizer.chat_template:
            raise BackendError(f"hf:{self.spec.source} has no chat template; use mode: raw for this model")
        if self._messages_for is None:
            self._messages_for = chat_messages_builder(self._render_chat)
        text = self._render_chat(self._messages_for(request.prompt, request.system_prompt))
        # The template already wrote any BOS the model wants.
        return self.tokenizer(text, add_special_tokens=False)["input_ids"]

    def _prepare(self, index: int, request: GenerationRequest) -> _Prepared | Generation:
        try:
            ids = self._token_ids(request)
        except BackendError as error:
            return Generation(text=None, error=str(error))
        if self.context_length and len(ids) + request.max_new_tokens > self.context_length:
            return Generation(
                text=None,
                error=f"prompt is {len(ids)} tokens; with max_new_tokens {request.max_new_tokens} it exceeds "
                f"the context of {self.context_length} tokens of hf:{self.spec.source}",
            )
        return _Prepared(request, ids, index)

    def generate(
        self, requests: Sequence[GenerationRequest], progress: GenerationProgress | None = None
    ) -> list[Generation]:
        prepared = [self._prepare(i, r) for i, r in enumerate(requests)]
        runnable = [i for i, p in enumerate(prepared) if isinstance(p, _Prepared)]
        if progress is not None:
            for index in set(range(len(requests))) - set(runnable):  # refused before generating
                progress.finish(index, 0)
        items = [prepared[i] for i in runnable]
        batches = plan_batches(
            [len(p.token_ids) for p in items],
            [_settings_key(p.request) for p in items],
            self.batch_size,
        )
        run = functools.partial(self._generate_fitting, progress=progress)
        for index, generation in zip(runnable, run_batched(items, batches, run)):
            prepared[index] = generation
        return prepared  # type: ignore[return-value]

    def _generate_fitting(self, batch: list[_Prepared], progress: GenerationProgress | None) -> list[Generation]:
        """Generate a batch, halving it while the GPU runs out of memory."""
        try:
            return self._generate_batch(batch, progress)
        except self._torch.cuda.OutOfMemoryError:
            self._torch.cuda.empty_cache()
            if len(batch) == 1:
                return [Generation(text=None, error=f"out of GPU memory on {self.device} for one prompt")]
            half = len(batch) // 2
            return self._generate_fitting(batch[:half], progress) + self._generate_fitting(batch[half:], progress)

    def _generate_batch(self, batch: list[_Prepared], progress: GenerationProgress | None) -> list[Generation]:
        torch, first = self._torch, batch[0].request
        width = max(len(p.token_ids) for p in batch)
        input_ids = torch.tensor([[self._pad_id] * (width - len(p.token_ids)) + p.token_ids for p in batch])
        attention = torch.tensor([[0] * (width - len(p.token_ids)) + [1] * len(p.token_ids) for p in batch])
        kwargs: dict[str, Any] = {"generation_config": self._generation_config(first)}
        if first.temperature > 0:
            kwargs["logits_processor"] = [self._sampler([p.request.seed for p in batch], first.temperature)]
        if first.stop:
            kwargs.update(stop_strings=list(first.stop), tokenizer=self.tokenizer)
        counter = None
        if progress is not None:
            from .hf_progress import StepCounter

            counter = StepCounter(progress, [p.index for p in batch], self._eos_ids, self.device)
            kwargs["stopping_criteria"] = [counter]
        with torch.inference_mode(), attention_kernels(self.device):
            output = self.model.generate(
                input_ids=input_ids.to(self.device), attention_mask=attention.to(self.device), **kwargs
            )
        rows = [row.tolist() for row in output[:, width:].cpu()]
        generations = [self._decode(row, first.stop) for row in rows]
        if counter is not None:
            counter.close([self._kept_length(row) for row in rows])
        return generations

    def _generation_config(self, request: GenerationRequest) -> Any:
        config = copy.deepcopy(self.model.generation_config)
        # Sampling, when asked for, happens in SeededSampler; the decoding loop itself stays greedy.
        config.update(do_sample=False, temperature=None, top_k=None, top_p=None, num_beams=1)
        config.update(
            max_new_tokens=request.max_new_tokens,
            min_new_tokens=request.min_new_tokens or None,
            pad_token_id=self._pad_id,
            eos_token_id=sorted(self._eos_ids),
            repetition_penalty=None,
        )
        return config

    def _sampler(self, seeds: list[int], temperature: float) -> Any:
        from .hf_sampling import SeededSampler

        configured = self.model.generation_config
        return SeededSampler(seeds, temperature, configured.top_k, configured.top_p, self.device)

    def _kept_length(self, new_tokens: list[int]) -> int:
        """New tokens up to the first end-of-sequence token."""
        return next((i for i, token in enumerate(new_tokens) if token in self._eos_ids), len(new_tokens))

    def _decode(self, new_tokens: list[int], stop: tuple[str, ...]) -> Generation:
        kept = self._kept_length(new_tokens)
        text = self.tokenizer.decode(new_tokens[:kept], skip_special_tokens=True, clean_up_tokenization_spaces=False)
        text, stopped = cut_at_stop(text, stop)
        ended = kept < len(new_tokens)
        return Generation(text=text, finish_reason="stop" if stopped or ended else "length")

    def close(self) -> None:
        cuda = self.device.type == "cuda"
        self.model = None
        gc.collect()
        if cuda:
            self._torch.cuda.empty_cache()


def attention_kernels(device: Any) -> contextlib.AbstractContextManager[None]:
    """On CUDA, scaled-dot-product attention without the cuDNN kernel.

    cuDNN attention builds an execution plan for every new tensor shape, and generation makes a
    new shape at every step of every batch: on an H200 that cost about 70 ms per step, three times
    the step itself. Flash and memory-efficient attention have no such per-shape cost.
    """
    if device.type != "cuda":
        return contextlib.nullcontext()
    try:
        from torch.nn.attention import SDPBackend, sdpa_kernel
    except ImportError:  # torch before 2.3 has no cuDNN attention to avoid
        return contextlib.nullcontext()
    return sdpa_kernel([SDPBackend.FLASH_ATTENTION, SDPBackend.EFFICIENT_ATTENTION, SDPBackend.MATH])


def model_identity(spec: HFSpec, local: LocalModel, tokenizer: Any, dtype: Any, cache_dir: Any) -> ModelIdentity:
    """Weights, tokenizer files, chat template and dtype: what the loaded model's answers depend on."""
    extra = {"dtype": str(dtype).removeprefix("torch.")}
    if local.tokenizer_files:
        extra["tokenizer_hash"] = files_hash(local.tokenizer_files, local.directory, cache_dir)
    return ModelIdentity(
        backend=TransformersBackend.name,
        backend_version=package_version("transformers"),
        weights_hash=files_hash(local.weight_files, local.directory, cache_dir),
        chat_template_hash=text_hash(tokenizer.chat_template or ""),
        display_name=f"hf:{spec.source}",
        extra=extra,
    )


def _settings_key(request: GenerationRequest) -> tuple[object, ...]:
    return (request.temperature, request.max_new_tokens, request.min_new_tokens, request.stop)


def _import_torch() -> Any:
    try:
        import torch
        import transformers  # noqa: F401
    except ImportError as error:
        raise MissingExtraError(
            f"hf: needs torch and transformers ({error.name} is missing): pip install 'trustcheck[hf]'"
        ) from error
    return torch


def identify(rest: str, options: BackendOptions) -> ModelIdentity:
    """The identity `create(rest, options).identity()` gives, from the tokenizer and files alone."""
    spec = parse_spec(rest)
    _import_torch()
    local = resolve(spec)
    dtype = choose_dtype(choose_device(options), spec.dtype)
    return model_identity(spec, local, load_tokenizer(local), dtype, default_cache_dir(options))


def create(rest: str, options: BackendOptions) -> TransformersBackend:
    spec = parse_spec(rest)
    torch = _import_torch()
    local = resolve(spec)
    device = choose_device(options)
    if device.type == "cpu":
        torch.set_num_threads(threads_per_worker(options))
    model, tokenizer = load(local, device, choose_dtype(device, spec.dtype))
    return TransformersBackend(spec, local, model, tokenizer, options)
