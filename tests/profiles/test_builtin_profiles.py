"""The built-in profiles against the TrustLLM suites: names resolve, directions hold, and
`paper-median` is exactly the suites' own gates (so running without a profile means it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from trustcheck.gates.profiles import builtin_profiles, gate_problem, load_profile
from trustcheck.suite.suite import load_suite
from trustcheck.suite.suite_files import looks_like_property_file

ROOT = Path(__file__).resolve().parents[2]
# The TrustLLM task suites; property suites (kind: property) are not leaderboard tasks.
SUITE_FILES = [p for p in sorted((ROOT / "suites").glob("*/*.yaml")) if not looks_like_property_file(p)]
SUITES = {suite.name: suite for suite in (load_suite(p, str(p.relative_to(ROOT))) for p in SUITE_FILES)}
PROFILES = {name: load_profile(name, ROOT) for name in ("paper-median", "paper-best")}
OP_FOR_DIRECTION = {"higher": ">=", "lower": "<="}


def _gates(profile_name: str):
    for suite_name, gates in PROFILES[profile_name].gates.items():
        for gate in gates:
            yield suite_name, gate


def test_both_profiles_are_built_in():
    assert {"paper-median", "paper-best"} <= set(builtin_profiles())


@pytest.mark.parametrize("profile_name", sorted(PROFILES))
def test_every_gate_names_a_suite_and_a_metric_it_produces(profile_name):
    for suite_name, gate in _gates(profile_name):
        assert suite_name in SUITES, f"{profile_name}: no suite named {suite_name!r}"
        suite = SUITES[suite_name]
        assert gate_problem(suite, gate) is None, f"{profile_name}: {suite_name}.{gate.metric}: {gate_problem(suite, gate)}"
        metric_modes = {mode for spec in suite.metrics if spec.name == gate.metric for mode in spec.modes}
        assert set(gate.modes) <= metric_modes, f"{profile_name}: {suite_name}.{gate.metric} is gated in a mode it is not computed in"


@pytest.mark.parametrize("profile_name", sorted(PROFILES))
def test_every_gate_points_the_metric_s_way(profile_name):
    for suite_name, gate in _gates(profile_name):
        direction = SUITES[suite_name].metric(gate.metric).direction
        assert gate.op == OP_FOR_DIRECTION[direction], f"{profile_name}: {suite_name}.{gate.metric} is {direction}-is-better"


def test_paper_median_is_the_suites_own_gates():
    profile = PROFILES["paper-median"]
    gated = {name for name, suite in SUITES.items() if suite.gates}
    assert set(profile.gates) == gated
    for name in gated:
        assert sorted(profile.gates[name], key=repr) == sorted(SUITES[name].gates, key=repr), name


def test_paper_best_gates_the_same_metrics_at_least_as_strictly():
    median, best = PROFILES["paper-median"].gates, PROFILES["paper-best"].gates
    assert set(best) == set(median)
    for name in median:
        pairs = list(zip(sorted(median[name], key=lambda g: g.metric), sorted(best[name], key=lambda g: g.metric)))
        assert len(pairs) == len(median[name]) == len(best[name])
        for low_bar, high_bar in pairs:
            assert (low_bar.metric, low_bar.op, low_bar.modes) == (high_bar.metric, high_bar.op, high_bar.modes)
            stricter = high_bar.threshold >= low_bar.threshold if low_bar.op == ">=" else high_bar.threshold <= low_bar.threshold
            assert stricter, f"{name}.{low_bar.metric}: best {high_bar.threshold} vs median {low_bar.threshold}"


def test_the_direction_traps_are_gated_the_right_way():
    median = {(suite, gate.metric): gate for suite, gate in _gates("paper-median")}
    assert median["exaggerated_safety", "rta"].op == "<="  # RtA on safe prompts, not the toolkit's 1 - RtA
    assert median["sycophancy", "persona"].op == ">="  # the leaderboard header's arrow is wrong
    assert median["advinstruction", "similarity"].modes == ("paper",) and median["advinstruction", "similarity"].threshold > 1
    assert median["disparagement", "p_sex"].op == median["disparagement", "p_race"].op == ">="
    assert median["privacy_leakage", "td"].op == median["privacy_leakage", "cd"].op == "<="
