"""GPU throughput of the transformers backend on random-weight models; no network, no downloads.

    python benchmarks/gpu_check.py            # on a CUDA machine, bf16, well under 8 minutes
    python benchmarks/gpu_check.py --smoke    # tiny shapes, runs on a CPU too, to test the script

1. A model of SmolLM2-135M's shape, built on the GPU: tokens/s of the `hf:` backend at batch 1, 8,
   32 and 64 against a sequential loop of bare `model.generate` calls (TrustLLM's way), 64 new
   tokens forced.
2. A model of Llama-2-7B's shape, built on the GPU in bf16, saved to local disk and loaded through
   the backend: batch 1 and 64 with 128 new tokens forced, and from those an estimate of the hours
   the whole TrustLLM benchmark (16,441 prompts) takes on this card.

The tokenizer is a word-level one made on the spot (ids up to the model's vocabulary, a
ChatML-style template), so prompt lengths are exact and nothing is fetched. Prompt lengths are
drawn (seeded) between 20 and 400 tokens, like TrustLLM's mix of short and long prompts.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trustcheck.backends import BackendOptions, GenerationRequest, create_backend
from trustcheck.backends.hf import attention_kernels

TRUSTLLM_PROMPTS = 16441  # items in the 24 files of TrustLLM's dataset.zip
CHAT_TEMPLATE = (
    "{% for m in messages %}{{ '<|im_start|>' + m['role'] + ' ' + m['content'] + ' <|im_end|> ' }}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant ' }}{% endif %}"
)


@dataclass(frozen=True)
class Shape:
    name: str
    vocab: int
    hidden: int
    intermediate: int
    layers: int
    heads: int
    kv_heads: int
    context: int
    tied: bool


SMOLLM2_135M = Shape("SmolLM2-135M shape", 49152, 576, 1536, 30, 9, 3, 8192, True)
LLAMA2_7B = Shape("Llama-2-7B shape", 32000, 4096, 11008, 32, 32, 32, 4096, False)
TINY = Shape("tiny shape (smoke)", 512, 64, 128, 2, 4, 2, 1024, True)


def word_tokenizer(vocab: int) -> Any:
    """A word-level tokenizer whose words `w0`... cover the whole vocabulary."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    words = {token: index for index, token in enumerate(specials)}
    words.update({f"w{i}": i for i in range(len(specials), vocab)})
    core = Tokenizer(models.WordLevel(words, unk_token="<|endoftext|>"))
    core.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    core.decoder = decoders.WordPiece(prefix="##")  # joins words with spaces
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=core, eos_token="<|im_end|>", pad_token="<|endoftext|>", bos_token="<|im_start|>"
    )
    tokenizer.chat_template = CHAT_TEMPLATE
    return tokenizer


def build_model(shape: Shape, directory: Path, device: str, dtype: Any) -> Path:
    """Random weights made directly on the device, saved with the tokenizer."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    tokenizer = word_tokenizer(shape.vocab)
    config = LlamaConfig(
        vocab_size=shape.vocab, hidden_size=shape.hidden, intermediate_size=shape.intermediate,
        num_hidden_layers=shape.layers, num_attention_heads=shape.heads, num_key_value_heads=shape.kv_heads,
        max_position_embeddings=shape.context, tie_word_embeddings=shape.tied,
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id,
    )
    previous = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        with torch.device(device):
            model = LlamaForCausalLM(config)
    finally:
        torch.set_default_dtype(previous)
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    del model
    return directory


def prompts(count: int, vocab: int, seed: int = 0) -> list[str]:
    chooser = random.Random(seed)
    return [" ".join(f"w{chooser.randrange(3, vocab)}" for _ in range(chooser.randint(20, 400))) for _ in range(count)]


def sync() -> None:
    import torch

    if torch.cuda.is_available():
        torch.cuda.synchronize()


def sequential_loop(backend: Any, texts: list[str], new_tokens: int) -> float:
    """TrustLLM's loop: one prompt per bare `model.generate`; returns seconds."""
    import torch

    model, tokenizer = backend.model, backend.tokenizer
    start = time.perf_counter()
    for text in texts:
        rendered = tokenizer.apply_chat_template([{"role": "user", "content": text}], tokenize=False, add_generation_prompt=True)
        inputs = tokenizer([rendered], return_tensors="pt", add_special_tokens=False).to(model.device)
        with torch.inference_mode(), attention_kernels(model.device):  # the backend's kernels: a fair race
            output = model.generate(
                **inputs, max_new_tokens=new_tokens, min_new_tokens=new_tokens, do_sample=False,
                pad_token_id=tokenizer.pad_token_id,
            )
        tokenizer.decode(output[0, inputs["input_ids"].shape[1]:], skip_special_tokens=True)
    sync()
    return time.perf_counter() - start


def backend_run(backend: Any, texts: list[str], new_tokens: int, batch_size: int) -> float:
    backend.batch_size = batch_size
    requests = [GenerationRequest(t, max_new_tokens=new_tokens, min_new_tokens=new_tokens) for t in texts]
    start = time.perf_counter()
    results = backend.generate(requests)
    sync()
    failed = [r.error for r in results if not r.ok]
    if failed:
        sys.exit(f"generation failed: {failed[0]}")
    return time.perf_counter() - start


def peak_gib() -> float:
    import torch

    if not torch.cuda.is_available():
        return float("nan")
    peak = torch.cuda.max_memory_allocated() / 2**30
    torch.cuda.reset_peak_memory_stats()
    return peak


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, int, int, float, float, float]] = []

    def add(self, model: str, variant: str, batch: int, count: int, new_tokens: int, seconds: float) -> float:
        rate = count * new_tokens / seconds
        self.rows.append((model, variant, batch, count, seconds, rate, peak_gib()))
        print(f"  {model}: {variant} batch {batch}: {count} prompts in {seconds:.1f} s = {rate:.0f} tokens/s", flush=True)
        return rate

    def print(self) -> None:
        print(f"\n{'model':<22}{'variant':<18}{'batch':>6}{'prompts':>8}{'seconds':>9}{'tokens/s':>10}{'peak GiB':>10}")
        for model, variant, batch, count, seconds, rate, peak in self.rows:
            print(f"{model:<22}{variant:<18}{batch:>6}{count:>8}{seconds:>9.1f}{rate:>10.0f}{peak:>10.1f}")


def check_model(shape: Shape, args: argparse.Namespace, table: Table, batches: list[int], new_tokens: int, work: Path) -> dict[int, float]:
    import torch

    began = time.perf_counter()
    directory = build_model(shape, work / shape.name.split()[0], args.device, torch.bfloat16 if args.device == "cuda" else torch.float32)
    threads = 1 if args.device == "cpu" else None  # the smoke run stays light on a shared CPU
    options = BackendOptions(device=args.device, threads=threads, extra={"cache_dir": str(work / "cache")})
    backend = create_backend(f"hf:{directory}", options)
    print(f"{shape.name}: built, saved and loaded in {time.perf_counter() - began:.0f} s ({backend.model.dtype})", flush=True)
    texts = prompts(max(batches) * args.batches_per_size, shape.vocab)
    backend_run(backend, texts[:2], 4, 2)  # warm-up: kernels, allocator
    peak_gib()
    rates = {0: table.add(shape.name, "sequential loop", 1, args.sequential, new_tokens,
                          sequential_loop(backend, texts[: args.sequential], new_tokens))}
    for batch in batches:
        count = args.sequential if batch == 1 else batch * args.batches_per_size
        rates[batch] = table.add(shape.name, "hf backend", batch, count, new_tokens,
                                 backend_run(backend, texts[:count], new_tokens, batch))
    backend.close()
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--smoke", action="store_true", help="tiny shapes and few tokens; runs on CPU")
    parser.add_argument("--sequential", type=int, default=8, help="prompts for the batch-1 rows")
    parser.add_argument("--batches-per-size", type=int, default=2, help="full batches per batch size")
    parser.add_argument("--mean-new-tokens", type=int, default=128, help="response length assumed by the estimate")
    args = parser.parse_args()
    import torch

    args.device = "cuda" if torch.cuda.is_available() else "cpu"
    if args.device == "cpu" and not args.smoke:
        sys.exit("no CUDA device: run with --smoke to test the script on a CPU")
    small, large = (TINY, TINY) if args.smoke else (SMOLLM2_135M, LLAMA2_7B)
    small_tokens, large_tokens = (8, 8) if args.smoke else (64, 128)
    if args.smoke:
        args.sequential = min(args.sequential, 4)
    card = torch.cuda.get_device_name(0) if args.device == "cuda" else "CPU"
    print(f"device: {card}; torch {torch.__version__}", flush=True)
    started, table = time.perf_counter(), Table()
    with tempfile.TemporaryDirectory(prefix="trustcheck-gpu-check-") as scratch:
        check_model(small, args, table, [1, 8, 32, 64], small_tokens, Path(scratch))
        large_rates = check_model(large, args, table, [1, 64], large_tokens, Path(scratch))
    table.print()
    hours = {name: TRUSTLLM_PROMPTS * args.mean_new_tokens / large_rates[key] / 3600 for name, key in (("sequential loop", 0), ("hf backend, batch 64", 64))}
    print(f"\n{large.name} on {card}: the whole benchmark ({TRUSTLLM_PROMPTS} prompts x {args.mean_new_tokens} new tokens) takes")
    for name, value in hours.items():
        print(f"  {name:<22} {value:6.2f} h")
    print(f"\nwhole script: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
