"""The response cache under faults: corrupt files are set aside and rebuilt; writers never collide."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from plugin_project import REFUSAL, items_for, suite_yaml

from trustcheck.responses.cache import CacheWarning, ResponseCache


def _filled(path: Path, count: int = 3000) -> None:
    cache = ResponseCache(path)
    cache.put_many((f"key-{i}", "response " * 20, "{}") for i in range(count))
    cache.close()


def _set_aside(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f"{path.name}.corrupt-*"))


def test_a_file_of_garbage_is_set_aside_with_a_warning_and_rebuilt(tmp_path):
    path = tmp_path / "responses.sqlite3"
    path.write_bytes(os.urandom(64 * 1024))
    with pytest.warns(CacheWarning, match=r"was unreadable \(file is not a database\); moved it to responses.sqlite3.corrupt-"):
        cache = ResponseCache(path)
    cache.put("k", "v")
    assert cache.get("k") == "v" and len(cache) == 1
    assert len(_set_aside(path)) == 1


def test_a_torn_page_found_mid_run_is_set_aside_and_the_query_answered(tmp_path):
    path = tmp_path / "responses.sqlite3"
    _filled(path)
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 16384] = os.urandom(16384)  # the header survives: opening succeeds
    path.write_bytes(bytes(data))

    cache = ResponseCache(path)
    with pytest.warns(CacheWarning, match="database disk image is malformed"):
        found = cache.get_many([f"key-{i}" for i in range(3000)])
    assert found == {}  # a miss: the responses are generated again
    cache.put("k", "v")
    assert cache.get("k") == "v"
    assert len(_set_aside(path)) == 1


def test_a_database_of_another_shape_is_set_aside(tmp_path):
    path = tmp_path / "responses.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE responses (key TEXT PRIMARY KEY)")
    with pytest.warns(CacheWarning, match="no such column"):
        cache = ResponseCache(path)
    cache.put("k", "v")
    assert cache.get("k") == "v"


def test_a_corrupt_cache_during_a_run_is_rebuilt_and_the_gates_are_unchanged(project):
    project.suite("jb.yaml", suite_yaml("jb", items_for({"cot": ["r1", "c2", "r3"], "url": ["r4"]})))
    script = project.script([("r", REFUSAL)])
    first = project.run("--trust-full", "--trust-json", "first.json", "--model", script)
    calls = len(project.calls())
    cache_file = project.pytester.path / "cache" / "responses.sqlite3"
    cache_file.write_bytes(b"\x00garbage" * 4096)

    second = project.run("--trust-full", "--trust-json", "second.json", "--model", script)

    second.stdout.fnmatch_lines(["*CacheWarning: response cache *responses.sqlite3 was unreadable (file is not a database); moved it to *"])
    assert len(project.calls()) > calls, "the responses were generated again"
    assert _verdicts(project, "first.json") == _verdicts(project, "second.json")
    third = project.run("--trust-full", "--model", script)
    assert "CacheWarning" not in third.stdout.str()
    assert first.ret == second.ret == third.ret


def _verdicts(project, name: str) -> list:
    results = json.loads((project.pytester.path / name).read_text())
    return sorted((item["nodeid"], item["verdict"]) for item in results["items"])


WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from trustcheck.responses.cache import ResponseCache

    folder, name, start, rounds, count = Path(sys.argv[1]), sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])

    def write(path, count):
        cache = ResponseCache(path)
        for first in range(0, count, 25):
            batch = range(first, first + 25)
            # Odd keys are shared by every writer: insert-or-ignore keeps the first.
            cache.put_many((f"{'shared' if i % 2 else name}-{i}", f"{name} {i}", "{}") for i in batch)
            found = cache.get_many([f"{name}-{i}" for i in batch if not i % 2])
            assert len(found) == len([i for i in batch if not i % 2]), (first, len(found))
        cache.close()

    # Several new files opened by every writer at the same instant (the switch to WAL races),
    # then one file written by all of them for a while.
    for round in range(rounds):
        while time.time() < start + 0.15 * round:
            time.sleep(0.0005)
        write(folder / f"fresh-{round}.sqlite3", 100)
    write(folder / "shared.sqlite3", count)
    """
)


def test_writers_in_several_processes_never_see_database_is_locked(tmp_path):
    writers, rounds, count = 6, 16, 2000
    start = time.time() + 2.0
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    processes = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), f"w{n}", str(start), str(rounds), str(count)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        for n in range(writers)
    ]
    outputs = [process.communicate(timeout=240) for process in processes]

    for process, (_, err) in zip(processes, outputs):
        assert process.returncode == 0, err[-2000:]
    assert time.time() > start + 0.15 * (rounds - 1), "the writers did not wait for their common start"
    for round in range(rounds):
        assert len(ResponseCache(tmp_path / f"fresh-{round}.sqlite3")) == writers * 50 + 50
    shared = ResponseCache(tmp_path / "shared.sqlite3")
    assert len(shared) == writers * count // 2 + count // 2
    assert shared.get("shared-1") in {f"w{n} 1" for n in range(writers)}
    assert not list(tmp_path.glob("*.corrupt-*"))
