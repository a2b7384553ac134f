"""Full-benchmark scale: collection, a run served entirely from the cache, memory, reports, cache.

    TRUSTCHECK_DATA=path/to/dataset.zip python benchmarks/scale.py [--out DIR] [--rounds 2]
        [--toolkit-python PATH]   # a Python with `trustllm` installed, for the toolkit row

Every figure comes from this one run and is printed next to its target. Responses come from
the deterministic synthetic model (benchmarks/synthetic_responses.py), generated once into a
fresh cache; every timed run after that calls no model. Times are the best of `--rounds`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUITE_DIRS = ["suites/ethics", "suites/fairness", "suites/privacy", "suites/robustness", "suites/safety", "suites/truthfulness"]
MODEL = ["--model", "synthetic:0", "--trust-judge", "synthetic:0"]


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    paths = [str(ROOT / "benchmarks"), os.environ.get("PYTHONPATH", "")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p), **(extra or {})}
    # Measured as users run it: bytecode (and pytest's rewritten plugin modules) cached on disk.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def pytest(args: list[str], log: Path, extra_env: dict[str, str] | None = None) -> float:
    command = [sys.executable, "-m", "pytest", *SUITE_DIRS, "--trust-full", "-q", "-p", "no:cacheprovider",
               "-p", "synthetic_responses", "-p", "rss_probe", *args]
    start = time.perf_counter()
    with open(log, "w", encoding="utf-8") as handle:
        status = subprocess.run(command, cwd=ROOT, env=_env(extra_env), stdout=handle, stderr=subprocess.STDOUT).returncode
    seconds = time.perf_counter() - start
    if status not in (0, 1):  # 1: the synthetic model fails some gates, as intended
        raise SystemExit(f"pytest {' '.join(args)} exited {status}; see {log}")
    return seconds


def best(rounds: int, run) -> float:
    return min(run() for _ in range(rounds))


def cached_run(out: Path, cache: Path, workers: int, rounds: int) -> tuple[float, int, int]:
    """Best wall time, items run, and the controller's peak RSS in KiB."""
    rss_file = out / f"rss-n{workers}.txt"
    results = out / f"cached-n{workers}.json"
    args = [*MODEL, "--trust-cache-dir", str(cache), "--trust-json", str(results), "-n", str(workers)]
    seconds = best(rounds, lambda: pytest(args, out / f"cached-n{workers}.log", {"TRUSTCHECK_RSS_FILE": str(rss_file)}))
    items = len(json.loads(results.read_text())["items"])
    return seconds, items, int(rss_file.read_text())


def collection(out: Path, rounds: int) -> tuple[float, int]:
    log = out / "collect.log"
    seconds = best(rounds, lambda: pytest(["--collect-only", *MODEL], log))
    count = next(int(line.split()[0]) for line in log.read_text().splitlines() if "collected" in line or "tests collected" in line)
    return seconds, count


def html_report(out: Path, cache: Path, cached_seconds: float) -> tuple[float, float]:
    """pytest-html with evidence for missed items only: extra seconds over the plain run, and MB."""
    report = out / "report.html"
    args = [*MODEL, "--trust-cache-dir", str(cache), "--html", str(report), "--self-contained-html", "--trust-html-evidence", "missed"]
    seconds = pytest(args, out / "html.log")
    return seconds - cached_seconds, report.stat().st_size / 1e6


def standalone_report(out: Path) -> tuple[float, float]:
    report = out / "standalone.html"
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "trustcheck.cli", "report", str(out / "cached-n0.json"), "--html", str(report), "--evidence", "missed"],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start, report.stat().st_size / 1e6


def cache_lookup(out: Path) -> tuple[float, float]:
    """Microseconds per lookup in batches of 32, at 1,000 and at 100,000 entries."""
    sys.path.insert(0, str(ROOT))
    from trustcheck.responses.cache import ResponseCache

    timings = []
    for size in (1_000, 100_000):
        cache = ResponseCache(out / f"cache-{size}.sqlite3")
        cache.put_many((f"{i:064x}", "response text " * 20, "{}") for i in range(size))
        rng = random.Random(0)
        batches = [[f"{rng.randrange(size):064x}" for _ in range(32)] for _ in range(300)]
        start = time.perf_counter()
        for batch in batches:
            assert len(cache.get_many(batch)) == len(set(batch))
        timings.append((time.perf_counter() - start) / (300 * 32) * 1e6)
        cache.close()
    return timings[0], timings[1]


def toolkit_ratio(python: str, out: Path, recording: Path) -> tuple[float, float] | None:
    """Wall time of the TrustLLM toolkit scoring the keyword tasks, and of trustcheck on them."""
    driver = ROOT / "benchmarks" / "toolkit_driver.py"
    data = os.environ["TRUSTCHECK_DATA"]
    done = subprocess.run([python, str(driver), data, str(recording), str(out / "toolkit.json")], capture_output=True, text=True)
    if done.returncode != 0:
        print(f"toolkit driver failed: {done.stderr.strip().splitlines()[-1:]}")
        return None
    toolkit_seconds = json.loads((out / "toolkit.json").read_text())["seconds"]
    suites = json.loads((out / "toolkit.json").read_text())["suites"]
    command = [sys.executable, "-m", "pytest", *suites, "--trust-full", "-q", "-p", "no:cacheprovider", "-p", "synthetic_responses",
               "--model", f"replay:{recording}", "--trust-no-cache"]
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    return toolkit_seconds, time.perf_counter() - start


def xdist_floor(out: Path, count: int, rounds: int) -> tuple[float, float]:
    """Best wall times of `count` empty tests without trustcheck, -n 0 and -n 2: xdist's own cost."""
    folder = out / "empty"
    folder.mkdir(exist_ok=True)
    (folder / "test_empty.py").write_text(
        f"import pytest\n\n\n@pytest.mark.parametrize('i', range({count}))\ndef test_empty(i):\n    pass\n", encoding="utf-8"
    )

    def run(workers: int) -> float:
        command = [sys.executable, "-m", "pytest", str(folder), "-q", "-p", "no:cacheprovider", "-p", "no:trustcheck", "-n", str(workers)]
        start = time.perf_counter()
        subprocess.run(command, cwd=folder, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, check=True)
        return time.perf_counter() - start

    return best(rounds, lambda: run(0)), best(rounds, lambda: run(2))


def row(name: str, value: str, target: str, ok: bool | None) -> None:
    verdict = "" if ok is None else ("met" if ok else "MISSED")
    print(f"{name:<48} {value:>18}   {target:<22} {verdict}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--toolkit-python", default=os.environ.get("TRUSTLLM_PYTHON"))
    args = parser.parse_args()
    if not os.environ.get("TRUSTCHECK_DATA"):
        raise SystemExit("set TRUSTCHECK_DATA to the TrustLLM dataset.zip or directory")
    out = args.out or Path(tempfile.mkdtemp(prefix="trustcheck-scale-"))
    out.mkdir(parents=True, exist_ok=True)
    cache, recording = out / "cache", out / "recording"
    print(f"filling a fresh cache with synthetic responses (once) in {out} ...", flush=True)
    fill = pytest([*MODEL, "--trust-cache-dir", str(cache), "--trust-record", str(recording), "-n", "2"], out / "fill.log")
    print(f"  generated and scored in {fill:.1f} s\n", flush=True)

    collect_s, collected = collection(out, args.rounds)
    n0, items, rss0 = cached_run(out, cache, 0, args.rounds)
    n2, _, rss2 = cached_run(out, cache, 2, args.rounds)
    html_extra, html_mb = html_report(out, cache, n0)
    standalone_s, standalone_mb = standalone_report(out)
    small_us, large_us = cache_lookup(out)
    empty0, empty2 = xdist_floor(out, items, args.rounds)

    print(f"{'figure':<48} {'measured':>18}   {'target':<22}")
    row(f"collection, {collected} items (--collect-only)", f"{collect_s:.2f} s", "< 5 s", collect_s < 5)
    row(f"cached full run, -n 0 ({items} items)", f"{n0:.1f} s", "< 60 s", n0 < 60)
    row("  framework time per item", f"{n0 / items * 1000:.2f} ms", "< 3 ms", n0 / items < 0.003)
    row("cached full run, -n 2", f"{n2:.1f} s", "", None)
    row("  ratio -n 2 / -n 0", f"{n2 / n0:.2f}", "<= 1.00", n2 / n0 <= 1.0)
    row(f"  floor: {items} empty tests, no trustcheck, -n 0", f"{empty0:.1f} s", "", None)
    row("  floor: the same, -n 2", f"{empty2:.1f} s", "", None)
    row("  floor ratio -n 2 / -n 0 (pytest-xdist alone)", f"{empty2 / empty0:.2f}", "reported", None)
    row("controller peak memory, -n 0", f"{rss0 / 1024:.0f} MB", "< 1024 MB", rss0 < 1024 * 1024)
    row("controller peak memory, -n 2", f"{rss2 / 1024:.0f} MB", "< 1024 MB", rss2 < 1024 * 1024)
    row("pytest-html report, missed evidence: extra time", f"{html_extra:.1f} s", "< 30 s", html_extra < 30)
    row("pytest-html report, missed evidence: size", f"{html_mb:.1f} MB", "< 50 MB", html_mb < 50)
    row("trustcheck report (standalone), missed evidence", f"{standalone_s:.1f} s, {standalone_mb:.1f} MB", "", None)
    row("cache lookup at 1,000 entries", f"{small_us:.1f} us", "", None)
    row("cache lookup at 100,000 entries", f"{large_us:.1f} us", "", None)
    row("  ratio 100k / 1k", f"{large_us / small_us:.2f}", "reported", None)
    row("  lookup at 100,000 entries, per key", f"{large_us:.1f} us", "< 100 us", large_us < 100)
    if args.toolkit_python:
        measured = toolkit_ratio(args.toolkit_python, out, recording)
        if measured:
            toolkit_s, ours_s = measured
            row("keyword tasks: TrustLLM toolkit evaluation", f"{toolkit_s:.1f} s", "", None)
            row("keyword tasks: trustcheck (pytest, replay)", f"{ours_s:.1f} s", "", None)
            row("  ratio trustcheck / toolkit", f"{ours_s / toolkit_s:.2f}", "reported", None)
    else:
        print("toolkit row skipped: pass --toolkit-python (a Python with trustllm==0.3.0 installed)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
