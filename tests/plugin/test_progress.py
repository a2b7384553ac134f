"""Progress while a model generates: counted per backend call, shown live on a terminal, as
periodic lines in logs, from xdist workers on the controller, and not at all with -q."""

from __future__ import annotations

import io

import pytest
from _pytest.terminal import TerminalReporter
from plugin_project import REFUSAL, items_for, suite_yaml

from trustcheck.run.progress import (
    BatchProgress,
    ProgressBoard,
    ProgressSnapshot,
    seconds_left,
    status_texts,
)
from trustcheck.run.progress_terminal import ProgressDisplay

LINE = "trustcheck generating"
WAIT_S = 60  # how long the scripted model keeps generating while no progress line shows


def _project_waiting_for(project, text: str, seconds: float) -> str:
    project.suite("a.yaml", suite_yaml("a", items_for({"x": ["r1", "c2", "r3"]})))
    return project.script([("r", REFUSAL)], await_output=[str(project.pytester.path / "stdout"), text, seconds])


def test_without_a_terminal_a_status_line_comes_every_interval(project) -> None:
    script = _project_waiting_for(project, LINE, WAIT_S)
    result = project.run("--trust-full", "--model", script, "--trust-progress-interval", "0.5", subprocess=True)
    assert result.ret == 0
    result.stdout.re_match_lines([r"trustcheck generating: 0/3 responses, [\d,]+ tokens, [\d.]+ tokens/s, \d+:\d\d elapsed, .*"])
    # pytest's own line resumes after it, under its file name again
    result.stdout.re_match_lines([r"trustcheck generating: .*", r"suites/a\.yaml [.m]{3} +\[100%\]"])


def test_with_verbose_output_the_items_line_resumes_after_the_status_lines(project) -> None:
    script = _project_waiting_for(project, LINE, WAIT_S)
    result = project.run("--trust-full", "--model", script, "--trust-progress-interval", "0.5", "-v", subprocess=True)
    assert result.ret == 0
    result.stdout.re_match_lines(
        [r"trustcheck generating: .*", r"suites/a\.yaml::x::item-0000 PASSED +\[ 33%\]", r"suites/a\.yaml::x::item-0001 MISSED .*"]
    )
    assert not [line for line in result.stdout.lines if line.startswith("suites/a.yaml::x::item-0000 ") and "PASSED" not in line][1:]


def test_quiet_runs_show_no_progress(project) -> None:
    script = _project_waiting_for(project, LINE, 2)
    result = project.run("--trust-full", "--model", script, "--trust-progress-interval", "0.2", "-q", subprocess=True)
    assert result.ret == 0
    assert LINE not in result.stdout.str()


def test_a_zero_interval_writes_no_lines(project) -> None:
    script = _project_waiting_for(project, LINE, 2)
    result = project.run("--trust-full", "--model", script, "--trust-progress-interval", "0", subprocess=True)
    assert result.ret == 0
    assert LINE not in result.stdout.str()


def test_under_xdist_a_workers_progress_reaches_the_controller(project) -> None:
    script = _project_waiting_for(project, LINE, WAIT_S)
    result = project.run("--trust-full", "--model", script, "--trust-progress-interval", "0.5", "-n", "2", subprocess=True)
    assert result.ret == 0
    result.stdout.re_match_lines([r"trustcheck generating: 0/3 responses, .*"])


# -- the live status on a terminal ------------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _screen(written: str) -> str:
    """What a terminal shows on the last line after `written`: backspaces move the cursor back."""
    line: list[str] = []
    cursor = 0
    for char in written.rsplit("\n", 1)[-1]:
        if char == "\b":
            cursor = max(0, cursor - 1)
        else:
            line[cursor:cursor + 1] = [char]
            cursor += 1
    return "".join(line).rstrip()


@pytest.fixture
def live(pytester: pytest.Pytester):
    config = pytester.parseconfigure("-p", "no:randomly")
    terminal = _Terminal()
    reporter = TerminalReporter(config, file=terminal)
    reporter._tw.fullwidth = 100
    snapshots: list[ProgressSnapshot] = []
    display = ProgressDisplay(config, lambda: (list(snapshots), 0), interval=0)
    display.reporter, display.live = reporter, True
    return display, reporter, terminal, snapshots


def test_on_a_terminal_the_status_follows_the_line_then_leaves_it_as_it_was(live) -> None:
    display, reporter, terminal, snapshots = live
    reporter.write("suites/a.yaml ..m")
    snapshots.append(ProgressSnapshot(total=3, done=1, tokens=40, budget_left=64, started=100.0))
    display.tick(110.0)
    assert _screen(terminal.getvalue()) == "suites/a.yaml ..m " + status_texts(snapshots, 110.0)[0]
    assert "  " not in _screen(terminal.getvalue())
    assert reporter._tw.width_of_current_line == len("suites/a.yaml ..m")
    display.tick(111.0)  # redrawn in place
    assert _screen(terminal.getvalue()) == "suites/a.yaml ..m " + status_texts(snapshots, 111.0)[0]
    snapshots.clear()
    display.tick(112.0)
    assert _screen(terminal.getvalue()) == "suites/a.yaml ..m"
    assert reporter._tw.width_of_current_line == len("suites/a.yaml ..m")


def test_on_a_narrow_terminal_the_status_shortens_and_never_wraps(live) -> None:
    display, reporter, terminal, snapshots = live
    reporter._tw.fullwidth = 50
    reporter.write("suites/safety/jailbreak.yaml ....")
    snapshots.append(ProgressSnapshot(total=32, done=3, tokens=900, budget_left=4000, started=100.0))
    display.tick(130.0)
    shown = _screen(terminal.getvalue())
    assert shown.startswith("suites/safety/jailbreak.yaml .... ") and len(shown) < 50
    reporter._tw.fullwidth = 36
    display.tick(131.0)
    assert _screen(terminal.getvalue()) == "suites/safety/jailbreak.yaml ...."


def test_pytest_writing_takes_the_line_back_first(live) -> None:
    display, reporter, terminal, snapshots = live
    reporter.write("suites/a.yaml ")
    snapshots.append(ProgressSnapshot(total=2, done=0, tokens=5, budget_left=59, started=100.0))
    display.tick(100.5)
    assert _screen(terminal.getvalue()) == "suites/a.yaml " + status_texts(snapshots, 100.5)[0]
    display._erase()
    reporter.write(".")
    display.tick(101.0)
    with display._lock:
        display._erase()
        reporter.write("m")
    assert _screen(terminal.getvalue()) == "suites/a.yaml .m"


# -- counting and the status text -------------------------------------------------------------


def test_tokens_and_budget_follow_what_the_backend_reports() -> None:
    progress = BatchProgress([10, 10, 10])
    progress.advance(3)
    progress.advance(3)  # two steps of three rows
    progress.finish(1, 2)
    snapshot = progress.snapshot()
    assert (snapshot.total, snapshot.done, snapshot.tokens) == (3, 1, 6)
    assert snapshot.budget_left == 20 - 4  # the two running rows have 4 of their 20 tokens
    progress.finish(0, 10)
    progress.finish(2, 7)
    assert progress.snapshot().done == 3 and progress.snapshot().tokens == 19


def test_a_backend_that_only_finishes_requests_still_counts_their_tokens() -> None:
    progress = BatchProgress([256, 256])
    progress.finish(0, 100)
    snapshot = progress.snapshot()
    assert (snapshot.done, snapshot.tokens, snapshot.budget_left) == (1, 100, 256)


def test_the_estimate_takes_the_sooner_of_tokens_and_requests_left() -> None:
    started = 1000.0
    by_tokens = ProgressSnapshot(total=4, done=0, tokens=100, budget_left=300, started=started)
    assert seconds_left(by_tokens, started + 10) == pytest.approx(30)
    by_requests = ProgressSnapshot(total=4, done=2, tokens=100, budget_left=900, started=started)
    assert seconds_left(by_requests, started + 10) == pytest.approx(10)
    nothing_yet = ProgressSnapshot(total=4, done=0, tokens=0, budget_left=1024, started=started)
    assert seconds_left(nothing_yet, started + 10) is None
    assert "estimating" in status_texts([nothing_yet], started + 10)[0]


def test_workers_add_up() -> None:
    one = ProgressSnapshot(total=32, done=4, tokens=1000, budget_left=5000, started=0.0)
    two = ProgressSnapshot(total=16, done=8, tokens=500, budget_left=100, started=5.0)
    text = status_texts([one, two], 10.0, workers=2)[0]
    assert text.startswith("generating on 2 workers: 12/48 responses, 1,500 tokens, 200.0 tokens/s, 0:10 elapsed")


def test_loading_the_model_is_shown_as_such() -> None:
    board = ProgressBoard()
    seen: list[ProgressSnapshot | None] = []
    board.subscribe(seen.append)
    with board.loading():
        loading = board.current()
        assert loading is not None and loading.loading
        assert status_texts([loading], loading.started + 75)[0] == "loading the model: 1:15 elapsed"
    assert board.current() is None and seen[-1] is None
    generating = ProgressSnapshot(total=8, done=2, tokens=300, budget_left=700, started=0.0)
    assert status_texts([generating, loading], 10.0, workers=2)[0].endswith("; loading the model on 1 more")
