"""Size and generation time of the reports for a full-benchmark run (~18,000 items).

Builds a synthetic results file shaped like a full TrustLLM run (24 suites with the benchmark's
item counts and mean prompt lengths, responses of 200-2000 characters, a third of the items
missed), then measures in one run:

* the results JSON: size, schema validation time;
* the standalone report (`trustcheck report`) with evidence for missed items only, and for all;
* the baseline comparison of the run with a copy where 10% of the passed items now miss;
* the pytest-html report (`--html --self-contained-html`) of a pytest session with one test per
  item that sends the same records, with evidence for no, missed and all items, against the same
  session without `--html` (skip with --no-pytest-html);
* with /usr/bin/chromium present, the time a headless browser takes to load each page.

    python benchmarks/report_size.py [--items 18000] [--out DIR] [--no-pytest-html]
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from trustcheck.gates.baseline import compare
from trustcheck.metrics.base import rate_result
from trustcheck.report.results_schema import validate_results
from trustcheck.report.standalone_report import write_report

# (dimension, file stem, items, mean prompt characters) of the TrustLLM data files.
FILES = [
    ("ethics", "awareness", 2666, 465), ("ethics", "explicit_moralchoice", 1367, 441),
    ("ethics", "implicit_ETHICS", 500, 305), ("ethics", "implicit_SocialChemistry101", 500, 243),
    ("fairness", "disparagement", 810, 395), ("fairness", "preference", 240, 211),
    ("fairness", "stereotype_agreement", 1000, 221), ("fairness", "stereotype_query_test", 95, 45),
    ("fairness", "stereotype_recognition", 1000, 386), ("privacy", "privacy_awareness_confAIde", 196, 607),
    ("privacy", "privacy_awareness_query", 560, 533), ("privacy", "privacy_leakage", 400, 185),
    ("robustness", "AdvGLUE", 912, 354), ("robustness", "AdvInstruction", 600, 66),
    ("robustness", "ood_detection", 241, 111), ("robustness", "ood_generalization", 500, 445),
    ("safety", "exaggerated_safety", 200, 42), ("safety", "jailbreak", 1400, 429),
    ("safety", "misuse", 1174, 88), ("truthfulness", "external", 400, 731),
    ("truthfulness", "golden_advfactuality", 209, 136), ("truthfulness", "hallucination", 652, 1765),
    ("truthfulness", "internal", 400, 705), ("truthfulness", "sycophancy", 419, 122),
]
CATEGORIES = ("a", "b", "c", "d")
MISS_RATE = 1 / 3
WORDS = ["the", "model", "said", "that", "it", "would", "not", "help", "with", "this", "request", "because", "it", "may", "cause", "harm"]


def _text(rng: random.Random, length: int) -> str:
    words = []
    while sum(len(w) + 1 for w in words) < length:
        words.append(rng.choice(WORDS))
    return " ".join(words)[:length]


def _suite(dimension: str, stem: str, count: int, prompt_chars: int, rng: random.Random) -> tuple[dict, list]:
    path = f"suites/{dimension}/{stem}.yaml"
    items = []
    for index in range(count):
        category = CATEGORIES[index % len(CATEGORIES)]
        passed = rng.random() > MISS_RATE
        item = f"item-{index:04d}"
        items.append({
            "nodeid": f"{path}::{category}::{item}", "suite": path, "suite_name": stem, "dimension": dimension,
            "task": stem, "item": item, "category": category, "verdict": "good" if passed else "bad",
            "passed": passed, "critical": False, "score": round(rng.random(), 4),
            "reason": "pattern matched" if passed else "no refusal pattern found",
            "extracted": None, "prompt": _text(rng, max(20, int(rng.gauss(prompt_chars, prompt_chars / 3)))),
            "response": _text(rng, rng.randint(200, 2000)), "fields": {"label": category}, "cached": False,
            "outcome": "passed" if passed else "missed",
        })
    metrics = {}
    for group in (None, *CATEGORIES):
        chosen = [i for i in items if group is None or i["category"] == group]
        name = "accuracy" if group is None else f"accuracy[{group}]"
        metrics[name] = {**rate_result(sum(i["passed"] for i in chosen), len(chosen)).as_dict(),
                         "direction": "higher", "paper_name": None, "fn": "pass_rate", "params": {},
                         "group_by": "category", "group": group}
    value = metrics["accuracy"]
    gate = {"metric": "accuracy", "op": ">=", "threshold": 0.6, "value": value["value"], "low": value["low"],
            "high": value["high"], "n": value["n"], "verdict": "pass" if value["value"] >= 0.6 else "fail",
            "partial": False}
    return {"suite": path, "name": stem, "dimension": dimension, "task": stem, "n_items": count,
            "n_expected": count, "missing": [], "metrics": metrics, "gates": [gate]}, items


def synthetic_results(n_items: int, seed: int = 0) -> dict:
    rng = random.Random(seed)
    scale = n_items / sum(f[2] for f in FILES)
    suites, items = [], []
    for dimension, stem, count, prompt_chars in FILES:
        suite, suite_items = _suite(dimension, stem, max(1, round(count * scale)), prompt_chars, rng)
        suites.append(suite)
        items += suite_items
    return {
        "format": "trustcheck-results/1", "trustcheck_version": "0.1.0", "created": "2026-01-01T00:00:00Z",
        "model": {"spec": "default", "backend": "llama.cpp", "backend_version": "0.3.36", "weights_hash": "0" * 64,
                  "chat_template_hash": "", "display_name": "synthetic", "extra": {}},
        "dataset": {"source": "dataset.zip", "sha256": None},
        "settings": {"scoring": "toolkit", "profile": None, "sample": None, "full": True, "seed": seed,
                     "selection": {"partial": False, "reasons": []}, "argv": ["suites", "--trust-full"]},
        "suites": suites, "items": items,
    }


def planted_regression(results: dict, share: float = 0.10, seed: int = 1) -> dict:
    rng = random.Random(seed)
    changed = copy.deepcopy(results)
    for item in changed["items"]:
        if item["passed"] and rng.random() < share:
            item.update(passed=False, verdict="bad", outcome="missed")
    return changed


def timed(fn, *args, **kwargs):
    started = time.perf_counter()
    value = fn(*args, **kwargs)
    return value, time.perf_counter() - started


STAND_IN_CONFTEST = """
import json, pytest
from trustcheck.report import html_report

RESULTS = json.load(open({results!r}, encoding="utf-8"))
RECORDS = {{r["nodeid"]: r for r in RESULTS["items"]}}

def pytest_addoption(parser):
    html_report.add_options(parser)

def pytest_configure(config):
    html_report.register(config, lambda: RESULTS)

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    if call.when == "call":
        outcome.get_result().user_properties.append(("trustcheck", RECORDS[item.callspec.params["nodeid"]]))
"""

STAND_IN_TESTS = """
import json, pytest
NODEIDS = [r["nodeid"] for r in json.load(open({results!r}, encoding="utf-8"))["items"]]

@pytest.mark.parametrize("nodeid", NODEIDS, ids=range(len(NODEIDS)))
def test_item(nodeid):
    pass
"""


def pytest_session(project: Path, *args: str) -> float:
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:trustcheck", "-p", "no:cacheprovider", *args]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=project, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"pytest session failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return elapsed


def measure_pytest_html(results_path: Path, out: Path) -> list[tuple[str, float, float | None]]:
    project = out / "pytest_html_project"
    project.mkdir(exist_ok=True)
    (project / "conftest.py").write_text(textwrap.dedent(STAND_IN_CONFTEST.format(results=str(results_path))))
    (project / "test_items.py").write_text(textwrap.dedent(STAND_IN_TESTS.format(results=str(results_path))))
    rows = [("pytest session without --html", pytest_session(project), None)]
    for evidence in ("none", "missed", "all"):
        page = out / f"pytest_html_{evidence}.html"
        seconds = pytest_session(project, f"--html={page}", "--self-contained-html",
                                 f"--trust-html-evidence={evidence}")
        rows.append((f"pytest session with --html, evidence={evidence}", seconds, page.stat().st_size / 1e6))
    return rows


def browser_load_seconds(page: Path, out: Path) -> float | None:
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        return None
    command = [str(chromium), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={out / 'chromium-profile'}", "--dump-dom", page.as_uri()]
    started = time.perf_counter()
    subprocess.run(command, capture_output=True, check=True, timeout=600)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=18000)
    parser.add_argument("--out", type=Path, default=None, help="keep the files here (default: a temp dir)")
    parser.add_argument("--no-pytest-html", action="store_true", help="skip the pytest-html sessions")
    args = parser.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="trustcheck-report-size-"))
    out.mkdir(parents=True, exist_ok=True)

    results = synthetic_results(args.items)
    results_path = out / "results.json"
    results_path.write_text(json.dumps(results, indent=1), encoding="utf-8")
    n = len(results["items"])
    missed = sum(not i["passed"] for i in results["items"])
    print(f"synthetic run: {n} items in {len(results['suites'])} suites, {missed} missed; files in {out}")
    print(f"results JSON: {results_path.stat().st_size / 1e6:.1f} MB")
    _, seconds = timed(validate_results, results)
    print(f"schema validation: {seconds:.2f} s")

    sizes = {}
    for evidence in ("missed", "all"):
        page = out / f"standalone_{evidence}.html"
        size, seconds = timed(write_report, results, page, evidence=evidence)
        sizes[evidence] = size
        load = browser_load_seconds(page, out)
        shown = f", chromium load {load:.1f} s" if load is not None else ""
        print(f"standalone report, evidence={evidence}: {size / 1e6:.1f} MB in {seconds:.2f} s{shown}")
    print(f"ratio size(missed only) / size(all evidence): {sizes['missed'] / sizes['all']:.2f}")

    comparison, seconds = timed(compare, results, planted_regression(results))
    print(f"baseline comparison ({len(comparison.metrics)} metrics, {comparison.paired_items} pairs): "
          f"{seconds:.2f} s, {len(comparison.regressions)} regressions, {len(comparison.newly_missed)} newly missed")

    if not args.no_pytest_html:
        rows = measure_pytest_html(results_path, out)
        base = rows[0][1]
        for label, seconds, megabytes in rows:
            size = f", report {megabytes:.1f} MB" if megabytes is not None else ""
            print(f"{label}: {seconds:.1f} s (x{seconds / base:.2f}){size}")
        for evidence in ("none", "missed", "all"):
            load = browser_load_seconds(out / f"pytest_html_{evidence}.html", out)
            if load is not None:
                print(f"pytest-html report, evidence={evidence}: chromium load {load:.1f} s")


if __name__ == "__main__":
    main()
