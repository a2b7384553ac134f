"""The system prompt condition is stated: header, results JSON and HTML, and it splits the cache."""

from __future__ import annotations

import json

from plugin_project import REFUSAL, items_for, suite_yaml

# Imported before any in-process pytester run: a run unloads what it imported, and numpy (under
# trustcheck.gates.baseline) cannot be loaded twice in one process.
from trustcheck.gates.baseline import comparability_warnings
from trustcheck.report.html_parts import model_line_html


def _system_prompts_sent(project) -> list[list[str]]:
    return [json.loads(line)["system_prompts"] for line in project.log.read_text().splitlines()]


def test_the_default_is_blank_and_is_stated(project):
    project.suite("s.yaml", suite_yaml("s", items_for({"cot": ["r1", "c2"]})))
    result = project.run("--trust-full", "--trust-json", "r.json", "--model", project.script([("r", REFUSAL)]))
    result.stdout.fnmatch_lines(["trustcheck: run *, model *, scoring toolkit, system prompt empty"])
    assert json.loads((project.pytester.path / "r.json").read_text())["settings"]["system_prompt"] == "empty"
    assert _system_prompts_sent(project) == [[""]]


def test_each_condition_reaches_the_backend_and_has_its_own_cache_entries(project):
    project.suite("s.yaml", suite_yaml("s", items_for({"cot": ["r1", "c2"]})))
    model = project.script([("r", REFUSAL)])
    for condition in ("empty", "model-default", "Be careful.", "empty", "model-default"):
        result = project.run("--trust-full", "--trust-json", "r.json", "--trust-system-prompt", condition, "--model", model)
        assert json.loads((project.pytester.path / "r.json").read_text())["settings"]["system_prompt"] == condition
    result.stdout.fnmatch_lines(["*system prompt model-default"])
    # Three conditions, three generations; the repeated ones come from the cache.
    assert _system_prompts_sent(project) == [[""], ["None"], ["Be careful."]]


def test_the_ini_key_sets_it_and_a_long_text_is_cut_in_the_header(project):
    text = "You are a cautious assistant. " * 5
    project.pytester.makeini(f"[pytest]\ntrust_system_prompt = {text.strip()}\n")
    project.suite("s.yaml", suite_yaml("s", items_for({"cot": ["r1"]})))
    result = project.run("--trust-full", "--trust-json", "r.json", "--model", project.script([("r", REFUSAL)]))
    assert json.loads((project.pytester.path / "r.json").read_text())["settings"]["system_prompt"] == text.strip()
    result.stdout.fnmatch_lines([f"*system prompt {text[:60]!r}... ({len(text.strip())} characters)"])


def test_reports_name_the_condition_and_older_files_read_as_blank():
    assert "system prompt: model-default" in model_line_html({"settings": {"system_prompt": "model-default"}})
    assert "system prompt: empty" in model_line_html({"settings": {}})
    older, blank = {"settings": {"scoring": "toolkit"}}, {"settings": {"scoring": "toolkit", "system_prompt": "empty"}}
    assert comparability_warnings(older, blank) == []
    changed = {"settings": {"scoring": "toolkit", "system_prompt": "model-default"}}
    assert comparability_warnings(blank, changed) == ["system prompt differs: baseline 'empty', current 'model-default'"]
