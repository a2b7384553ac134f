"""The `trustcheck` command: validate suites, fetch data, render and compare results."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .errors import TrustcheckError
from .terminal_text import printable


def _suite_files(paths: Sequence[str]) -> list[Path]:
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        files.extend(sorted(path.rglob("*.y*ml")) if path.is_dir() else [path])
    return [f for f in files if f.suffix in (".yaml", ".yml") and not f.name.startswith("_")]


def cmd_validate(paths: Sequence[str]) -> int:
    """Check suite files against the schema and the registries; runs nothing."""
    from .selection import all_items
    from .suite_files import load_any_suite

    files = _suite_files(paths)
    if not files:
        print("trustcheck validate: no suite files found", file=sys.stderr)
        return 2
    failures = 0
    for path in files:
        try:
            suite = load_any_suite(path, str(path))
            if suite.data.items is not None:  # inline items are part of the file: check them too
                all_items(suite, list(suite.data.items))
        except TrustcheckError as error:
            failures += 1
            print(f"error: {error}")
        else:
            print(f"ok: {path}")
    print(f"{len(files) - failures} valid, {failures} invalid")
    return 1 if failures else 0


def cmd_data_fetch(source: str | None) -> int:
    from .fetch import fetch_dataset

    installed = fetch_dataset(source)
    print(f"dataset installed at {installed.dataset}; trustcheck finds it there (or set TRUSTCHECK_DATA)")
    if installed.dataset_note:
        print(f"note: {installed.dataset_note}: results may not compare with runs on the pinned release")
    if installed.task_prompts_problem:
        print(f"judge prompts not updated (only tasks judged by an LLM need them): {printable(installed.task_prompts_problem)}")
    return 0


def cmd_init(target: str, dimensions: list[str] | None, force: bool) -> int:
    from .init_project import init_project

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
        from . import report_cli

        return (report_cli.cmd_report if argv[0] == "report" else report_cli.cmd_compare)(argv[1:])
    args = _parser().parse_args(argv)
    try:
        if args.command == "validate":
            return cmd_validate(args.paths)
        if args.command == "init":
            return cmd_init(args.directory, args.dimension, args.force)
        return cmd_data_fetch(args.source)
    except TrustcheckError as error:
        print(f"trustcheck: {printable(str(error))}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
