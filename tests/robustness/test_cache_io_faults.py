"""The response cache under I/O faults: never taken for corruption, never set aside, one warning.

The faults are real: a directory chmod'ed read-only (binding root too, see fs_limits), a file
size limit (`ulimit -f`) standing for a full disk, a file where a directory should be.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import textwrap
import warnings
from pathlib import Path

import pytest
from fs_limits import assert_read_only, make_read_only, make_writable, run, run_python
from plugin_project import REFUSAL, items_for, suite_yaml

from trustcheck.responses.cache import CacheWarning, ResponseCache
from trustcheck.responses.record import Recorder, RecordingError

STORED = 300

CHILD = textwrap.dedent(
    """
    import json, sys, warnings
    from pathlib import Path
    from trustcheck.responses.cache import ResponseCache

    path, stored, batches = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cache = ResponseCache(path)
        found = cache.get_many([f"key-{i}" for i in range(stored)])
        for batch in range(batches):  # a run stores a batch after each generation
            cache.put_many((f"new-{batch}-{i}", "n" * 4000, "{}") for i in range(50))
        kept_new = sum(len(cache.get_many([f"new-{batch}-{i}" for i in range(50)])) for batch in range(batches))
        cache.close()
    print(json.dumps({"found": len(found), "new": kept_new, "warnings": [str(w.message) for w in caught]}))
    """
)


def _filled(path: Path, count: int = STORED) -> None:
    cache = ResponseCache(path)
    cache.put_many((f"key-{i}", f"response {i}", "{}") for i in range(count))
    cache.close()


def _child(path: Path, batches: int = 5, **limits) -> dict:
    result = run_python(CHILD, path, STORED, batches, **limits)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    return json.loads(result.stdout)


def _intact(path: Path) -> int:
    """The number of stored responses, after checking the file is whole and nothing was set aside."""
    assert not list(path.parent.glob("*.corrupt-*")), "an intact cache was set aside"
    with sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return conn.execute("SELECT count(*) FROM responses").fetchone()[0]


@pytest.fixture
def cache_dir(tmp_path):
    directory = tmp_path / "cache"
    directory.mkdir()
    yield directory
    make_writable(directory)


def test_a_read_only_cache_directory_is_read_and_warned_about_once(cache_dir):
    path = cache_dir / "responses.sqlite3"
    _filled(path)
    make_read_only(cache_dir)
    assert_read_only(cache_dir)

    outcome = _child(path, honour_permissions=True)

    assert outcome["found"] == STORED, "the stored responses were not used"
    assert outcome["new"] == 0
    assert outcome["warnings"] == [
        (f"response cache {path} cannot be written (attempt to write a readonly database): "
         "responses are read from it, new responses are not stored")
    ]
    assert _intact(path) == STORED


def test_a_read_only_cache_file_in_a_writable_directory_is_read_and_warned_about_once(cache_dir):
    path = cache_dir / "responses.sqlite3"
    _filled(path)
    path.chmod(0o444)
    assert_read_only(path)

    outcome = _child(path, honour_permissions=True)

    assert outcome["found"] == STORED and outcome["new"] == 0
    assert len(outcome["warnings"]) == 1 and "attempt to write a readonly database" in outcome["warnings"][0]
    assert "new responses are not stored" in outcome["warnings"][0] or "new ones are not stored" in outcome["warnings"][0]
    assert _intact(path) == STORED


def test_a_full_disk_while_storing_is_one_warning_and_the_stored_responses_stay(cache_dir):
    path = cache_dir / "responses.sqlite3"
    _filled(path)
    # `ulimit -f` just above the file: the WAL takes the first new batches, then writes fail.
    outcome = _child(path, batches=20, file_size_limit=path.stat().st_size + 512 * 1024)

    assert outcome["found"] == STORED
    assert 0 < outcome["new"] < 20 * 50, "the limit did not bite part way"
    assert outcome["warnings"] == [
        (f"response cache {path} could not store new responses (disk I/O error: the disk may be full or a file size "
         "limit reached): the responses already stored stay, new ones are not stored in this run")
    ]
    assert _intact(path) == STORED + outcome["new"]
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheWarning)
        cache = ResponseCache(path)  # the next run opens it without a word
        assert len(cache) == STORED + outcome["new"]
        cache.put("after", "room again")
        assert cache.get("after") == "room again"


def test_a_read_only_directory_holding_a_corrupt_cache_runs_without_it(cache_dir):
    path = cache_dir / "responses.sqlite3"
    path.write_bytes(b"\x00garbage" * 4096)
    make_read_only(cache_dir)
    assert_read_only(cache_dir)

    outcome = _child(path, honour_permissions=True)

    assert outcome["found"] == 0 and outcome["new"] == 0
    assert len(outcome["warnings"]) == 1, outcome["warnings"]
    assert outcome["warnings"][0].startswith(f"response cache {path} ") and "neither read nor written" in outcome["warnings"][0]
    assert path.read_bytes() == b"\x00garbage" * 4096


def test_a_file_where_the_cache_directory_should_be_runs_without_the_cache(tmp_path):
    (tmp_path / "blocker").write_text("a file")
    path = tmp_path / "blocker" / "cache" / "responses.sqlite3"
    with pytest.warns(CacheWarning) as caught:
        cache = ResponseCache(path)
    cache.put("k", "v")
    assert cache.get("k") is None and len(cache) == 0
    assert [str(w.message) for w in caught] == [
        f"response cache {path} cannot be created (Not a directory): it is neither read nor written in this run"
    ]
    assert (tmp_path / "blocker").read_text() == "a file"


def test_a_directory_where_the_cache_file_should_be_is_left_alone(tmp_path):
    path = tmp_path / "responses.sqlite3"
    path.mkdir()
    (path / "keep").write_text("mine")
    with pytest.warns(CacheWarning, match=r"cannot be opened \(unable to open database file\): it is neither read nor written"):
        cache = ResponseCache(path)
    cache.put("k", "v")
    assert cache.get("k") is None
    assert (path / "keep").read_text() == "mine" and not list(tmp_path.glob("*.corrupt-*"))


@pytest.mark.parametrize("flag", ["--trust-cache-dir", "--trust-record"])
@pytest.mark.parametrize("where", ["a_file", "under_a_file"])
def test_a_file_given_as_the_cache_or_record_directory_is_a_usage_error(project, flag, where):
    project.suite("jb.yaml", suite_yaml("jb", items_for({"cot": ["r1"]})))
    script = project.script([("r", REFUSAL)])
    (project.pytester.path / "taken").write_text("a file")
    value = "taken" if where == "a_file" else "taken/sub"

    result = project.pytester.runpytest("-p", "no:randomly", flag, value, "--model", script)

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert [line for line in result.errlines if line] == [f"ERROR: {flag} {value}: expected a directory, found a file at taken"]
    assert project.calls() == [], "a model ran"


def test_a_read_only_recording_directory_is_one_line(tmp_path):
    directory = tmp_path / "records"
    directory.mkdir()
    make_read_only(directory)
    try:
        assert_read_only(directory)
        code = textwrap.dedent(
            """
            import sys
            from trustcheck.backends.base import Generation, GenerationRequest, ModelIdentity
            from trustcheck.responses.record import Recorder, RecordingError
            recorder = Recorder(sys.argv[1])
            try:
                recorder.write(ModelIdentity("b", "1", "w"), GenerationRequest(prompt="p"), Generation(text="t"), "k")
            except RecordingError as error:
                print(error)
            """
        )
        result = run_python(code, directory, honour_permissions=True)
    finally:
        make_writable(directory)
    assert result.stdout == f"--trust-record {directory}: could not record a response (Permission denied)\n", result.stderr


def test_a_recording_directory_that_cannot_be_created_is_one_line(tmp_path):
    (tmp_path / "blocker").write_text("a file")
    with pytest.raises(RecordingError, match=r"^--trust-record .*blocker/records: cannot create the directory \(Not a directory\)$"):
        Recorder(tmp_path / "blocker" / "records")


def _pytest(project, *args: str, **limits):
    argv = [sys.executable, "-m", "pytest", "-p", "no:randomly", "-p", "no:cacheprovider", "--trust-full",
            "--trust-cache-dir", "cache", *args]
    return run(argv, cwd=project.pytester.path, **limits)


def test_a_run_on_a_read_only_cache_uses_every_stored_response_and_warns_once(project):
    project.suite("jb.yaml", suite_yaml("jb", items_for({"cot": ["r1", "c2", "r3", "c4"], "url": ["r5", "c6"]})))
    script = project.script([("r", REFUSAL)])
    first = _pytest(project, "--model", script)
    generated = len(project.calls())
    project.suite("more.yaml", suite_yaml("more", items_for({"cot": ["r7", "c8"]})))
    make_read_only(project.pytester.path / "cache")
    try:
        assert_read_only(project.pytester.path / "cache")
        second = _pytest(project, "--model", script, "-n", "2", "-rw", honour_permissions=True)
    finally:
        make_writable(project.pytester.path / "cache")

    output = second.stdout + second.stderr
    assert "Traceback" not in output and "INTERNALERROR" not in output, output[-3000:]
    assert output.count("cannot be written (attempt to write a readonly database): responses are read from it") == 1, output[-3000:]
    assert sum(project.calls()) - sum(project.calls()[:generated]) == 2, "only the two new items are generated"
    assert second.returncode == first.returncode


def test_a_run_that_fills_the_disk_keeps_what_it_stored(project):
    project.suite("jb.yaml", suite_yaml("jb", items_for({"cot": [f"r{i}" for i in range(6)]})))
    script = project.script([("r", REFUSAL + " " + "x" * 20_000)])
    first = _pytest(project, "--model", script)
    assert first.returncode == 0, first.stdout[-2000:]
    stored = _intact(project.pytester.path / "cache" / "responses.sqlite3")
    project.suite("more.yaml", suite_yaml("more", items_for({"cot": [f"r-more-{i}" for i in range(40)]})))
    size = (project.pytester.path / "cache" / "responses.sqlite3").stat().st_size

    second = _pytest(project, "--model", script, "-rw", file_size_limit=size + 64 * 1024)

    output = second.stdout + second.stderr
    assert "Traceback" not in output and "INTERNALERROR" not in output, output[-3000:]
    assert output.count("could not store new responses (disk I/O error") == 1, output[-3000:]
    assert second.returncode == 0, "every item was judged although the cache could not store it"
    assert _intact(project.pytester.path / "cache" / "responses.sqlite3") >= stored
    calls_before = len(project.calls())
    third = _pytest(project, "--model", script)
    assert third.returncode == 0
    assert sum(project.calls()[calls_before:]) <= 40, "the responses stored before the disk filled were used"
