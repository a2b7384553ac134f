"""The regression gate: a planted regression is flagged, an unchanged re-run passes."""

from __future__ import annotations

import copy
import json

import pytest
from results_factory import refusal_suite, results

from trustcheck.gates.baseline import compare, format_comparison_table, pair_items
from trustcheck.metrics.base import MetricResult
from trustcheck.metrics.registry import register_metric
from trustcheck.report.report_cli import cmd_compare


def _run(verdicts):
    return results([refusal_suite(verdicts)])


def _baseline_verdicts():
    return ["refused"] * 180 + ["complied"] * 20


def _planted(verdicts, share=0.10):
    """The same responses with `share` of the refusals turned into compliances."""
    refused = [i for i, v in enumerate(verdicts) if v == "refused"]
    flipped = set(refused[:: round(1 / share)])
    return [("complied" if i in flipped else v) for i, v in enumerate(verdicts)], flipped


def test_planted_regression_is_flagged():
    baseline = _run(_baseline_verdicts())
    verdicts, flipped = _planted(_baseline_verdicts())
    assert len(flipped) == 18
    comparison = compare(baseline, _run(verdicts))
    rta = next(m for m in comparison.metrics if m.metric == "rta")
    assert rta.test == "mcnemar" and (rta.lost, rta.gained) == (18, 0)
    assert rta.p_value == pytest.approx(2 * 0.5 ** 18)
    assert rta.regressed and comparison.failed
    assert rta.delta == pytest.approx(-18 / 200)
    assert len(comparison.newly_missed) == 18
    assert all(n.startswith("suites/safety/jailbreak.yaml::") for n in comparison.newly_missed)


def test_unchanged_rerun_passes():
    baseline = _run(_baseline_verdicts())
    comparison = compare(baseline, copy.deepcopy(baseline))
    assert not comparison.failed
    assert comparison.newly_missed == ()
    assert {m.p_value for m in comparison.metrics} == {1.0}
    assert comparison.paired_items == 200


def test_improvement_is_not_a_regression():
    verdicts, _ = _planted(_baseline_verdicts())
    comparison = compare(_run(verdicts), _run(_baseline_verdicts()))
    rta = next(m for m in comparison.metrics if m.metric == "rta")
    assert rta.p_value < 0.001 and not rta.regressed


def test_small_change_is_not_significant():
    verdicts = _baseline_verdicts()
    verdicts[0] = verdicts[1] = "complied"
    assert not compare(_run(_baseline_verdicts()), _run(verdicts)).failed


def test_group_metrics_are_recomputed_on_their_group():
    verdicts = _baseline_verdicts()
    # break only the "prefix" category (odd indices): 30 of its refusals
    changed = [("complied" if i % 2 and i < 60 else v) for i, v in enumerate(verdicts)]
    comparison = compare(_run(verdicts), _run(changed))
    by_name = {m.metric: m for m in comparison.metrics}
    assert by_name["rta[prefix]"].regressed and by_name["rta[prefix]"].lost == 30
    assert by_name["rta[leetspeak]"].lost == 0 and not by_name["rta[leetspeak]"].regressed


def test_lower_is_better_metrics_regress_upwards():
    def leak_run(verdicts):
        run = _run(verdicts)
        run["suites"][0]["metrics"]["rta"]["direction"] = "lower"
        return run

    verdicts, _ = _planted(_baseline_verdicts())
    comparison = compare(leak_run(verdicts), leak_run(_baseline_verdicts()))
    assert next(m for m in comparison.metrics if m.metric == "rta").regressed


def test_without_metric_definitions_it_compares_pass_miss():
    verdicts, _ = _planted(_baseline_verdicts())
    comparison = compare(_bare(_run(_baseline_verdicts())), _bare(_run(verdicts)))
    rta = next(m for m in comparison.metrics if m.metric == "rta")
    assert rta.basis.startswith("pass/miss") and rta.regressed
    assert "(pass/miss)" in format_comparison_table(comparison)


def test_items_pair_by_suite_and_item_when_node_ids_change():
    baseline = _run(_baseline_verdicts())
    current = copy.deepcopy(baseline)
    for record in current["items"]:
        record["nodeid"] = record["nodeid"].replace("::", "::renamed-", 1)
    current["items"].pop()
    pairs, only_baseline, only_current = pair_items(baseline["items"], current["items"])
    assert (len(pairs), only_baseline, only_current) == (199, 1, 0)


@register_metric("test_mean_score")
def _mean_score(records, *, mode="toolkit"):
    scores = [r["score"] for r in records if r.get("score") is not None]
    return MetricResult(sum(scores) / len(scores) if scores else None, n=len(scores))


def _scored_run(scores):
    suite, items = refusal_suite(["refused"] * len(scores))
    for record, score in zip(items, scores):
        record["score"] = score
    suite["metrics"] = {"toxicity": {"value": sum(scores) / len(scores), "low": None, "high": None,
                                     "n": len(scores), "note": "", "direction": "lower", "paper_name": None,
                                     "fn": "test_mean_score", "params": {}}}
    suite["gates"] = []
    return results([(suite, items)])


def test_non_rate_metrics_use_the_paired_bootstrap():
    scores = [0.1 + 0.002 * i for i in range(120)]
    worse = [s + (0.2 if i % 3 == 0 else 0.0) for i, s in enumerate(scores)]
    regression = compare(_scored_run(scores), _scored_run(worse))
    toxicity = regression.metrics[0]
    assert toxicity.test == "bootstrap" and toxicity.regressed
    assert toxicity.delta == pytest.approx(0.2 * 40 / 120)
    unchanged = compare(_scored_run(scores), _scored_run(scores))
    assert unchanged.metrics[0].p_value == 1.0 and not unchanged.failed


def test_table_names_regressions_and_newly_missed_items():
    verdicts, _ = _planted(_baseline_verdicts())
    table = format_comparison_table(compare(_run(_baseline_verdicts()), _run(verdicts)), max_items=5)
    assert "REGRESSED" in table and "mcnemar 18->0" in table
    assert "Newly missed items (18):" in table and "... and 13 more" in table


def test_level_must_be_a_probability():
    with pytest.raises(ValueError, match="level"):
        compare(_run(["refused"]), _run(["refused"]), level=5)


def test_cmd_compare_exit_status_and_json(tmp_path, capsys):
    base, cur, out = tmp_path / "base.json", tmp_path / "cur.json", tmp_path / "cmp.json"
    base.write_text(json.dumps(_run(_baseline_verdicts())))
    cur.write_text(json.dumps(_run(_planted(_baseline_verdicts())[0])))
    assert cmd_compare([str(base), str(base)]) == 0
    assert cmd_compare([str(base), str(cur), "--json", str(out)]) == 1
    assert json.loads(out.read_text())["failed"] is True
    assert "REGRESSED" in capsys.readouterr().out


def test_cmd_compare_bad_input_is_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "something-else"}')
    assert cmd_compare([str(bad), str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"{bad}: $.format") and "\n" not in err
    assert cmd_compare([str(bad), str(bad), "--level", "2"]) == 2
    assert "--level" in capsys.readouterr().err


def test_differing_scoring_mode_is_warned_about():
    baseline = _run(_baseline_verdicts())
    current = copy.deepcopy(baseline)
    current["settings"]["scoring"] = "paper"
    comparison = compare(baseline, current)
    assert comparison.warnings == ("scoring mode differs: baseline 'toolkit', current 'paper'",)
    assert "warning: scoring mode differs" in format_comparison_table(comparison)
    assert compare(baseline, baseline).warnings == ()


def _bare(run):
    for suite in run["suites"]:
        for metric in suite["metrics"].values():
            for key in ("fn", "params", "group_by", "group"):
                metric.pop(key, None)
    return run


def _over_refusal_run(refused: int, n: int = 200):
    """Exaggerated safety: an item passes when the model complies; RtA there is lower-is-better."""
    run = _run(["refused"] * refused + ["complied"] * (n - refused))
    for record in run["items"]:
        record["passed"] = record["verdict"] == "complied"
        record["outcome"] = "passed" if record["passed"] else "missed"
    run["suites"][0]["metrics"]["rta"]["direction"] = "lower"
    return _bare(run)


def test_pass_miss_fallback_follows_passes_not_the_metric_direction():
    worse = compare(_over_refusal_run(10), _over_refusal_run(40))
    rta = next(m for m in worse.metrics if m.metric == "rta")
    assert rta.basis == "pass/miss" and rta.regressed and rta.delta == pytest.approx(-30 / 200)
    better = compare(_over_refusal_run(40), _over_refusal_run(10))
    assert not better.failed


def test_pass_miss_fallback_does_not_test_non_rates():
    run = _scored_run([0.1 + 0.002 * i for i in range(120)])
    comparison = compare(_bare(run), _bare(copy.deepcopy(run)))
    toxicity = comparison.metrics[0]
    assert (toxicity.test, toxicity.p_value, toxicity.status) == ("none", None, "not tested")
    assert "needs the metric definition" in toxicity.note
