"""Controller-only hooks: aggregate records, decide gates, set the exit status, print, write JSON.

Registered only where `config.workerinput` is absent, so the same code runs for `-n 0` and on
the xdist controller, which sees every report the workers send.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from . import heap
from .aggregate import Aggregator, record_of
from .gates import SuiteOutcome
from .options import partial_reasons
from .report import gate_table_lines
from .results import argv, build_results, write_results


class ControllerPlugin:
    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.aggregator = Aggregator(Path(config.rootpath))
        self.outcomes: list[SuiteOutcome] = []
        self.gates_failed = False
        self.worker_models: list[dict[str, Any]] = []
        self._results: dict[str, Any] | None = None
        self.errors_after_run: list[str] = []
        self.comparison: Any = None
        self.baseline = self._load_baseline()
        self.profile = self._load_profile()
        self._check_json_path()
        if config.getoption("htmlpath", None):
            from . import html_report

            html_report.register(config, lambda: self._results, lambda: self.comparison)

    # -- selection -------------------------------------------------------------------------
    @pytest.hookimpl(trylast=True)
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.aggregator.add_selected(item.nodeid for item in session.items)

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        self.aggregator.add_selected(ids)

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        model = getattr(node, "workeroutput", {}).get("trustcheck_model")
        if model:
            self.worker_models.append(model)

    # -- reports ---------------------------------------------------------------------------
    @pytest.hookimpl(trylast=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.aggregator.add_report(report)
        if report.when == "call" and report.passed:
            record = record_of(report)
            if record is not None and not record.get("passed", True):
                self._remember_missed(report.nodeid)

    def _remember_missed(self, nodeid: str) -> None:
        # Missed items are not failures, but `--lf` should re-run them: add them to its list
        # after the cache provider has dropped them as passed.
        lfplugin = self.config.pluginmanager.get_plugin("lfplugin")
        if lfplugin is not None:
            lfplugin.lastfailed[nodeid] = True

    # -- gates and exit status ---------------------------------------------------------------
    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtestloop(self, session: pytest.Session):
        yield
        if self.aggregator.records:
            # The reports and records of the run live until the end: spare them the collections.
            heap.freeze_long_lived(self.config)
        self.outcomes = self.aggregator.score(self.config.getoption("trust_scoring"), self.profile)
        profile_problems = self.profile.suite_name_problems(o.suite.name for o in self.outcomes) if self.profile else []
        for problem in profile_problems:
            self.aggregator.errors[problem] = problem
        if self.outcomes or self.aggregator.records:
            self._results = self.results()
            self.comparison = self._compare_with_baseline(self._results)
        regressed = self.comparison is not None and self.comparison.failed
        if any(outcome.failed for outcome in self.outcomes) or regressed or profile_problems:
            self.gates_failed = True
            # As pytest-cov's --cov-fail-under does: the run fails although no item failed.
            session.testsfailed += 1

    def _load_baseline(self) -> dict[str, Any] | None:
        """Read the baseline before anything runs, so a bad file costs no model time."""
        path = self.config.getoption("trust_baseline")
        if not path:
            return None
        from .results_schema import ResultsFileError, load_results

        try:
            return load_results(Path(self.config.invocation_params.dir) / path)
        except ResultsFileError as error:
            raise pytest.UsageError(f"--trust-baseline: {error}") from None

    def _compare_with_baseline(self, results: dict[str, Any]) -> Any:
        if self.baseline is None:
            return None
        from .baseline import compare

        return compare(self.baseline, results, level=self.config.getoption("trust_baseline_level"))

    def _load_profile(self):
        """Read the gate profile before anything runs, so a bad file costs no model time."""
        from .errors import ConfigError
        from .profiles import gate_overrides

        try:
            return gate_overrides(self.config)
        except ConfigError as error:
            raise pytest.UsageError(str(error)) from None

    def _check_json_path(self) -> None:
        """As --junitxml does: a directory given as the results file is a usage error, found now."""
        path = self.config.getoption("trust_json")
        if path and (Path(self.config.invocation_params.dir) / path).is_dir():
            raise pytest.UsageError(f"--trust-json must be a file name, given the directory {path}")

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        path = self.config.getoption("trust_json")
        if path and self._results is not None:
            try:
                write_results(Path(self.config.invocation_params.dir) / path, self._results)
            except OSError as error:
                # The run's results cannot be kept: say so in one line (in the summary) and fail the run.
                self.errors_after_run.append(f"could not write --trust-json {path}: {error.strerror or error}")
                session.exitstatus = max(int(session.exitstatus), int(pytest.ExitCode.TESTS_FAILED))

    def results(self) -> dict[str, Any]:
        from .runtime import get_runtime

        runtime = get_runtime(self.config)
        reasons = partial_reasons(self.config)
        settings = {
            "scoring": self.config.getoption("trust_scoring"),
            "profile": self.config.getoption("trust_profile"),
            "sample": runtime.options.sample,
            "full": bool(self.config.getoption("trust_full")),
            "seed": runtime.options.seed,
            "refusal": self.config.getoption("trust_refusal") or "refusal",
            "selection": {"partial": bool(reasons), "reasons": reasons},
            "argv": argv(),
        }
        return build_results(self.outcomes, self.aggregator.all_records(), self._model(runtime), self._dataset(runtime), settings)

    def _model(self, runtime) -> dict[str, Any]:
        model: dict[str, Any] = {"spec": runtime.options.model}
        if runtime.model_identity() is not None:
            model.update(runtime.model_identity())
        elif self.worker_models:
            model.update(self.worker_models[0])
        return model

    def _dataset(self, runtime) -> dict[str, Any]:
        try:
            source = runtime.data()
        except Exception:  # noqa: BLE001 - inline suites need no dataset
            return {"source": None, "sha256": None}
        return {"source": str(source.location), "sha256": source.fingerprint()}

    def pytest_terminal_summary(self, terminalreporter, exitstatus: int, config: pytest.Config) -> None:
        if config.option.collectonly or (not self.outcomes and not self.aggregator.errors):
            return
        terminalreporter.section("trustcheck gates")
        for line in gate_table_lines(self.outcomes, partial_reasons(config)):
            markup = {"red": True} if " FAIL" in line and not line.startswith("note") else {}
            terminalreporter.write_line(line, **markup)
        for path, error in sorted(self.aggregator.errors.items()):
            terminalreporter.write_line(f"error: {error}", red=True)
        for error in self.errors_after_run:
            terminalreporter.write_line(f"error: {error}", red=True)
        if self.comparison is not None:
            from .baseline import format_comparison_table

            terminalreporter.section("trustcheck baseline comparison")
            for line in format_comparison_table(self.comparison).splitlines():
                terminalreporter.write_line(line)
