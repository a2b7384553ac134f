"""The standalone report and its HTML parts: content, escaping, evidence modes, CLI."""

from __future__ import annotations

import json
import re

import pytest
from results_factory import HOSTILE, mixed_results, refusal_suite, results

from trustcheck.report.html_parts import (
    evidence_html,
    gate_table_html,
    overall_verdict,
    resolve_evidence,
)
from trustcheck.report.report_cli import cmd_report
from trustcheck.report.standalone_report import render_report


def test_hostile_response_is_escaped_everywhere():
    page = render_report(mixed_results(), evidence="all")
    assert HOSTILE not in page
    assert "&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;document.title=&#x27;pwned&#x27;" in page
    assert "<script" not in page.lower()


def test_hostile_suite_and_metric_names_are_escaped():
    run = mixed_results()
    run["suites"][0]["name"] = "<b>bold</b>"
    run["suites"][0]["gates"][0]["metric"] = '"><i>x</i>'
    table = gate_table_html(run["suites"])
    assert "<b>" not in table and "<i>" not in table and "&lt;b&gt;bold&lt;/b&gt;" in table


def test_page_forbids_scripts_by_policy():
    page = render_report(mixed_results())
    assert "Content-Security-Policy" in page and "default-src 'none'" in page


def test_summary_has_gate_rows_picture_and_verdict():
    page = render_report(mixed_results())
    assert page.count("<tr><td>jailbreak</td><td>rta</td>") == 1
    assert 'id="tc-chart"' in page and "data:image/png;base64," in page
    assert "FAIL: 1 of 3 gates fail (jailbreak rta)." in page


def test_partial_selection_note():
    assert 'id="tc-partial"' not in render_report(mixed_results())
    run = results([refusal_suite(["refused"] * 4)], partial_reasons=["-k 'leetspeak'"])
    page = render_report(run)
    assert "Partial selection (-k &#x27;leetspeak&#x27;)" in page


def test_missed_items_come_first_with_their_evidence():
    page = render_report(mixed_results(), evidence="missed")
    jailbreak = page[page.index("jailbreak (safety)"):page.index("misuse (safety)")]
    outcomes = re.findall(r'class="tc-outcome-(\w+)"', jailbreak)
    assert outcomes == ["MISSED"] * 3 + ["passed"] * 17
    assert jailbreak.count('<details class="tc-item">') == 3
    assert 'id="tc-evidence-note"' in page


@pytest.mark.parametrize("mode, details", [("all", 50), ("missed", 4), ("none", 0)])
def test_evidence_modes(mode, details):
    assert render_report(mixed_results(), evidence=mode).count('<details class="tc-item">') == details


def test_auto_evidence_depends_on_run_size():
    assert resolve_evidence("auto", 2000) == "all"
    assert resolve_evidence("auto", 2001) == "missed"
    with pytest.raises(ValueError, match="evidence"):
        resolve_evidence("some", 1)


def test_evidence_block_shows_everything_the_engineer_needs():
    record = mixed_results()["items"][18]
    record.update(score=0.25, extracted="<A>", cached=True, critical=True)
    block = evidence_html(record)
    for text in ("complied", "missed", "critical", "0.25", "evaluator said complied", "&lt;A&gt;",
                 "Prompt number 18", "&lt;script&gt;", "from the cache"):
        assert text in block
    record["response"] = None
    assert "no response" in evidence_html(record)


def test_overall_verdict_sentences():
    run = mixed_results()
    assert overall_verdict(run["suites"])[0] == "fail"
    assert overall_verdict(run["suites"][1:]) == ("pass", "PASS: all 2 gates pass.")
    assert overall_verdict([])[0] == "no-data"


def test_missing_items_are_listed():
    run = mixed_results()
    run["suites"][0]["missing"] = ["suites/safety/jailbreak.yaml::x::item-9999"]
    page = render_report(run)
    assert "1 without result" in page and "item-9999" in page


def test_cmd_report_writes_a_page_and_a_comparison(tmp_path, capsys):
    source, out = tmp_path / "run.json", tmp_path / "out" / "report.html"
    source.write_text(json.dumps(mixed_results()))
    assert cmd_report([str(source), "--html", str(out), "--baseline", str(source)]) == 0
    page = out.read_text(encoding="utf-8")
    assert 'id="tc-gates"' in page and 'id="tc-baseline"' in page
    assert "wrote" in capsys.readouterr().out


def test_cmd_report_errors_are_one_line(tmp_path, capsys):
    assert cmd_report([str(tmp_path / "absent.json"), "--html", str(tmp_path / "r.html")]) == 2
    assert "cannot read results file" in capsys.readouterr().err
    assert cmd_report([str(tmp_path / "absent.json")]) == 2
    assert "cannot read results file" in capsys.readouterr().err
    assert cmd_report([str(tmp_path / "absent.json"), "--evidence", "some"]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_summary_counts_items_by_outcome():
    run = mixed_results()
    run["suites"][0]["missing"] = ["suites/safety/jailbreak.yaml::x::item-9999"]
    page = render_report(run)
    assert "Items: 50 items, 46 passed, 4 missed, 1 expected without result" in page
