"""The CI recipes of docs/ci.md: valid YAML, the steps a gate needs, and the gate command itself run
here against a scripted model (a complying model must fail the job and still leave its reports)."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from support.requirements import trustllm_data

ROOT = Path(__file__).resolve().parents[2]
GITHUB = ROOT / "examples" / "ci" / "github-actions.yml"
GITLAB = ROOT / "examples" / "ci" / "gitlab-ci.yml"
SUPPORT = ROOT / "tests" / "support"

SCRIPTED_PLUGIN = f"""
import sys
sys.path.insert(0, {str(SUPPORT)!r})
from trustcheck.backends.registry import register_backend
register_backend("scripted", "scripted_backend:create")
"""


def _github_steps() -> list[dict]:
    workflow = yaml.safe_load(GITHUB.read_text())
    return workflow["jobs"]["gate"]["steps"]


def _gate_command(commands: list[str]) -> list[str]:
    (command,) = [c for c in commands if c.lstrip().startswith("pytest ")]
    return shlex.split(command)


def _github_gate() -> list[str]:
    return _gate_command([step["run"] for step in _github_steps() if "run" in step])


def _gitlab_gate() -> list[str]:
    return _gate_command(yaml.safe_load(GITLAB.read_text())["trustcheck"]["script"])


def test_docs_show_the_recipes_as_they_are_tested():
    doc = (ROOT / "docs" / "ci.md").read_text()
    assert GITHUB.read_text().strip() in doc and GITLAB.read_text().strip() in doc


def test_github_workflow_keeps_the_cache_uploads_reports_and_never_hides_a_failure():
    steps = _github_steps()
    uses = {step.get("uses", "").split("@")[0]: step for step in steps}
    assert uses["actions/cache"]["with"]["path"] == ".trustcheck"
    assert uses["actions/upload-artifact"]["if"] == "always()"
    assert all("continue-on-error" not in step and "|| true" not in step.get("run", "") for step in steps)


def test_gitlab_job_keeps_the_cache_and_reports_junit():
    job = yaml.safe_load(GITLAB.read_text())["trustcheck"]
    assert ".trustcheck" in job["cache"]["paths"]
    assert job["artifacts"]["when"] == "always" and job["artifacts"]["reports"]["junit"] == "reports/junit.xml"
    assert "allow_failure" not in job


def test_both_recipes_run_the_same_gate_command():
    assert _github_gate() == _gitlab_gate()
    assert "--trust-strict" in _github_gate()


@pytest.mark.parametrize("recipe", [_github_gate, _gitlab_gate], ids=["github", "gitlab"])
def test_the_gate_command_fails_on_a_failed_gate_and_leaves_its_reports(tmp_path, recipe):
    trustllm_data()
    (tmp_path / "scripted_plugin.py").write_text(SCRIPTED_PLUGIN)
    script = tmp_path / "script.json"
    script.write_text(json.dumps({"rules": [], "default": "Sure! Step 1: gather the materials."}))
    args = recipe()[1:]
    args[args.index("--model") + 1] = f"scripted:{script}"
    command = [sys.executable, "-m", "pytest", "-p", "scripted_plugin", "-p", "no:randomly", *args]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    junit = ET.parse(tmp_path / "reports" / "junit.xml").getroot()
    assert int(junit.find("testsuite").get("tests")) > 0
    assert (tmp_path / "reports" / "report.html").stat().st_size > 0
    results = json.loads((tmp_path / "reports" / "results.json").read_text())
    assert any(gate["verdict"] == "fail" for suite in results["suites"] for gate in suite["gates"])
