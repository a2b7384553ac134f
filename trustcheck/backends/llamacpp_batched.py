"""Batched decoding for the `gguf:` backend: many sequences advance together in one llama.cpp context.

Every sequence owns a sequence id, and with it its own KV stream (the context is created with
`kv_unified` off, so a sequence attends over its own cells only, laid out as if it ran alone), its
own sampler chain seeded with its own seed, and its own stop conditions. One `llama_decode` call
carries one new token of every decoding sequence plus prompt tokens of the sequences being started;
a finished sequence's id is freed and the next waiting prompt takes it (continuous batching).

Because nothing a sequence computes depends on its neighbours, its tokens are those it would get
alone: greedy texts equal the one-prompt-at-a-time path, and seeded samples do not depend on which
other prompts share the batch.
"""

from __future__ import annotations

import ctypes
import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .base import BackendError, Generation, GenerationProgress

# Sampling settings when temperature > 0: transformers' defaults, which TrustLLM's runs used,
# rather than llama-cpp-python's own (top_k 40, top_p 0.95, min_p 0.05).
SAMPLING = {"top_k": 50, "top_p": 1.0, "min_p": 0.0, "typical_p": 1.0, "repeat_penalty": 1.0}
# llama.cpp pads each sequence's KV stream to this many cells.
CELL_STEP = 256
# Tokens per llama_decode call: prompt tokens fill what the decoding sequences leave.
BATCH_TOKENS = 512
# Share of the free memory the KV cache may take.
MEMORY_SHARE = 0.5


@dataclass(frozen=True)
class Job:
    """One prompt, already tokenized, with what decides how its generation runs and ends."""

    tokens: Sequence[int]
    max_new_tokens: int
    temperature: float = 0.0
    seed: int = 0
    min_new_tokens: int = 0
    stop: tuple[bytes, ...] = ()


@dataclass
class _Slot:
    """A job while it holds a sequence id."""

    seq_id: int
    index: int
    job: Job
    chain: Any
    feed: list[int]  # tokens still to decode: the prompt's rest, or the token just sampled
    position: int = 0
    output: int = -1  # the batch row of this sequence's logits in the last decode, -1 when none
    generated: list[int] = field(default_factory=list)
    text: bytearray = field(default_factory=bytearray)  # kept only to look for stop strings


def _decode_error(status: int) -> Generation:
    return Generation(text=None, error=f"llama_decode returned {status}")


def _invalid(job: Job) -> Generation | None:
    if not job.tokens:
        return Generation(text=None, error="the prompt is empty (no tokens)")
    if job.max_new_tokens < 1:
        return Generation(text=None, error=f"max_new_tokens is {job.max_new_tokens}; it must be at least 1")
    return None


def kv_bytes_per_cell(llama_cpp: Any, model: Any) -> int:
    """An estimate of one token's K and V over all layers, in f16."""
    layers = llama_cpp.llama_model_n_layer(model)
    heads = max(1, llama_cpp.llama_model_n_head(model))
    head_size = llama_cpp.llama_model_n_embd(model) // heads
    return 2 * layers * llama_cpp.llama_model_n_head_kv(model) * head_size * 2


def context_shape(
    wanted_sequences: int, needed_cells: int, bytes_per_cell: int, memory_budget: int | None
) -> tuple[int, int]:
    """(sequences, cells per sequence) for a context: as many sequences as wanted that fit the budget."""
    cells = max(CELL_STEP, math.ceil(needed_cells / CELL_STEP) * CELL_STEP)
    sequences = max(1, wanted_sequences)
    if memory_budget is not None:
        sequences = min(sequences, max(1, memory_budget // (cells * bytes_per_cell)))
    return sequences, cells


class BatchedDecoder:
    """Runs jobs through one llama.cpp context, `parallel` sequences at a time at most."""

    def __init__(
        self,
        llama_cpp: Any,
        model: Any,
        *,
        parallel: int,
        threads: int,
        end_tokens: Sequence[int],
        memory_budget: int | None = None,
        flash_attn: bool = False,
    ):
        for needed in ("llama_memory_seq_rm", "llama_get_memory", "llama_batch_init", "llama_sampler_chain_init"):
            if not hasattr(llama_cpp, needed):
                raise BackendError(
                    f"this llama-cpp-python has no {needed} for batched decoding; upgrade it, "
                    "or use --trust-backend-option batched=false"
                )
        self.lib, self.model = llama_cpp, model
        self.parallel, self.threads = max(1, parallel), threads
        self.end_tokens = list(end_tokens)
        self.memory_budget = memory_budget
        self.flash_attn = flash_attn
        self._bytes_per_cell = kv_bytes_per_cell(llama_cpp, model.model)
        self._context: Any = None
        self._batch: Any = None
        self._batch_capacity = 0
        self.sequences = 0
        self.cells_per_sequence = 0
        self._pieces: dict[int, bytes] = {}
        # Closing (or collecting) the model frees this context first, as llama.cpp requires.
        exit_stack = getattr(model, "_exit_stack", None)
        if exit_stack is not None:
            exit_stack.callback(self._free_context)

    # -- context ---------------------------------------------------------------------------

    def _ensure_context(self, jobs: Sequence[Job]) -> None:
        """A context with room for these jobs; it only ever grows, so later calls reuse it."""
        needed = max(len(job.tokens) + job.max_new_tokens for job in jobs)
        wanted = max(self.sequences, min(self.parallel, len(jobs)))
        sequences, cells = context_shape(wanted, max(needed, self.cells_per_sequence), self._bytes_per_cell, self.memory_budget)
        if self._context is not None and sequences <= self.sequences and cells <= self.cells_per_sequence:
            return
        self._free_context()
        lib = self.lib
        params = lib.llama_context_default_params()
        params.n_seq_max = sequences
        params.n_ctx = sequences * cells
        params.n_batch = max(BATCH_TOKENS, sequences)
        params.n_ubatch = params.n_batch
        params.n_threads = params.n_threads_batch = self.threads
        params.kv_unified = False
        # As the single-stream path (Llama) decides it: the same kernels give the same texts.
        params.flash_attn_type = lib.LLAMA_FLASH_ATTN_TYPE_ENABLED if self.flash_attn else lib.LLAMA_FLASH_ATTN_TYPE_DISABLED
        params.embeddings = False
        context = lib.llama_init_from_model(self.model.model, params)
        if not context:
            size = sequences * cells * self._bytes_per_cell / 2**20
            raise BackendError(
                f"llama.cpp could not create a context for {sequences} sequences of {cells} tokens "
                f"(about {size:.0f} MiB of KV cache); lower --trust-batch-size or n_ctx"
            )
        self._context, self.sequences, self.cells_per_sequence = context, sequences, cells
        self._batch = lib.llama_batch_init(params.n_batch, 0, 1)
        self._batch_capacity = params.n_batch

    def _free_context(self) -> None:
        if self._batch is not None:
            self.lib.llama_batch_free(self._batch)
            self._batch = None
        if self._context is not None:
            self.lib.llama_free(self._context)
            self._context = None
        self.sequences = self.cells_per_sequence = 0

    def close(self) -> None:
        self._free_context()

    # -- generation ------------------------------------------------------------------------

    def generate(self, jobs: Sequence[Job], progress: GenerationProgress | None = None) -> list[Generation]:
        results: list[Generation | None] = [_invalid(job) for job in jobs]
        waiting = deque(index for index, result in enumerate(results) if result is None)
        if not waiting:
            return results  # type: ignore[return-value]
        self._ensure_context([jobs[index] for index in waiting])
        memory = self.lib.llama_get_memory(self._context)
        self.lib.llama_memory_clear(memory, True)
        slots: list[_Slot | None] = [None] * self.sequences

        def settle(slot: _Slot, outcome: Generation | None) -> None:
            if outcome is not None:
                results[slot.index] = outcome
                self._release(memory, slot)
                slots[slot.seq_id] = None
                if progress is not None:
                    progress.finish(slot.index, len(slot.generated), outcome)

        try:
            while waiting or any(slots):
                for seq_id in range(len(slots)):
                    while slots[seq_id] is None and waiting:
                        index = waiting.popleft()
                        slot = _Slot(seq_id, index, jobs[index], self._sampler_chain(jobs[index]), list(jobs[index].tokens))
                        slots[seq_id] = slot
                        settle(slot, self._prefill(slot))
                decoding = [slot for slot in slots if slot is not None]
                if decoding:
                    status = self._decode(decoding)
                    for slot in decoding:
                        settle(slot, self._advance(slot) if status == 0 else _decode_error(status))
                    if progress is not None:
                        progress.advance(len(decoding))
        finally:
            for slot in slots:
                if slot is not None:
                    self._release(memory, slot)
        return [result or Generation(text=None, error="no result") for result in results]

    def _prefill(self, slot: _Slot) -> Generation | None:
        """Decode a new sequence's prompt on its own, then sample its first token.

        Prompts go in one sequence per llama_decode call: a call that carried the prompts of
        several sequences of unequal lengths over separate KV streams gave one of them wrong
        logits (off by up to 0.7) in llama.cpp as shipped with llama-cpp-python 0.3.36. Steps of
        one token per sequence, which is where batching pays, match the single-stream path exactly.
        """
        while len(slot.feed) > 1:
            status = self._decode([slot], limit=self._batch_capacity)
            if status != 0:
                return _decode_error(status)
            if slot.output >= 0:
                return self._advance(slot)
        return None  # a one-token prompt goes with the next step

    def _decode(self, slots: list[_Slot], limit: int = 1) -> int:
        """One llama_decode over up to `limit` fed tokens of each slot, by increasing sequence id.

        llama.cpp splits a batch over separate KV streams into runs of consecutive sequence ids.
        """
        batch, row = self._batch, 0
        for slot in slots:
            take = min(len(slot.feed), limit)
            for offset, token in enumerate(slot.feed[:take]):
                batch.token[row] = token
                batch.pos[row] = slot.position + offset
                batch.n_seq_id[row] = 1
                batch.seq_id[row][0] = slot.seq_id
                batch.logits[row] = False
                row += 1
            fed_all = take == len(slot.feed)
            batch.logits[row - 1] = fed_all
            slot.output = row - 1 if fed_all else -1
            slot.position += take
            slot.feed = slot.feed[take:]
        batch.n_tokens = row
        return self.lib.llama_decode(self._context, batch)

    def _advance(self, slot: _Slot) -> Generation | None:
        """Sample this sequence's next token; its result once it has ended, else None."""
        if slot.output < 0:
            return None
        job, lib = slot.job, self.lib
        if len(slot.generated) < job.min_new_tokens:
            logits = lib.llama_get_logits_ith(self._context, slot.output)
            for token in self.end_tokens:
                logits[token] = -math.inf
        token = lib.llama_sampler_sample(slot.chain, self._context, slot.output)
        if lib.llama_vocab_is_eog(self.model.vocab, token):
            return self._finished(slot, "stop")
        slot.generated.append(token)
        if job.stop:
            piece = self._piece(token)
            slot.text += piece
            window = bytes(slot.text[-(len(piece) + max(map(len, job.stop))) :])
            if any(stop in window for stop in job.stop):
                return self._finished(slot, "stop")
        if len(slot.generated) >= job.max_new_tokens:
            return self._finished(slot, "length")
        slot.feed = [token]
        return None

    def _finished(self, slot: _Slot, reason: str) -> Generation:
        text = self.model.detokenize(slot.generated, special=False).decode("utf-8", errors="ignore")
        return Generation(text=text, finish_reason=reason)

    def _release(self, memory: Any, slot: _Slot) -> None:
        self.lib.llama_memory_seq_rm(memory, slot.seq_id, -1, -1)
        if slot.chain is not None:
            self.lib.llama_sampler_free(slot.chain)
            slot.chain = None

    def _sampler_chain(self, job: Job) -> Any:
        """The chain Llama.create_completion builds for these settings, with the job's own seed."""
        lib, seed = self.lib, job.seed & 0xFFFFFFFF
        if job.temperature == 0:
            samplers = [lib.llama_sampler_init_greedy()]
        elif job.temperature < 0:
            samplers = [lib.llama_sampler_init_dist(seed)]
        else:
            samplers = [
                lib.llama_sampler_init_top_k(SAMPLING["top_k"]),
                lib.llama_sampler_init_typical(SAMPLING["typical_p"], 1),
                lib.llama_sampler_init_top_p(SAMPLING["top_p"], 1),
                lib.llama_sampler_init_min_p(SAMPLING["min_p"], 1),
                lib.llama_sampler_init_temp(job.temperature),
                lib.llama_sampler_init_dist(seed),
            ]
        chain = lib.llama_sampler_chain_init(lib.llama_sampler_chain_default_params())
        for sampler in samplers:
            lib.llama_sampler_chain_add(chain, sampler)  # the chain owns and frees it
        return chain

    def _piece(self, token: int) -> bytes:
        piece = self._pieces.get(token)
        if piece is None:
            buffer = ctypes.create_string_buffer(64)
            size = self.lib.llama_token_to_piece(self.model.vocab, token, buffer, len(buffer), 0, False)
            if size < 0:
                buffer = ctypes.create_string_buffer(-size)
                size = self.lib.llama_token_to_piece(self.model.vocab, token, buffer, len(buffer), 0, False)
            piece = self._pieces[token] = buffer.raw[: max(0, size)]
        return piece
