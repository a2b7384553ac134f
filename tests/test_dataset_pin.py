"""`trustcheck data fetch` installs the TrustLLM release the suites were written against: a pinned
repository commit whose files are checked by sha256."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from support.requirements import trustllm_data

from trustcheck.cli import main
from trustcheck.dataset import dataset_pin, fetch
from trustcheck.dataset.dataset_pin import DATASET_SHA256, TRUSTLLM_COMMIT, sha256_of

sys.path.insert(0, str(Path(__file__).resolve().parent / "robustness"))
from test_fetch_faults import _dataset_zip


def test_the_urls_name_the_pinned_commit():
    assert len(TRUSTLLM_COMMIT) == 40
    assert all(f"/{TRUSTLLM_COMMIT}/" in url for url in dataset_pin.PINNED)


def test_the_pin_is_the_data_the_suites_are_tested_on():
    location = trustllm_data()
    zip_path = location if location.suffix == ".zip" else location / "dataset.zip"
    assert sha256_of(zip_path) == DATASET_SHA256


@pytest.fixture
def user_cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    return tmp_path / "user-cache" / "trustcheck" / "trustllm"


def _copy(tmp_path: Path, marker: str) -> Path:
    folder = tmp_path / marker
    folder.mkdir()
    (folder / "dataset.zip").write_bytes(_dataset_zip(marker))
    (folder / "task_prompt.json").write_text(json.dumps({"ETHICS": "Judge: "}))
    return folder


def test_a_copy_that_differs_from_the_pin_is_installed_with_a_note(tmp_path, user_cache, capsys):
    assert main(["data", "fetch", "--from", str(_copy(tmp_path, "mine"))]) == 0
    out = capsys.readouterr().out
    assert f"differs from TrustLLM commit {TRUSTLLM_COMMIT[:7]}" in out
    assert (user_cache / "dataset.zip").exists()


def test_a_pinned_source_with_other_bytes_is_refused_and_nothing_changes(tmp_path, user_cache, capsys, monkeypatch):
    assert main(["data", "fetch", "--from", str(_copy(tmp_path, "installed"))]) == 0
    before = (user_cache / "dataset.zip").read_bytes()
    tampered = _copy(tmp_path, "tampered") / "dataset.zip"
    # The tampered copy stands where the pinned download would come from.
    monkeypatch.setattr(fetch, "PINNED", {str(tampered): DATASET_SHA256})
    capsys.readouterr()
    assert main(["data", "fetch", "--from", str(tampered)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.endswith("...): not installed")
    assert (user_cache / "dataset.zip").read_bytes() == before
