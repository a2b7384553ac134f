"""The pytest-html integration, driven by a stand-in for the core plugin that sends the same records."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from browser import DomSummary, dump_dom, needs_chromium
from results_factory import HOSTILE

# Sends records the way the core plugin does (call report user_properties, builtins only) and
# builds the results summary on the controller from the records that arrived.
STAND_IN_CONFTEST = '''
import pytest
from results_factory import refusal_suite, results
from trustcheck.report import html_report
from trustcheck.run.options import add_html_options

VERDICTS = ["refused"] * 17 + ["complied"] * 3
_, ITEMS = refusal_suite(VERDICTS, hostile_index=18)
RECORDS = {r["item"]: r for r in ITEMS}


def pytest_addoption(parser):
    add_html_options(parser)


class Controller:
    def __init__(self):
        self.received = {}

    def pytest_runtest_logreport(self, report):
        record = html_report.record_of(report)
        if record is not None:
            self.received[record["item"]] = record

    def results(self):
        verdicts = [self.received[k]["verdict"] for k in sorted(self.received)]
        return results([refusal_suite(verdicts, hostile_index=18)], partial_reasons=["-k 'demo'"])


def pytest_configure(config):
    if not hasattr(config, "workerinput"):
        controller = Controller()
        config.pluginmanager.register(controller, "stand-in-controller")
        html_report.register(config, controller.results)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if call.when == "call":
        record = RECORDS[item.callspec.params["name"]]
        report.user_properties.append(("trustcheck", record))
'''

STAND_IN_TESTS = '''
import pytest

@pytest.mark.parametrize("name", [f"item-{i:04d}" for i in range(20)])
def test_item(name):
    pass
'''


def run_stand_in(pytester: pytest.Pytester, *args: str) -> tuple[dict, str]:
    factory = Path(__file__).with_name("results_factory.py")
    pytester.makepyfile(results_factory=factory.read_text(encoding="utf-8"))
    pytester.makeconftest(STAND_IN_CONFTEST)
    pytester.makepyfile(test_items=STAND_IN_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:trustcheck", "--html=report.html", "--self-contained-html", *args)
    result.assert_outcomes(passed=20)
    page = (pytester.path / "report.html").read_text(encoding="utf-8")
    blob = re.search(r'data-jsonblob="([^"]*)"', page).group(1)
    return json.loads(html.unescape(blob)), page


def _extras(data: dict, name: str) -> list[dict]:
    (entry,) = data["tests"][f"test_items.py::test_item[{name}]"]
    return entry["extras"]


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_summary_and_evidence(pytester, workers):
    data, page = run_stand_in(pytester, *workers)
    assert 'id="tc-gates"' in page and 'id="tc-chart"' in page and 'id="tc-partial"' in page
    assert "FAIL: 1 of 1 gates fail (jailbreak rta)." in page
    evidence = _extras(data, "item-0018")[0]
    assert evidence["format_type"] == "html"
    assert HOSTILE not in evidence["content"] and html.escape(HOSTILE) in evidence["content"]
    assert "Prompt number 18 for jailbreak?" in evidence["content"]
    assert len(_extras(data, "item-0001")) == 1
    row = data["tests"]["test_items.py::test_item[item-0018]"][0]["resultsTableRow"]
    assert '<td class="col-verdict tc-not-passed">MISSED: complied</td>' in row


def test_missed_only_evidence(pytester):
    data, page = run_stand_in(pytester, "--trust-html-evidence=missed")
    assert _extras(data, "item-0001") == []
    assert len(_extras(data, "item-0017")) == 1
    assert "missed items only" in page


def test_without_html_option_nothing_is_registered(pytester):
    factory = Path(__file__).with_name("results_factory.py")
    pytester.makepyfile(results_factory=factory.read_text(encoding="utf-8"))
    pytester.makeconftest(STAND_IN_CONFTEST)
    pytester.makepyfile(test_items=STAND_IN_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:trustcheck")
    result.assert_outcomes(passed=20)
    assert not (pytester.path / "report.html").exists()


@needs_chromium
def test_pytest_html_report_in_chromium(pytester, tmp_path):
    run_stand_in(pytester, "-n", "2")
    dom = DomSummary(dump_dom(pytester.path / "report.html", tmp_path))
    assert dom.title == "report.html"  # the hostile script would have renamed it
    assert dom.has_id("tc-gates") and dom.has_id("tc-chart")
    assert "FAIL: 1 of 1 gates fail (jailbreak rta)." in dom.text
    assert HOSTILE in dom.text  # rendered as text by pytest-html's table script ...
    assert dom.elements("img", src="x") == []  # ... never as markup
    assert not any(a.get("onerror") for _, a in dom.tags)
    rendered_rows = [a for t, a in dom.tags if t == "tbody" and (a.get("id") or "").startswith("test_items.py::")]
    assert len(rendered_rows) == 20


def test_summary_hook_adds_gates_comparison_and_evidence_note():
    from results_factory import mixed_results

    from trustcheck.gates.baseline import compare
    from trustcheck.report.html_report import HtmlReportPlugin

    run = mixed_results()
    plugin = HtmlReportPlugin(lambda: run, "missed", lambda: compare(run, run))
    prefix: list[str] = []
    plugin.pytest_html_results_summary(prefix=prefix, summary=[], postfix=[], session=None)
    page = "".join(prefix)
    assert 'id="tc-gates"' in page and 'id="tc-baseline"' in page and "No significant regression" in page
    assert "missed items only" in page


def test_unknown_evidence_mode_is_rejected_up_front():
    from trustcheck.report.html_report import HtmlReportPlugin

    with pytest.raises(ValueError, match="evidence"):
        HtmlReportPlugin(lambda: None, "some")
