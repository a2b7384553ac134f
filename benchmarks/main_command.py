"""The main command against a bare llama-cpp-python loop over the same prompts, in one run.

    TRUSTCHECK_DATA=path/to/dataset.zip python benchmarks/main_command.py [--threads N] [--n-ctx 4096]
        [--root CHECKOUT] [--keep DIR]

(a) `pytest suites/safety` on the default model (SmolLM2-135M-Instruct on llama.cpp), in a
    subprocess, with an empty cache (`--trust-cache-dir` a new temporary directory),
    `--trust-record` into another and `--trust-threads N`: the wall time of the whole
    subprocess, interpreter start, collection, model load, generation, evaluators and reports.
(b) a bare loop over the prompts (a) generated, read back from its recording: one
    `llama_cpp.Llama(model_path=<the default GGUF>, n_ctx, n_threads=N)` and one
    `create_chat_completion` per prompt, with the messages trustcheck sends (a blank system
    turn, as `chat_messages_builder` decides for this template), the recorded temperature and
    seed, and the sampler settings trustcheck uses. Each call generates exactly as many tokens
    as (a)'s response to that prompt has (its text tokenized again): end tokens are banned and
    `max_tokens` is that count (at least 1). The KV cache is reset before each prompt, as no
    prompt of (a) reuses another's. Model load included.

Prints both wall times (and CPU seconds), the token counts, tokens per second, and the ratio
trustcheck / bare (target <= 0.40). `--root` measures another checkout of trustcheck (its
suites, and its package first on PYTHONPATH), such as the code before a change, in the same
conditions. On a machine shared with other jobs, compare runs made close together, and prefer
`--threads 1`: llama.cpp's threads wait for each other at every step, and two threads on two busy
cores ran the main command several times slower than one.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from backends import _ban_end_tokens

from trustcheck.backends.chat import MessagesFor, chat_messages_builder
from trustcheck.backends.llamacpp_batched import SAMPLING
from trustcheck.backends.workers import available_cores
from trustcheck.responses.models import default_model_path
from trustcheck.responses.record import RESPONSES_FILE

ROOT = Path(__file__).resolve().parents[1]
TARGET = 0.40
RUN_STATUSES = (0, 1)  # 1: the small default model fails some gates


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_main_command(root: Path, threads: int, work: Path) -> dict[str, Any]:
    """(a): the main command from an empty cache, timed as a whole; its record goes to work/record."""
    command = [sys.executable, "-m", "pytest", "suites/safety", "-p", "no:cacheprovider",
               "--trust-cache-dir", str(work / "cache"), "--trust-record", str(work / "record"), "--trust-threads", str(threads)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))}
    print(f"(a) in {root}: pytest {' '.join(command[3:])}", flush=True)
    log = work / "main_command.log"
    start, cpu = time.perf_counter(), _children_cpu()
    with open(log, "w", encoding="utf-8") as handle:
        status = subprocess.run(command, cwd=root, env=env, stdout=handle, stderr=subprocess.STDOUT, check=False).returncode
    seconds, cpu_seconds = time.perf_counter() - start, _children_cpu() - cpu
    lines = log.read_text(encoding="utf-8").strip().splitlines()
    print(f"(a) exit {status} in {seconds:.1f} s: {lines[-1] if lines else 'no output'}", flush=True)
    if status not in RUN_STATUSES:
        sys.exit(f"the main command failed with exit status {status}:\n" + "\n".join(lines[-30:]))
    return {"seconds": seconds, "cpu_seconds": cpu_seconds}


def recorded_responses(record: Path) -> list[dict[str, Any]]:
    lines = (record / RESPONSES_FILE).read_text(encoding="utf-8").splitlines()
    responses = [json.loads(line) for line in lines if line.strip()]
    modes = {response["settings"]["mode"] for response in responses}
    if modes != {"chat"}:
        sys.exit(f"expected chat prompts only, found modes {sorted(modes)}")
    return responses


def trustcheck_messages(llama: Any) -> MessagesFor:
    """How trustcheck turns a prompt into messages for this model's chat template."""
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    formatter = Jinja2ChatFormatter(template=llama.metadata["tokenizer.chat_template"], eos_token="", bos_token="")
    return chat_messages_builder(lambda messages: formatter(messages=messages).prompt)


def bare_loop(responses: list[dict[str, Any]], threads: int, n_ctx: int) -> dict[str, Any]:
    """(b): one prompt at a time, each generating as many tokens as trustcheck's response has."""
    import llama_cpp

    start, cpu = time.perf_counter(), time.process_time()
    llama = llama_cpp.Llama(model_path=str(default_model_path()), n_ctx=n_ctx, n_threads=threads, n_threads_batch=threads, verbose=False)
    load_seconds, load_cpu = time.perf_counter() - start, time.process_time() - cpu
    messages_for = trustcheck_messages(llama)
    banned = _ban_end_tokens(llama_cpp, llama)
    budgets = [response_tokens(llama, response["text"]) for response in responses]
    start, cpu = time.perf_counter(), time.process_time()
    generated = sum(generate_one(llama, messages_for, banned, response, budget) for response, budget in zip(responses, budgets))
    return {
        "seconds": load_seconds + time.perf_counter() - start,
        "cpu_seconds": load_cpu + time.process_time() - cpu,
        "load_seconds": load_seconds,
        "tokens": generated,
        "trustcheck_tokens": sum(budgets),
    }


def response_tokens(llama: Any, text: str) -> int:
    return max(1, len(llama.tokenize(text.encode("utf-8"), add_bos=False, special=False)))


def generate_one(llama: Any, messages_for: MessagesFor, banned: Any, response: dict[str, Any], budget: int) -> int:
    settings = response["settings"]
    temperature = float(settings["temperature"])
    sampling = SAMPLING if temperature > 0 else {}
    llama.reset()
    result = llama.create_chat_completion(
        messages_for(response["prompt"], ""),
        temperature=temperature,
        seed=int(settings["seed"]),
        max_tokens=budget,
        stop=list(settings["stop"]),
        logits_processor=banned,
        **sampling,
    )
    return int(result["usage"]["completion_tokens"])


def print_report(main: dict[str, Any], bare: dict[str, Any], prompts: int, threads: int) -> None:
    tokens, bare_tokens = bare["trustcheck_tokens"], bare["tokens"]
    print(f"\n{prompts} prompts of `pytest suites/safety`, {threads} threads, load average now {os.getloadavg()[0]:.1f}\n")
    print(f"{'':<46}{'wall s':>9}{'CPU s':>9}{'tokens':>9}{'tokens/s':>10}")
    rows: list[tuple[str, dict[str, Any], int]] = [
        ("(a) pytest suites/safety, empty cache", main, tokens),
        (f"(b) bare llama-cpp-python loop (load {bare['load_seconds']:.1f} s)", bare, bare_tokens),
    ]
    for label, row, count in rows:
        print(f"{label:<46}{row['seconds']:>9.1f}{row['cpu_seconds']:>9.1f}{count:>9}{count / row['seconds']:>10.1f}")
    ratio = main["seconds"] / bare["seconds"]
    per_token = (main["seconds"] / tokens) / (bare["seconds"] / bare_tokens)
    print(f"\ntrustcheck / bare, wall time: {ratio:.2f} (target <= {TARGET:.2f}: {'met' if ratio <= TARGET else 'MISSED'})")
    print(f"trustcheck / bare, wall time per generated token: {per_token:.2f}")
    print(f"trustcheck / bare, CPU time: {main['cpu_seconds'] / bare['cpu_seconds']:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=available_cores())
    parser.add_argument("--n-ctx", type=int, default=4096, help="the bare Llama's context (trustcheck's default n_ctx)")
    parser.add_argument("--root", type=Path, default=ROOT, help="the trustcheck checkout whose main command runs")
    parser.add_argument("--keep", type=Path, help="keep the cache, recording and log of (a) in this directory")
    args = parser.parse_args()
    if not os.environ.get("TRUSTCHECK_DATA"):
        sys.exit("set TRUSTCHECK_DATA to the TrustLLM dataset directory or dataset.zip")
    with tempfile.TemporaryDirectory(prefix="trustcheck-main-command-") as temporary:
        work = args.keep or Path(temporary)
        work.mkdir(parents=True, exist_ok=True)
        main_run = run_main_command(args.root.resolve(), args.threads, work)
        responses = recorded_responses(work / "record")
        print(f"(b) bare loop over the {len(responses)} recorded prompts", flush=True)
        bare = bare_loop(responses, args.threads, args.n_ctx)
        print_report(main_run, bare, len(responses), args.threads)


if __name__ == "__main__":
    main()
