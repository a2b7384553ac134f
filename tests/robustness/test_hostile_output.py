"""Hostile model output: every response is judged, and no output format is broken by it.

The terminal shows no raw control characters, the HTML report escapes everything, the results
JSON stays strict UTF-8 JSON and the JUnit XML stays well-formed XML.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from xml.etree import ElementTree

from plugin_project import PROJECT_CONFTEST, items_for, suite_yaml

from trustcheck.common.terminal_text import REPLACEMENT_FOR_SURROGATES
from trustcheck.run.report_transport import PACKED_TYPE

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reporting"))
from browser import DomSummary, dump_dom, needs_chromium

MEGABYTE = 1_000_000
HOSTILE = {
    "html": "<script>alert('pwned')</script><img src=x onerror=alert(1)> & </td></tr><!--",
    "ansi": "\x1b[31mred\x1b[0m \x1b]0;window title\x07 \x1b[2J\x1b[H screen cleared",
    "nul": "I'm sorry\x00, but I can't\x00 help",
    "surrogate": "lone \ud800 high and \udfff low surrogates",
    "huge": "I'm sorry, but I can't help with that. " + "A" * MEGABYTE,
    "empty": "",
    "bidi": "safe \u202eelif.exe\u202c \u2066isolate\u2069",
    "xml": "]]> <![CDATA[ &amp; \x0b\x0c\x1f\x7f\x85 end",
    "json": '"}], "verdict": "pass", {"\\',
    "carriage": "visible\rhidden\x08\x08\x08 over",
}
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")

ECHO_CONFTEST = """
from trustcheck.evaluators.base import UNSCORED, PerCaseEvaluator, Verdict
from trustcheck.evaluators.registry import register_evaluator


class Echo(PerCaseEvaluator):
    '''Puts the response verbatim into its reason, as careless evaluators do.'''

    name = "echo"

    def evaluate(self, case):
        if case.prompt.startswith("unscored"):
            return Verdict(UNSCORED, reason=f"cannot score {case.response}")
        return Verdict("complied", reason=f"the model said {case.response}")


register_evaluator("echo", lambda options, context: Echo())
"""


def _expected_text(text: str) -> str:
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _project(project) -> str:
    (project.pytester.path / "conftest.py").write_text(PROJECT_CONFTEST + ECHO_CONFTEST)
    items = [{"prompt": f"p-{name}", "attack": "hostile"} for name in HOSTILE]
    project.suite("refusal.yaml", suite_yaml("refusal", items))
    echo = suite_yaml("echo", items + [{"prompt": f"unscored p-{name}", "attack": "unscored"} for name in HOSTILE], critical=True)
    project.suite("echo.yaml", echo.replace("name: refusal", "name: echo"))
    path = project.pytester.path / "script.json"
    path.write_text(json.dumps({"rules": [[f"p-{name}", text] for name, text in HOSTILE.items()], "default": "?"}))
    return f"scripted:{path}"


class _Page(DomSummary):
    """A page's elements, text and the text inside its script elements."""

    def __init__(self, dom: str) -> None:
        self.script_text: list[str] = []
        self._in_script = False
        super().__init__(dom)

    def handle_starttag(self, tag, attrs):
        super().handle_starttag(tag, attrs)
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        super().handle_endtag(tag)
        self._in_script = False

    def handle_data(self, data):
        super().handle_data(data)
        if self._in_script:
            self.script_text.append(data)


def _injected(page: str) -> list[str]:
    """Markup of the model's that a browser would act on: its tags, handlers or script text."""
    summary = _Page(page)
    found = [f"<{tag} {attrs}>" for tag, attrs in summary.tags if tag == "img" and attrs.get("src") == "x"]
    found += [f"<{tag} {name}={value}>" for tag, attrs in summary.tags for name, value in attrs.items() if name.startswith("on") and "alert(" in (value or "")]
    found += [part for part in summary.script_text if "pwned" in part or "alert(1)" in part]
    return found


def test_hostile_responses_are_judged_and_every_output_stays_intact(project):
    script = _project(project)
    result = project.run(
        "--trust-full", "-rA", "--trust-json", "results.json", "--junitxml", "junit.xml",
        "--html", "report.html", "--self-contained-html", "--model", script,
    )
    root = project.pytester.path

    # Every response got a verdict (or a documented unscored); nothing crashed.
    results = json.loads((root / "results.json").read_bytes().decode("utf-8", errors="strict"))
    items = {item["nodeid"]: item for item in results["items"]}
    assert len(items) == 3 * len(HOSTILE)
    refusal = {item["prompt"][2:]: item for item in items.values() if item["suite"] == "suites/refusal.yaml"}
    assert {name: item["verdict"] for name, item in refusal.items()} == {
        name: "refused" if name in ("nul", "huge") else "complied" for name in HOSTILE
    }
    for name, text in HOSTILE.items():
        assert refusal[name]["response"] == _expected_text(text), name
    assert REPLACEMENT_FOR_SURROGATES in refusal["surrogate"]["response"]

    # The terminal: no raw control characters, escapes visible instead, the megabyte cut short.
    output = result.stdout.str()
    assert "INTERNALERROR" not in output and "Traceback" not in output
    assert not RAW_CONTROL.search(output), RAW_CONTROL.search(output)
    assert "\\x1b[31mred" in output and "\\x00" in output and "\\u202e" in output
    assert len(output) < 100_000
    result.stdout.fnmatch_lines(["*ItemMissed: expected verdict refused, got complied: the model said <script>*"])

    # JUnit XML: well-formed (pytest writes characters XML forbids as visible `#xNN`), and the
    # reasons are all there.
    tree = ElementTree.parse(root / "junit.xml")
    reasons = [p.get("value") for p in tree.iter("property") if p.get("name") == "trustcheck.reason"]
    assert len(reasons) == 3 * len(HOSTILE)
    assert any("the model said <script>alert" in value for value in reasons)
    assert any("the model said #x1B[31mred#x1B[0m" in value for value in reasons)
    assert not any(re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]", value) for value in reasons)

    # HTML: no tag, handler or script of the model's survives; what it wrote is shown as text.
    page = (root / "report.html").read_bytes().decode("utf-8", errors="strict")
    assert _injected(page) == []
    assert "<script>alert('pwned')" not in page and "<img src=x" not in page
    assert "\x1b" not in page and "\x00" not in page


@needs_chromium
def test_the_html_report_shows_hostile_markup_as_text_after_its_scripts_ran(project, tmp_path):
    script = _project(project)
    project.run("--trust-full", "--html", "report.html", "--self-contained-html", "--model", script)

    dom = dump_dom(project.pytester.path / "report.html", tmp_path)

    assert _injected(dom) == []
    assert "the model said <script>alert('pwned')</script><img src=x onerror=alert(1)>" in DomSummary(dom).text


XDIST_HOSTILE = {"surrogate": "lone \ud800 half", "nul": "a\x00b", "ansi": "\x1b[31mred", "text": "ünïcödé ✓", "refusal": "I'm sorry, but I can't help with that."}


def _items(path):
    return sorted((i["nodeid"], i["verdict"], i["response"]) for i in json.loads(path.read_text())["items"])


TYPE_PROBE = """
import pytest

@pytest.hookimpl(wrapper=True)
def pytest_report_from_serializable(config, data):
    with open("report_types.txt", "a") as log:
        log.write(data.get("$report_type", "?") + "\\n")
    return (yield)
"""


def test_hostile_responses_score_the_same_under_two_workers(project):
    conftest = project.pytester.path / "conftest.py"
    conftest.write_text(conftest.read_text() + TYPE_PROBE)
    project.suite("a.yaml", suite_yaml("a", items_for({kind: [f"p-{kind}-{i}" for i in range(3)] for kind in XDIST_HOSTILE})))
    path = project.pytester.path / "script.json"
    path.write_text(json.dumps({"rules": [[f"p-{kind}", text] for kind, text in XDIST_HOSTILE.items()], "default": "?"}))
    script = f"scripted:{path}"
    serial = project.run("--trust-full", "--trust-json", "serial.json", "--model", script, "-n", "0", subprocess=True)
    parallel = project.run("--trust-full", "--trust-json", "parallel.json", "--model", script, "-n", "2", subprocess=True)
    assert serial.ret == parallel.ret
    assert _items(project.pytester.path / "serial.json") == _items(project.pytester.path / "parallel.json")
    assert len(_items(project.pytester.path / "parallel.json")) == 15
    # Every setup, call and teardown report of the 15 items crossed packed.
    types = (project.pytester.path / "report_types.txt").read_text().split()
    assert types.count(PACKED_TYPE) == 45
