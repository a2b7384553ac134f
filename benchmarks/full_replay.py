"""The whole TrustLLM benchmark from a replayed response set: record once, replay, compare.

    TRUSTCHECK_DATA=path/to/dataset.zip python benchmarks/full_replay.py [--seed 0] [--workers 2]
        [--out DIR] [--paper] [--reuse] [SUITE_PATHS...]

(a) `pytest suites --trust-full --model synthetic:SEED --trust-judge synthetic:SEED
    --trust-record DIR/recording --trust-json DIR/full.json -n WORKERS` answers all 16,441 items
    with the deterministic synthetic model (benchmarks/synthetic_responses.py) and records them;
(b) `pytest suites --trust-full --model replay:DIR/recording --trust-json DIR/replay.json
    --trust-no-cache` scores the same responses again from the recording;
(c) every metric of (a) and (b) must agree (value, interval, n), no item may lack a response
    in (b), and the results must carry every column of the paper's leaderboard (the mapping in
    tests/test_leaderboard_coverage.py).
Prints the wall time of both runs, the leaderboard table and the other headline metrics.
`--paper` adds a third run, the replay scored with `--trust-scoring paper`; `--reuse` skips
(a) when DIR already holds a recording. Exit status 0 when everything agrees.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DIMENSIONS = ("ethics", "fairness", "privacy", "robustness", "safety", "truthfulness")
RUN_STATUSES = (0, 1)  # 1: some gates fail, which the synthetic model is expected to do


def leaderboard() -> dict[tuple[str, str], tuple[str, str]]:
    path = ROOT / "tests" / "test_leaderboard_coverage.py"
    spec = importlib.util.spec_from_file_location("leaderboard_coverage", path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module.LEADERBOARD


def run_pytest(label: str, args: list[str], log: Path) -> float:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "benchmarks"), os.environ.get("PYTHONPATH")]))}
    command = [sys.executable, "-m", "pytest", *args, "-p", "synthetic_responses", "-p", "no:cacheprovider", "-q"]
    print(f"{label}: {' '.join(command[3:])}", flush=True)
    start = time.perf_counter()
    with open(log, "w", encoding="utf-8") as handle:
        status = subprocess.run(command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, check=False).returncode
    seconds = time.perf_counter() - start
    tail = log.read_text(encoding="utf-8").strip().splitlines()[-1:]
    print(f"{label}: exit {status} in {seconds:.1f} s ({tail[0] if tail else 'no output'}); log {log}", flush=True)
    if status not in RUN_STATUSES:
        raise SystemExit(f"{label}: pytest failed with exit status {status}; see {log}")
    return seconds


def metrics_of(results: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(suite["name"], name): metric for suite in results["suites"] for name, metric in suite["metrics"].items()}


def compare(first: dict[str, Any], second: dict[str, Any]) -> list[str]:
    """Metrics that differ between two results files, as lines; empty when all agree."""
    a, b = metrics_of(first), metrics_of(second)
    problems = [f"{suite}.{metric}: only in {'the record run' if key in a else 'the replay'}"
                for key in sorted(set(a) ^ set(b)) for suite, metric in [key]]
    for key in sorted(set(a) & set(b)):
        left, right = a[key], b[key]
        for field in ("value", "low", "high", "n"):
            x, y = left.get(field), right.get(field)
            same = x == y or (isinstance(x, float) and isinstance(y, float) and abs(x - y) <= 1e-12)
            if not same:
                problems.append(f"{key[0]}.{key[1]}: {field} {x!r} (record) vs {y!r} (replay)")
    return problems


def unanswered(results: dict[str, Any]) -> list[str]:
    return [f"{s['name']}: {s['n_items']} of {s['n_expected']} items have a result" for s in results["suites"] if s["n_items"] != s["n_expected"] or s["missing"]] + [
        f"{item['nodeid']}: {item['outcome']}" for item in results["items"] if item.get("outcome") == "error"
    ]


def fmt(value: Any) -> str:
    return "-" if value is None else f"{value:.4f}" if abs(value) < 10 else f"{value:.2f}"


def leaderboard_table(results: dict[str, Any], mapping: dict[tuple[str, str], tuple[str, str]]) -> tuple[list[str], list[str]]:
    metrics = metrics_of(results)
    lines = [f"{'dimension':<13} {'leaderboard column':<31} {'suite.metric':<40} {'value':>8} {'n':>5}"]
    missing = []
    for (dimension, column), (suite, metric) in mapping.items():
        found = metrics.get((suite, metric))
        if found is None or found.get("value") is None:
            missing.append(f"{dimension} {column!r} -> {suite}.{metric}")
        value = found.get("value") if found else None
        lines.append(f"{dimension:<13} {column:<31} {suite + '.' + metric:<40} {fmt(value):>8} {found.get('n', 0) if found else 0:>5}")
    return lines, missing


def other_metrics(results: dict[str, Any], mapping: dict[tuple[str, str], tuple[str, str]]) -> list[str]:
    shown = set(mapping.values())
    return [f"{suite + '.' + name:<40} {fmt(m.get('value')):>8} {m.get('n'):>5}"
            for (suite, name), m in sorted(metrics_of(results).items()) if "[" not in name and (suite, name) not in shown]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", default=[f"suites/{d}" for d in DIMENSIONS])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--paper", action="store_true", help="also score the replay in paper mode")
    parser.add_argument("--reuse", action="store_true", help="keep an existing recording in --out")
    args = parser.parse_args(argv)
    if not os.environ.get("TRUSTCHECK_DATA"):
        print("note: TRUSTCHECK_DATA is not set; the fetched dataset copy is used if there is one", flush=True)
    out = (args.out or Path(tempfile.mkdtemp(prefix="trustcheck-full-replay-"))).resolve()
    out.mkdir(parents=True, exist_ok=True)
    recording, model = out / "recording", f"synthetic:{args.seed}"
    common = [*args.paths, "--trust-full", "--trust-judge", model, "--trust-no-cache", "-n", str(args.workers)]
    timings = {}
    if not (args.reuse and (recording / "manifest.json").is_file() and (out / "full.json").is_file()):
        if recording.exists() and any(recording.iterdir()):
            raise SystemExit(f"{recording} already holds a recording: pass --reuse or another --out")
        timings["record"] = run_pytest("record", [*common, "--model", model, "--trust-record", str(recording), "--trust-json", str(out / "full.json")], out / "record.log")
    timings["replay"] = run_pytest("replay", [*common, "--model", f"replay:{recording}", "--trust-json", str(out / "replay.json")], out / "replay.log")
    full = json.loads((out / "full.json").read_text(encoding="utf-8"))
    replay = json.loads((out / "replay.json").read_text(encoding="utf-8"))
    mapping = leaderboard()
    problems = compare(full, replay) + unanswered(replay)
    table, missing = leaderboard_table(replay, mapping)
    print(f"\nitems: {len(full['items'])} recorded, {len(replay['items'])} replayed; metrics compared: {len(metrics_of(full))}")
    print("\n".join(["", "leaderboard metrics (toolkit scoring, replay):", *table]))
    print("\n".join(["", "other metrics (toolkit scoring, replay; groups left out):", *other_metrics(replay, mapping)]))
    if args.paper:
        timings["paper"] = run_pytest("paper", [*common, "--model", f"replay:{recording}", "--trust-scoring", "paper", "--trust-json", str(out / "paper.json")], out / "paper.log")
        paper_table, paper_missing = leaderboard_table(json.loads((out / "paper.json").read_text(encoding="utf-8")), mapping)
        print("\n".join(["", "leaderboard metrics (paper scoring, replay):", *paper_table]))
        missing += [f"paper: {line}" for line in paper_missing]
    print("\ntimings: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))
    if "record" in timings:
        print(f"replay / record wall time: {timings['replay'] / timings['record']:.2f}")
    for line in problems + [f"no value for {m}" for m in missing]:
        print(f"PROBLEM: {line}")
    print("all metrics agree and every leaderboard column has a value" if not (problems or missing) else f"{len(problems) + len(missing)} problems")
    return 1 if problems or missing else 0


if __name__ == "__main__":
    sys.exit(main())
