"""The pytest plugin: options, collection of suite files, item outcomes and batching."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .common.terminal_text import printable
from .gates.aggregate import RECORD_KEY, record_of
from .run import heap, progress_terminal
from .run.controller import ControllerPlugin
from .run.items import RecordingItem, SuiteFile, TrustItem
from .run.options import add_options, apply_ini_fallbacks
from .run.report_transport import ReportTransport
from .run.runtime import get_runtime, runtime_key
from .run.units import DEFAULT_UNIT_SIZE, build_units
from .suite.suite_files import looks_like_property_file, looks_like_suite

suite_errors_key = pytest.StashKey[list]()


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def _is_controller(config: pytest.Config) -> bool:
    return not hasattr(config, "workerinput")


@pytest.hookimpl(wrapper=True)
def pytest_cmdline_main(config: pytest.Config) -> Any:
    # One scope per suite category keeps a unit of work on one worker, so batches stay whole. A
    # wrapper runs before every plain implementation, xdist's included (which would set
    # --dist load first, whichever order the two plugins were registered in).
    apply_ini_fallbacks(config)
    option = config.option
    if getattr(option, "trust_missed", False):
        option.lf = True
    if getattr(option, "numprocesses", None) and getattr(option, "dist", "no") == "no":
        option.dist = "loadscope"
    return (yield)


def pytest_configure(config: pytest.Config) -> None:
    apply_ini_fallbacks(config)  # again for configs made without pytest_cmdline_main (pytester's parseconfigure)
    config.addinivalue_line(
        "markers", "trustcheck(dimension, task, category, suite): a TrustLLM benchmark item (select with -m)"
    )
    config.addinivalue_line("markers", "critical: a missed item fails the run")
    config.stash[suite_errors_key] = []
    heap.install(config)
    config.pluginmanager.register(ReportTransport(packs=not _is_controller(config)), "trustcheck-report-transport")
    progress_terminal.install(config)
    if _is_controller(config):
        config.pluginmanager.register(ControllerPlugin(config), "trustcheck-controller")


def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    if hasattr(config, "workeroutput") and runtime_key in config.stash:
        identity = config.stash[runtime_key].model_identity()
        if identity is not None:
            config.workeroutput["trustcheck_model"] = identity


def pytest_unconfigure(config: pytest.Config) -> None:
    if runtime_key in config.stash:
        config.stash[runtime_key].close()


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if looks_like_suite(file_path):
        if looks_like_property_file(file_path):
            # Imported on demand: property search needs hypothesis, plain suites do not.
            from .perturb.items import PropertyFile

            return PropertyFile.from_parent(parent, path=file_path)
        return SuiteFile.from_parent(parent, path=file_path)
    return None


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector):
    outcome = yield
    if isinstance(collector, SuiteFile) and outcome.get_result().failed:
        collector.config.stash[suite_errors_key].append(collector.nodeid)


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    # After -k/-m/--lf deselection: batch exactly the items that will run in this process. A
    # process that runs every item batches across categories; an xdist worker only within one.
    size = session.config.getoption("trust_batch_size") or DEFAULT_UNIT_SIZE
    trust_items = [item for item in session.items if isinstance(item, TrustItem)]
    build_units(trust_items, size, per_scope=not _is_controller(session.config))
    if trust_items:
        heap.freeze_long_lived(session.config)


@pytest.hookimpl(tryfirst=True)
def pytest_runtestloop(session: pytest.Session) -> None:
    # Broken suites are collection errors, but they must not stop the other suites from running.
    suite_errors = session.config.stash.get(suite_errors_key, [])
    if suite_errors and session.testsfailed == len(suite_errors):
        session.config.option.continue_on_collection_errors = True


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if isinstance(item, RecordingItem) and call.when == "setup" and call.excinfo is not None and item.is_user_facing(call.excinfo):
        # pytest renders setup errors as tracebacks without asking repr_failure: give the one line.
        report.longrepr = item.repr_failure(call.excinfo)
    if isinstance(item, TrustItem) and call.when == "setup" and item.unit is not None and item.unit.items:
        # A batch is generated in its first item's setup: each item reports its share of it.
        report.duration = item.unit.share_of(item.nodeid, report.duration)
    if isinstance(item, RecordingItem) and report.skipped and isinstance(report.longrepr, tuple):
        # Skipped by trustcheck's own code: point the skip at the suite file, not at trustcheck.
        report.longrepr = (str(item.path), None, report.longrepr[2])
    if isinstance(item, RecordingItem) and call.when == "call" and item.record is not None:
        # Only the call report carries the record, so it crosses to the controller once.
        report.user_properties = [*report.user_properties, (RECORD_KEY, item.record)]


def pytest_report_teststatus(report: pytest.TestReport, config: pytest.Config) -> Any:
    if report.when == "call" and report.passed:
        record = record_of(report)
        if record is not None and not record.get("passed", True):
            return "missed", "m", (_missed_word(record, config.getoption("verbose")), {"yellow": True})
    return None


def _missed_word(record: dict[str, Any], verbosity: int) -> str:
    """`MISSED`, with the verdict and the evaluator's reason when verbose (cut short at -v)."""
    if verbosity <= 0:
        return "MISSED"
    reason = " ".join(f"{record.get('verdict')}: {record.get('reason') or ''}".split())
    return f"MISSED ({printable(reason, 60 if verbosity == 1 else 300)})"


@pytest.fixture(scope="session")
def trust_runtime(pytestconfig: pytest.Config):
    """The run's runtime: data source, model pool (cached, batched) and evaluators."""
    return get_runtime(pytestconfig)
