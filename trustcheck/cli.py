"""The `trustcheck` command: validate suites, fetch data, render and compare results."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .common.errors import DataError, TrustcheckError
from .common.terminal_text import printable

if TYPE_CHECKING:
    from .dataset.data import DataSource
    from .gates.profiles import GateProfile


def _suite_files(paths: Sequence[str]) -> list[Path]:
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        files.extend(sorted(path.rglob("*.y*ml")) if path.is_dir() else [path])
    return [f for f in files if f.suffix in (".yaml", ".yml") and not f.name.startswith("_")]


def _validate_data(option: str | None) -> tuple[DataSource | None, str]:
    """The dataset validate checks suites against, or None with the reason it has none."""
    from .dataset.data import FETCH_HINT, data_source, resolve_location

    location = resolve_location(option, Path.cwd())
    if location is None:
        return None, f"no TrustLLM data found; {FETCH_HINT}"
    try:
        return data_source(location), ""
    except DataError as error:
        if option:
            raise
        return None, str(error)


def _file_problems(path: Path, data: DataSource | None, profile: GateProfile | None) -> tuple[list[str], bool]:
    """Every problem collection would report for one file, and whether its items were checked."""
    from .dataset.data_checks import data_error_line, problems_with_items
    from .suite.suite_files import any_suite_problems

    spec, problems = any_suite_problems(path, str(path))
    lines = [str(p) for p in problems]
    if spec is None or lines or (spec.data.items is None and data is None):
        return lines, False  # a suite with problems could name any file: its data is not read
    try:
        items = list(spec.data.items) if spec.data.items is not None else data.load(spec.data.file)  # type: ignore[union-attr]
    except DataError as error:
        return [*lines, data_error_line(spec, error)], True
    return [*lines, *problems_with_items(spec, items, profile)], True


def cmd_validate(paths: Sequence[str], data_option: str | None = None, profile_option: str | None = None) -> int:
    """Check suite files as collection does (schema, registries, and against their data when
    the dataset is found); runs nothing. Lists every problem of every file."""
    files = _suite_files(paths)
    if not files:
        print("trustcheck validate: no suite files found", file=sys.stderr)
        return 2
    data, no_data_reason = _validate_data(data_option)
    profile = _validate_profile(profile_option)
    failures = unchecked = 0
    for path in files:
        problems, items_checked = _file_problems(path, data, profile)
        failures += bool(problems)
        for problem in problems:
            print(f"error: {problem}")
        if not problems:
            unchecked += not items_checked
            print(f"ok: {path}" + ("" if items_checked else " (its data file not checked)"))
    if unchecked:
        print(f"note: {unchecked} suites not checked against their data file: {no_data_reason}")
    print(f"{len(files) - failures} valid, {failures} invalid")
    return 1 if failures else 0


def _validate_profile(option: str | None) -> GateProfile | None:
    from .gates.profiles import load_profile

    return load_profile(option, Path.cwd()) if option else None


def cmd_data_fetch(source: str | None) -> int:
    from .dataset.fetch import fetch_dataset

    installed = fetch_dataset(source)
    print(f"dataset installed at {installed.dataset}; trustcheck finds it there (or set TRUSTCHECK_DATA)")
    if installed.dataset_note:
        print(f"note: {installed.dataset_note}: results may not compare with runs on the pinned release")
    if installed.task_prompts_problem:
        print(f"judge prompts not updated (only tasks judged by an LLM need them): {printable(installed.task_prompts_problem)}")
    return 0


def cmd_init(target: str, dimensions: list[str] | None, force: bool) -> int:
    from .suite.init_project import init_project

    written = init_project(Path(target), dimensions, force)
    suites = sum(1 for path in written if path.suffix == ".yaml")
    print(f"wrote {suites} suite files under {Path(target) / 'suites'}; run them with: cd {target} && pytest")
    return 0


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("trustcheck")
    except PackageNotFoundError:
        from . import __version__

        return __version__


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="trustcheck", description=__doc__)
    parser.add_argument("--version", action="version", version=f"trustcheck {_version()}")
    commands = parser.add_subparsers(dest="command", required=True)
    validate = commands.add_parser("validate", help="check suite files without running them",
                                   description="Check suite files against the schema, the registries and their data; runs no model.")
    validate.add_argument("paths", nargs="+", help="suite files or directories holding them")
    validate.add_argument("--data", default=None, help="TrustLLM data to check the suites against (else $TRUSTCHECK_DATA, else the fetched copy)")
    validate.add_argument("--profile", default=None, help="also check this gate profile's gates (a built-in name or a YAML file)")
    init = commands.add_parser("init", help="copy the packaged suites into a project folder",
                               description="Copy trustcheck's suites into DIR/suites (and write DIR/pytest.ini if absent), to edit thresholds and run them with pytest.")
    init.add_argument("directory", metavar="DIR", help="the project folder (created if missing)")
    init.add_argument("--dimension", action="append", default=None, help="only this dimension's suites (repeatable; default: all)")
    init.add_argument("--force", action="store_true", help="overwrite suite files that already exist")
    data = commands.add_parser("data", help="manage the TrustLLM dataset")
    data_commands = data.add_subparsers(dest="data_command", required=True)
    fetch = data_commands.add_parser("fetch", help="install dataset.zip into the user cache")
    fetch.add_argument("--from", dest="source", default=None, help="URL, dataset.zip, or a directory holding it")
    commands.add_parser("report", help="summarize a results JSON file, or render it as HTML with --html", add_help=False)
    commands.add_parser("compare", help="compare two results files (baseline first)", add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in ("report", "compare"):
        from .report import report_cli

        return (report_cli.cmd_report if argv[0] == "report" else report_cli.cmd_compare)(argv[1:])
    args = _parser().parse_args(argv)
    try:
        if args.command == "validate":
            return cmd_validate(args.paths, args.data, args.profile)
        if args.command == "init":
            return cmd_init(args.directory, args.dimension, args.force)
        return cmd_data_fetch(args.source)
    except TrustcheckError as error:
        print(f"trustcheck: {printable(str(error))}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
