"""`trustcheck data fetch` never loses the installed dataset: whatever fails, it stays as it was."""

from __future__ import annotations

import io
import json
import os
import sys
import zipfile
from pathlib import Path

import pytest
from fs_limits import run

from trustcheck.cli import main
from trustcheck.dataset.fetch import fetch_dataset

PROMPTS = {"ETHICS": "Judge this answer: "}


def _dataset_zip(marker: str, size: int = 0) -> bytes:
    """A small zip shaped like TrustLLM's, with `size` bytes of incompressible filler."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("dataset/safety/jailbreak.json", json.dumps([{"prompt": f"{marker} {i}", "label": "x"} for i in range(200)]))
        if size:
            archive.writestr("dataset/filler.bin", os.urandom(size))
    return buffer.getvalue()


def _corrupt_member(data: bytes) -> bytes:
    """The archive with bytes in the middle of its first member's compressed data overwritten."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.infolist()[0]
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 20
    return data[:start] + b"\x00" * 64 + data[start + 64 :]


def _plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a dataset")
    return buffer.getvalue()


@pytest.fixture
def installed(tmp_path, monkeypatch) -> Path:
    """The user cache, with an earlier fetch's dataset.zip and task_prompt.json installed."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    old = tmp_path / "old"
    old.mkdir()
    (old / "dataset.zip").write_bytes(_dataset_zip("old"))
    (old / "task_prompt.json").write_text(json.dumps(PROMPTS))
    assert main(["data", "fetch", "--from", str(old)]) == 0
    target = tmp_path / "user-cache" / "trustcheck" / "trustllm"
    assert (target / "dataset.zip").read_bytes() == (old / "dataset.zip").read_bytes()
    return target


def _snapshot(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir())}


NEW = _dataset_zip("new")
BAD_SOURCES = {
    "not_a_zip": (b"this is not a zip\n", "not a readable zip archive (File is not a zip file)"),
    "cut_in_half": (NEW[: len(NEW) // 2], "not a readable zip archive ("),
    "corrupt_member": (_corrupt_member(NEW), "zip archive"),
    "zip_without_json": (_plain_zip(), "expected TrustLLM's dataset.zip, found a zip archive without JSON files"),
    "empty_file": (b"", "not a readable zip archive ("),
    "missing": (None, "could not fetch (No such file or directory)"),
}


@pytest.mark.parametrize("case", sorted(BAD_SOURCES))
def test_a_failed_fetch_leaves_the_installed_dataset_and_prompts_as_they_were(installed, tmp_path, capsys, case):
    content, message = BAD_SOURCES[case]
    source = tmp_path / "new" / "dataset.zip"
    source.parent.mkdir()
    (source.parent / "task_prompt.json").write_text(json.dumps({"NEW": "prompt"}))
    if content is not None:
        source.write_bytes(content)
    before = _snapshot(installed)

    status = main(["data", "fetch", "--from", str(source)])

    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1 and err.startswith(f"trustcheck: {source}: ") and message in err, err
    assert _snapshot(installed) == before, "the installed files changed"


def test_a_directory_without_dataset_zip_changes_nothing(installed, tmp_path, capsys):
    before = _snapshot(installed)
    assert main(["data", "fetch", "--from", str(tmp_path)]) == 2
    assert capsys.readouterr().err == f"trustcheck: {tmp_path / 'dataset.zip'}: could not fetch (No such file or directory)\n"
    assert _snapshot(installed) == before


def test_a_full_disk_while_downloading_changes_nothing(installed, tmp_path):
    source = tmp_path / "big" / "dataset.zip"
    source.parent.mkdir()
    source.write_bytes(_dataset_zip("big", size=4 << 20))
    (source.parent / "task_prompt.json").write_text(json.dumps({"NEW": "prompt"}))
    before = _snapshot(installed)
    code = "import sys; from trustcheck.cli import main; raise SystemExit(main(sys.argv[1:]))"

    # `ulimit -f` at 1 MiB: the copy of the 4 MiB archive fails part way, as on a full disk.
    result = run([sys.executable, "-c", code, "data", "fetch", "--from", str(source)], file_size_limit=1 << 20,
                 cwd=tmp_path)

    assert result.returncode == 2, result.stderr
    assert result.stderr == f"trustcheck: {source}: could not fetch (File too large)\n"
    assert _snapshot(installed) == before
    again = run([sys.executable, "-c", code, "data", "fetch", "--from", str(source)], cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert (installed / "dataset.zip").read_bytes() == source.read_bytes()


@pytest.mark.parametrize("prompts", [b"{not json", b'["a list"]', b'{"a": "caf\xe9"}', b"[" * 100_000])
def test_bad_judge_prompts_keep_the_installed_ones_and_the_new_dataset_is_installed(installed, tmp_path, prompts):
    source = tmp_path / "new" / "dataset.zip"
    source.parent.mkdir()
    source.write_bytes(NEW)
    (source.parent / "task_prompt.json").write_bytes(prompts)
    old_prompts = (installed / "task_prompt.json").read_bytes()

    result = fetch_dataset(str(source), installed, [str(source.parent / "task_prompt.json")])

    assert result.task_prompts is None and str(source.parent / "task_prompt.json") in result.task_prompts_problem
    assert "\n" not in result.task_prompts_problem
    assert (installed / "dataset.zip").read_bytes() == NEW
    assert (installed / "task_prompt.json").read_bytes() == old_prompts


def test_a_good_fetch_replaces_both_files_and_leaves_no_temporary_file(installed, tmp_path):
    source = tmp_path / "new" / "dataset.zip"
    source.parent.mkdir()
    source.write_bytes(NEW)
    (source.parent / "task_prompt.json").write_text(json.dumps({"NEW": "prompt"}))
    assert main(["data", "fetch", "--from", str(source)]) == 0
    assert _snapshot(installed) == {"dataset.zip": NEW, "task_prompt.json": json.dumps({"NEW": "prompt"}).encode()}
