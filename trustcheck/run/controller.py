"""Controller-only hooks: aggregate records, decide gates, set the exit status, print, write JSON.

Registered only where `config.workerinput` is absent, so the same code runs for `-n 0` and on
the xdist controller, which sees every report the workers send.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ..backends.base import (
    SYSTEM_PROMPT_EMPTY,
    describe_system_prompt,
    parse_system_prompt,
    system_prompt_label,
)
from ..common.terminal_text import printable
from ..gates.aggregate import Aggregator, record_of
from ..gates.gates import SuiteOutcome, strict_gate
from ..report.gate_reports import (
    emit_gate_reports,
    gate_tests,
    is_gate_report,
    regression_tests,
)
from ..report.missed_summary import missed_summary_lines, run_label
from ..report.report import gate_table_lines
from ..report.results import argv, build_results, redact_model, write_results
from . import heap
from .options import partial_reasons


class ControllerPlugin:
    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.aggregator = Aggregator(Path(config.rootpath))
        self.outcomes: list[SuiteOutcome] = []
        self.gates_failed = False
        self._planned_gates: int | None = None  # counted into session.testscollected once items start
        self.worker_models: list[dict[str, Any]] = []
        self._results: dict[str, Any] | None = None
        self.errors_after_run: list[str] = []
        self.comparison: Any = None
        self.baseline = self._load_baseline()
        self.profile = self._load_profile()
        self.model_spec = self._check_model()
        self.label = run_label(config.getoption("trust_label"), self.model_spec)
        self._check_json_path()
        self._check_directories()
        self._check_replay_recording()
        if config.getoption("htmlpath", None):
            from ..report import html_report

            html_report.register(config, lambda: self._results, lambda: self.comparison)

    # -- selection -------------------------------------------------------------------------
    @pytest.hookimpl(trylast=True)
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.aggregator.add_selected(item.nodeid for item in session.items)
        self._check_default_model(sorted(self.aggregator.selected))

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        self.aggregator.add_selected(ids)
        self._check_default_model(sorted(self.aggregator.selected))

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        model = getattr(node, "workeroutput", {}).get("trustcheck_model")
        if model:
            self.worker_models.append(model)

    # -- reports ---------------------------------------------------------------------------
    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logstart(self, nodeid: str) -> None:
        if self._planned_gates is None:
            # Gates report after the items: count them in, so the progress ends at 100% on the last gate.
            self._planned_gates = self._count_planned_gates()
            self._session().testscollected += self._planned_gates

    def _count_planned_gates(self) -> int:
        mode = self.config.getoption("trust_scoring")
        count = 0
        for path in sorted({nodeid.split("::", 1)[0] for nodeid in self.aggregator.selected}):
            suite = self.aggregator.suite(path)
            chosen = self.profile(suite) if suite is not None and self.profile else None
            gates = suite.gates if suite is not None and chosen is None else chosen or ()
            count += sum(1 for gate in gates if mode in gate.modes)
        return count

    def _session(self) -> pytest.Session:
        return self.config.pluginmanager.get_plugin("session")

    @pytest.hookimpl(trylast=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if is_gate_report(report):
            return
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
    # Inside the terminal's own wrapper (trylast), so gate results are written before its final
    # progress mark.
    @pytest.hookimpl(hookwrapper=True, trylast=True)
    def pytest_runtestloop(self, session: pytest.Session):
        loop = yield
        if loop.excinfo is not None and isinstance(loop.excinfo[1], pytest.UsageError):
            return
        if self.aggregator.records:
            # The reports and records of the run live until the end: spare them the collections.
            heap.freeze_long_lived(self.config)
        self.outcomes = self.aggregator.score(self.config.getoption("trust_scoring"), self.profile)
        if self.config.getoption("trust_strict"):
            for outcome in self.outcomes:
                outcome.gates = [strict_gate(gate) for gate in outcome.gates]
        profile_problems = self.profile.suite_name_problems(o.suite.name for o in self.outcomes) if self.profile else []
        for problem in profile_problems:
            self.aggregator.errors[problem] = problem
        if self.outcomes or self.aggregator.records:
            self._results = self.results()
            self.comparison = self._compare_with_baseline(self._results)
        regressions = regression_tests(self.comparison, self.outcomes)
        if loop.excinfo is None and not self.config.option.collectonly:
            # Each gate is a test result; a failed one counts into session.testsfailed as any does.
            tests = [*gate_tests(self.outcomes, partial_reasons(self.config)), *regressions]
            session.testscollected += len(tests) - (self._planned_gates or 0)
            emit_gate_reports(session, tests)
        regressed = self.comparison is not None and self.comparison.failed
        self.gates_failed = any(outcome.failed for outcome in self.outcomes) or regressed or bool(profile_problems)
        if profile_problems or (regressed and not regressions):
            # As pytest-cov's --cov-fail-under does: the run fails although no test failed.
            session.testsfailed += 1

    def _load_baseline(self) -> dict[str, Any] | None:
        """Read the baseline before anything runs, so a bad file costs no model time."""
        path = self.config.getoption("trust_baseline")
        if not path:
            return None
        from ..report.results_schema import ResultsFileError, load_results

        try:
            return load_results(Path(self.config.invocation_params.dir) / path)
        except ResultsFileError as error:
            raise pytest.UsageError(f"--trust-baseline: {error}") from None

    def _compare_with_baseline(self, results: dict[str, Any]) -> Any:
        if self.baseline is None:
            return None
        from ..gates.baseline import compare

        return compare(self.baseline, results, level=self.config.getoption("trust_baseline_level"))

    def _load_profile(self):
        """Read the gate profile before anything runs, so a bad file costs no model time."""
        from ..common.errors import ConfigError
        from ..gates.profiles import gate_overrides

        try:
            return gate_overrides(self.config)
        except ConfigError as error:
            raise pytest.UsageError(str(error)) from None

    def _check_model(self) -> str:
        """A mistyped --model (or profile name) is one usage error now, not one error per item."""
        from ..common.errors import ConfigError
        from ..responses.models import check_spec, load_profiles

        models_file = self.config.getini("trust_models_file") or "fixtures/models.yaml"
        try:
            return check_spec(self.config.getoption("trust_model"), load_profiles(Path(self.config.rootpath) / models_file))
        except ConfigError as error:
            raise pytest.UsageError(str(error)) from None

    def _check_default_model(self, nodeids: list[str]) -> None:
        """The default model's package is needed only when suite items run: checked once they are known."""
        if self.model_spec != "default" or self.config.option.collectonly or not nodeids:
            return
        from ..common.errors import ConfigError
        from ..responses.models import default_model_path

        try:
            default_model_path()
        except ConfigError as error:
            raise pytest.UsageError(str(error)) from None

    def pytest_report_header(self, config: pytest.Config) -> list[str]:
        from ..responses.models import short_name

        given = config.getoption("trust_model")
        model = given if ":" not in given else short_name(self.model_spec)  # a profile name as typed, never a path
        # The conditions a reader needs to interpret the verdict (TrustLLM ran with a blank system prompt).
        prompt = system_prompt_label(describe_system_prompt(parse_system_prompt(config.getoption("trust_system_prompt") or SYSTEM_PROMPT_EMPTY)))
        scoring = config.getoption("trust_scoring")
        return [f"trustcheck: run {self.label!r}, model {model}, scoring {scoring}, system prompt {printable(prompt)}"]

    def _check_json_path(self) -> None:
        """As --junitxml does: a directory given as the results file is a usage error, found now."""
        path = self.config.getoption("trust_json")
        if path and (Path(self.config.invocation_params.dir) / path).is_dir():
            raise pytest.UsageError(f"--trust-json must be a file name, given the directory {path}")

    def _check_directories(self) -> None:
        """A file given where a directory belongs (or on its way) is a usage error, found now."""
        from ..common.paths import blocking_file

        base = Path(self.config.invocation_params.dir)
        for flag, dest, root in (("--trust-cache-dir", "trust_cache_dir", Path(self.config.rootpath)),
                                 ("--trust-record", "trust_record", base)):
            value = self.config.getoption(dest)
            if value and not (dest == "trust_cache_dir" and self.config.getoption("trust_no_cache")):
                blocker = blocking_file(root / value)
                if blocker is not None:
                    shown = blocker.relative_to(root) if blocker.is_relative_to(root) else blocker
                    raise pytest.UsageError(f"{flag} {value}: expected a directory, found a file at {shown}")

    def _check_replay_recording(self) -> None:
        """A recording that cannot be replayed is one line before anything runs, not one per item."""
        model = self.config.getoption("trust_model") or ""
        if not model.startswith("replay:"):
            return
        from ..backends.base import BackendError
        from ..backends.replay import create

        try:
            create(model.removeprefix("replay:"))
        except BackendError as error:
            raise pytest.UsageError(f"--model: {error}") from None

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
            "system_prompt": describe_system_prompt(runtime.options.system_prompt),
            "refusal": self.config.getoption("trust_refusal") or "refusal",
            "selection": {"partial": bool(reasons), "reasons": reasons},
            "argv": argv(),
            "strict": bool(self.config.getoption("trust_strict")),
        }
        records = self.aggregator.all_records()
        return build_results(self.outcomes, records, self._model(runtime), self._dataset(runtime), settings, self.label)

    def _model(self, runtime) -> dict[str, Any]:
        model: dict[str, Any] = {"spec": runtime.options.model}
        if runtime.model_identity() is not None:
            model.update(runtime.model_identity())
        elif self.worker_models:
            model.update(self.worker_models[0])
        return redact_model(model)

    def _dataset(self, runtime) -> dict[str, Any]:
        try:
            source = runtime.data()
        except Exception:  # noqa: BLE001 - inline suites need no dataset
            return {"source": None, "sha256": None}
        return {"source": str(source.location), "sha256": source.fingerprint()}

    def pytest_terminal_summary(self, terminalreporter, exitstatus: int, config: pytest.Config) -> None:
        if config.option.collectonly or (not self.outcomes and not self.aggregator.errors):
            return
        limit = config.getoption("trust_missed_summary")
        missed = missed_summary_lines(self.aggregator.all_records(), 10 if limit is None and self.gates_failed else limit or 0)
        if missed:
            terminalreporter.section("trustcheck missed items")
            for line in missed:
                terminalreporter.write_line(line)
        terminalreporter.section(f"trustcheck gates: {self.label}")
        for line in gate_table_lines(self.outcomes, partial_reasons(config)):
            markup = {"red": True} if " FAIL" in line and not line.startswith("note") else {}
            terminalreporter.write_line(line, **markup)
        for path, error in sorted(self.aggregator.errors.items()):
            terminalreporter.write_line(f"error: {error}", red=True)
        for error in self.errors_after_run:
            terminalreporter.write_line(f"error: {error}", red=True)
        if self.comparison is not None:
            from ..gates.baseline import format_comparison_table

            terminalreporter.section("trustcheck baseline comparison")
            for line in format_comparison_table(self.comparison).splitlines():
                terminalreporter.write_line(line)
