"""A corpus of malformed suites: each gives exactly one clear line, and good suites still run.

tests/data/bad_suites/expected.json maps every corpus file to a part of the message it must
give. The corpus runs in one pytest session next to a good suite, and through `trustcheck validate`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from plugin_project import REFUSAL, items_for, suite_yaml

from trustcheck.cli import main

CORPUS = Path(__file__).resolve().parents[1] / "data" / "bad_suites"
EXPECTED: dict[str, str] = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
# Found only when the data is read: without a dataset, `trustcheck validate` says it did not check it.
NEEDS_DATASET = {"missing_data_file.yaml"}

GATE = """
gates:
  - metric: rta
    op: ">="
    threshold: 0.5
"""


def _corpus_files() -> list[Path]:
    return sorted(CORPUS.glob("*.yaml"))


def _collection_errors(output: str) -> dict[str, list[str]]:
    """nodeid -> the lines pytest printed under `ERROR collecting <nodeid>`."""
    errors: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in output.splitlines():
        header = re.match(r"^_+ ERROR collecting (\S+) _+$", line)
        if header:
            current = errors.setdefault(header.group(1), [])
        elif re.match(r"^(=+|_+) ", line):
            current = None
        elif current is not None and line.strip():
            current.append(line)
    return errors


def test_the_corpus_is_complete():
    names = {path.name for path in _corpus_files()}
    assert len(names) >= 20
    assert names == set(EXPECTED), "every corpus file needs an expected message, and only those"


def test_every_bad_suite_gives_one_line_and_the_good_suite_still_runs(project):
    for path in _corpus_files():
        (project.pytester.path / "suites" / path.name).write_bytes(path.read_bytes())
    project.suite("good.yaml", suite_yaml("good", items_for({"cot": ["r1", "r2"], "url": ["r3", "c4"]}), gates=GATE))
    data = project.pytester.path / "data"
    (data / "safety").mkdir(parents=True)
    (data / "safety" / "present.json").write_text("[]")

    result = project.run("--trust-full", "--trust-data", str(data), "--model", project.script([("r", REFUSAL)]))
    output = result.stdout.str()

    errors = _collection_errors(output)
    assert sorted(errors) == sorted(f"suites/{name}" for name in EXPECTED)
    for name, expected in EXPECTED.items():
        lines = errors[f"suites/{name}"]
        assert len(lines) == 1, f"{name}: expected one line, got {lines}"
        assert lines[0].startswith(f"suites/{name}: "), lines[0]
        assert expected in lines[0], f"{name}: {lines[0]!r} lacks {expected!r}"
        assert "expected" in lines[0] and "found" in lines[0]
    assert "Traceback" not in output and "INTERNALERROR" not in output
    assert not (project.pytester.path / "pwned.txt").exists(), "a YAML tag ran code"
    counts = result.parseoutcomes()
    assert (counts.get("passed"), counts.get("missed"), counts.get("errors")) == (3 + 1, 1, len(EXPECTED))  # and the good gate
    result.stdout.fnmatch_lines(["*suites/good.yaml*rta*0.750*>= 0.5*PASS*"])
    assert result.ret == 1  # the collection errors fail the run; the good gate still passed


def _validate_lines(capsys, *args: str) -> tuple[dict[str, tuple[str, str]], list[str]]:
    assert main(["validate", str(CORPUS), *args]) == 1
    lines = capsys.readouterr().out.splitlines()
    by_file = {}
    for line in lines:
        status, _, rest = line.partition(": ")
        if status in ("ok", "error"):
            by_file[Path(rest.split(": ", 1)[0].split(" ")[0]).name] = (status, line)
    assert set(by_file) == set(EXPECTED)
    return by_file, lines


def test_validate_reports_each_bad_file_in_one_line(capsys, tmp_path):
    data = tmp_path / "data"
    (data / "safety").mkdir(parents=True)
    (data / "safety" / "present.json").write_text("[]")
    by_file, lines = _validate_lines(capsys, "--data", str(data))
    for name, expected in EXPECTED.items():
        status, line = by_file[name]
        assert status == "error" and expected in line, line
    assert lines[-1] == f"0 valid, {len(EXPECTED)} invalid"


def test_validate_without_the_dataset_says_what_it_did_not_check(capsys, tmp_path, monkeypatch):
    monkeypatch.delenv("TRUSTCHECK_DATA", raising=False)
    monkeypatch.setattr("trustcheck.dataset.data.user_data_dir", lambda: tmp_path / "nothing-fetched")
    by_file, lines = _validate_lines(capsys)
    for name in NEEDS_DATASET:
        status, line = by_file[name]
        assert status == "ok" and line.endswith("(its data file not checked)"), line
    assert lines[-2].startswith(f"note: {len(NEEDS_DATASET)} suites not checked against their data file: no TrustLLM data found")
    invalid = len(EXPECTED) - len(NEEDS_DATASET)
    assert lines[-1] == f"{len(NEEDS_DATASET)} valid, {invalid} invalid"
