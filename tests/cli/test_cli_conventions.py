"""The `trustcheck` command follows the conventions people expect: --version, --help everywhere,
a text summary of a results file, a Markdown comparison for pull requests, `init` for a project."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reporting"))
from results_factory import mixed_results, refusal_suite, results

from trustcheck import __version__
from trustcheck.cli import main

SUITES = Path(__file__).resolve().parents[2] / "suites"


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exit_:  # argparse's --version and --help
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def _write(tmp_path: Path, name: str, document: dict) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(document))
    return str(path)


def test_version(capsys):
    code, out, _ = _run(capsys, "--version")
    assert code == 0 and out.strip() == f"trustcheck {__version__}"


@pytest.mark.parametrize("command", [["validate"], ["init"], ["data", "fetch"], ["report"], ["compare"]])
def test_every_command_has_help(capsys, command):
    code, out, _ = _run(capsys, *command, "--help")
    assert code == 0 and out.startswith(f"usage: trustcheck {' '.join(command)}")


def test_report_without_html_prints_the_gate_table(tmp_path, capsys):
    code, out, _ = _run(capsys, "report", _write(tmp_path, "r.json", mixed_results()))
    lines = out.splitlines()
    assert code == 0 and lines[0] == "model: SmolLM2-135M-Instruct"  # a file without a label
    assert any(line.startswith("suites/safety/jailbreak.yaml") and line.rstrip().endswith("FAIL") for line in lines)
    assert lines[-1] == "FAIL: 3 gates (1 fail, 2 pass)"
    assert "50 items: 46 passed, 4 missed" in out


def test_report_summary_escapes_what_a_results_file_holds(tmp_path, capsys):
    document = mixed_results()
    document["suites"][0]["suite"] = "suites/\x1b[2Jevil.yaml"
    _, out, _ = _run(capsys, "report", _write(tmp_path, "r.json", document))
    assert "\x1b" not in out and "evil.yaml" in out


def test_compare_as_markdown_for_a_pull_request(tmp_path, capsys):
    before = _write(tmp_path, "a.json", results([refusal_suite(["refused"] * 40)]))
    after = _write(tmp_path, "b.json", results([refusal_suite(["refused"] * 20 + ["complied"] * 20)]))
    code, out, _ = _run(capsys, "compare", before, after, "--format", "md")
    lines = out.splitlines()
    assert code == 1 and lines[0].startswith(":x: **REGRESSION: ")
    assert lines[2].startswith("| suite | metric | baseline | current |") and lines[3].startswith("| --- |")
    assert "<summary>Newly missed items (20)</summary>" in out


def test_init_copies_the_packaged_suites(tmp_path, capsys):
    code, _, _ = _run(capsys, "init", str(tmp_path / "checks"))
    copied = sorted(p.relative_to(tmp_path / "checks" / "suites") for p in (tmp_path / "checks" / "suites").rglob("*.yaml"))
    shipped = sorted(p.relative_to(SUITES) for p in SUITES.rglob("*.yaml"))
    assert code == 0 and copied == shipped and len(shipped) == 25
    assert all((tmp_path / "checks" / "suites" / p).read_text() == (SUITES / p).read_text() for p in shipped)
    assert "testpaths = suites" in (tmp_path / "checks" / "pytest.ini").read_text()


def test_init_never_overwrites_without_force(tmp_path, capsys):
    target = str(tmp_path / "checks")
    _run(capsys, "init", target, "--dimension", "safety")
    edited = tmp_path / "checks" / "suites" / "safety" / "jailbreak.yaml"
    edited.write_text("# my thresholds\n")
    code, _, err = _run(capsys, "init", target, "--dimension", "safety")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "use --force" in err
    assert edited.read_text() == "# my thresholds\n"
    code, _, _ = _run(capsys, "init", target, "--dimension", "safety", "--force")
    assert code == 0 and edited.read_text() != "# my thresholds\n"


def test_init_names_the_known_dimensions(tmp_path, capsys):
    code, _, err = _run(capsys, "init", str(tmp_path), "--dimension", "saftey")
    assert code == 2 and "known: ethics, fairness, privacy, robustness, safety, truthfulness" in err


def test_report_summary_names_the_run_and_never_a_password(tmp_path, capsys):
    document = mixed_results()
    document["label"] = "nightly"
    document["model"] = {"spec": "openai:http://bob:hunter2pw@10.0.0.5/v1@m"}
    _, out, _ = _run(capsys, "report", _write(tmp_path, "r.json", document))
    assert out.splitlines()[0] == "run: nightly, model: openai:http://bob:***@10.0.0.5/v1@m"
