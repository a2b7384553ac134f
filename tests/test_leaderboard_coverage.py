"""Every column of the TrustLLM leaderboard maps to a suite metric, and a run's results carry it.

LEADERBOARD is the one table of which suite metric stands for which published column (six
tables, 31 columns). The last test records a sample of every suite with the synthetic model
(benchmarks/synthetic_responses.py), replays it, and checks the replay's results file (about
30 s: marked slow); the whole benchmark is checked the same way by benchmarks/full_replay.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from support.requirements import trustllm_data

from trustcheck.gates.profiles import load_profile
from trustcheck.suite.suite import load_suite
from trustcheck.suite.suite_files import looks_like_property_file

ROOT = Path(__file__).resolve().parents[1]
DIMENSIONS = ("ethics", "fairness", "privacy", "robustness", "safety", "truthfulness")

# (dimension, leaderboard column) -> (suite name, metric name)
LEADERBOARD: dict[tuple[str, str], tuple[str, str]] = {
    ("privacy", "Privacy Awareness Normal"): ("privacy_awareness_query", "rta_normal"),
    ("privacy", "Privacy Awareness Aug"): ("privacy_awareness_query", "rta_aug"),
    ("privacy", "Privacy Leakage RtA"): ("privacy_leakage", "rta"),
    ("privacy", "Privacy Leakage TD"): ("privacy_leakage", "td"),
    ("privacy", "Privacy Leakage CD"): ("privacy_leakage", "cd"),
    ("privacy", "Privacy Awareness Correlation"): ("privacy_confaide", "correlation"),
    ("ethics", "Social Chemistry 101 Acc"): ("social_norm", "accuracy"),
    ("ethics", "ETHICS Acc"): ("implicit_ethics", "accuracy"),
    ("ethics", "MoralChoice Acc"): ("moralchoice", "accuracy_low"),
    ("ethics", "MoralChoice RtA"): ("moralchoice", "rta_high"),
    ("ethics", "Emotional Acc"): ("emotional_awareness", "accuracy"),
    ("truthfulness", "Internal"): ("internal", "accuracy"),
    ("truthfulness", "External"): ("external", "macro_f1"),
    ("truthfulness", "Hallucination"): ("hallucination", "accuracy"),
    ("truthfulness", "Persona Sycophancy"): ("sycophancy", "persona"),
    ("truthfulness", "Preference Sycophancy"): ("sycophancy", "preference"),
    ("truthfulness", "Adv Factuality"): ("advfact", "corrected_rate"),
    ("fairness", "Stereotype Recognition"): ("stereotype_recognition", "accuracy"),
    ("fairness", "Overall Agreement Rate"): ("stereotype_agreement", "agreement_rate"),
    ("fairness", "Stereotype Query Test"): ("stereotype_query", "rta"),
    ("fairness", "Disparagement Sex"): ("disparagement", "p_sex"),
    ("fairness", "Disparagement Race"): ("disparagement", "p_race"),
    ("fairness", "Prefereence RtA"): ("preference", "rta"),
    ("safety", "Jailbreak"): ("jailbreak", "rta"),
    ("safety", "Toxicity"): ("jailbreak", "toxicity"),
    ("safety", "Misuse"): ("misuse", "rta"),
    ("safety", "Exaggerated Safety"): ("exaggerated_safety", "rta"),
    ("robustness", "AdvGlue RS"): ("advglue", "rs"),
    ("robustness", "AdvInstruction"): ("advinstruction", "similarity"),
    ("robustness", "OOD detection"): ("ood_detection", "rta"),
    ("robustness", "OOD generalization"): ("ood_generalization", "f1"),
}

SUITES = {
    suite.name: suite
    for suite in (load_suite(p, str(p.relative_to(ROOT))) for p in sorted((ROOT / "suites").glob("*/*.yaml")) if not looks_like_property_file(p))
}


def test_the_table_has_every_column_of_the_six_leaderboard_tables():
    per_dimension = Counter(dimension for dimension, _ in LEADERBOARD)
    assert per_dimension == {"privacy": 6, "ethics": 5, "truthfulness": 6, "fairness": 6, "safety": 4, "robustness": 4}
    assert len(set(LEADERBOARD.values())) == len(LEADERBOARD)


@pytest.mark.parametrize(("column", "target"), LEADERBOARD.items(), ids=[f"{d}/{c}" for d, c in LEADERBOARD])
def test_each_column_is_a_metric_of_a_suite_of_its_dimension(column, target):
    dimension, _ = column
    suite_name, metric_name = target
    suite = SUITES[suite_name]
    assert suite.dimension == dimension
    metric = suite.metric(metric_name)
    assert metric is not None and metric.name == metric_name
    assert metric.paper_name, "the results file names the leaderboard column through paper_name"


def test_both_gate_profiles_gate_every_column():
    for name in ("paper-median", "paper-best"):
        gates = load_profile(name, ROOT).gates
        gated = {(suite, gate.metric) for suite, suite_gates in gates.items() for gate in suite_gates}
        assert set(LEADERBOARD.values()) <= gated, name


def _pytest(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "benchmarks"), os.environ.get("PYTHONPATH")]))}
    command = [sys.executable, "-m", "pytest", *args, "-p", "synthetic_responses", "-p", "no:cacheprovider", "-q", "--rootdir", str(ROOT)]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)


def _results(path: Path) -> tuple[dict, dict]:
    results = json.loads(path.read_text())
    metrics = {(suite["name"], name): metric for suite in results["suites"] for name, metric in suite["metrics"].items()}
    return metrics, {item["nodeid"]: item["response"] for item in results["items"]}


@pytest.mark.slow
def test_a_replayed_sample_carries_every_leaderboard_metric(tmp_path):
    """Recorded and scored as the toolkit does, replayed and scored as the paper does: the
    leaderboard's own numbers are paper-mode ones (toolkit mode's AdvInstruction pairs
    instructions 2k and 2k+1, which a sample seldom holds both of)."""
    trustllm_data()
    paths = [str(ROOT / "suites" / d) for d in DIMENSIONS]
    common = [*paths, "--trust-sample", "8", "--trust-judge", "synthetic:3", "--trust-no-cache"]
    recorded = _pytest([*common, "--model", "synthetic:3", "--trust-record", str(tmp_path / "rec"), "--trust-json", str(tmp_path / "toolkit.json")], tmp_path)
    assert recorded.returncode in (0, 1), recorded.stdout[-3000:] + recorded.stderr[-3000:]
    replay = [*common, "--model", f"replay:{tmp_path / 'rec'}", "--trust-scoring", "paper", "--trust-json", str(tmp_path / "paper.json")]
    replayed = _pytest(replay, tmp_path)
    assert replayed.returncode in (0, 1), replayed.stdout[-3000:] + replayed.stderr[-3000:]
    toolkit_metrics, recorded_responses = _results(tmp_path / "toolkit.json")
    paper_metrics, replayed_responses = _results(tmp_path / "paper.json")
    assert replayed_responses == recorded_responses and None not in replayed_responses.values()
    for column, key in LEADERBOARD.items():
        assert key in toolkit_metrics, f"{column}: {key} is not in the toolkit-mode results"
        assert key in paper_metrics, f"{column}: {key} is not in the paper-mode results"
        assert paper_metrics[key]["value"] is not None, f"{column}: {key} has no value ({paper_metrics[key]['note']})"
        assert paper_metrics[key]["paper_name"], column
