"""`trustcheck report` and `trustcheck compare`: reports and regression checks from results files.

Both return an exit status: 0 success, 1 regression found (compare), 2 bad input (one line on
stderr naming the file and the problem).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from ..common.json_files import dumps_strict
from ..common.terminal_text import printable
from ..gates.baseline import (
    compare,
    format_comparison_markdown,
    format_comparison_table,
)
from .html_parts import EVIDENCE_CHOICES
from .results_schema import ResultsFileError, load_results
from .results_text import text_summary
from .standalone_report import write_report

COMPARISON_FORMAT = "trustcheck-comparison/1"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit status 2, like a bad results file
        raise _UsageError(f"{self.prog}: {message}")


class _UsageError(Exception):
    pass


def _level(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, found {text!r}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, found {text!r}")
    return value


def report_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="trustcheck report",
                     description="Print a results file's gate table, or render it as an HTML report with --html.")
    parser.add_argument("results", help="results JSON written by pytest --trust-json")
    parser.add_argument("--html", metavar="OUT.html", help="write a standalone HTML report here (default: print a text summary)")
    parser.add_argument("--evidence", choices=EVIDENCE_CHOICES, default="auto",
                        help="items that show prompt/response/reason: auto (all up to 2000 items, else "
                        "missed only; default), all, missed, none")
    parser.add_argument("--baseline", metavar="BASELINE.json", help="add a regression comparison with this run")
    parser.add_argument("--level", type=_level, default=0.05, help="significance level for --baseline (0.05)")
    return parser


def compare_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="trustcheck compare",
                     description="Compare a run with a baseline run on the items they share.")
    parser.add_argument("baseline", help="results JSON of the baseline (e.g. the last release)")
    parser.add_argument("current", help="results JSON of the run to check")
    parser.add_argument("--level", type=_level, default=0.05, help="significance level (0.05, Holm-adjusted)")
    parser.add_argument("--json", metavar="OUT.json", help="also write the comparison as JSON")
    parser.add_argument("--format", choices=("text", "md"), default="text",
                        help="text (default) or md: a Markdown table for a pull-request comment")
    return parser


def _fail(message: str) -> int:
    print(printable(message), file=sys.stderr)
    return 2


def cmd_report(argv: Sequence[str]) -> int:
    try:
        args = report_parser().parse_args(list(argv))
        results = load_results(args.results)
        comparison = compare(load_results(args.baseline), results, args.level) if args.baseline else None
    except (_UsageError, ResultsFileError) as exc:
        return _fail(str(exc))
    if not args.html:
        print(text_summary(results))
        if comparison is not None:
            print("\n" + format_comparison_table(comparison))
        return 0
    started = time.perf_counter()
    try:
        size = write_report(results, args.html, evidence=args.evidence, comparison=comparison)
    except OSError as exc:
        return _fail(f"{args.html}: cannot write report ({exc.strerror or exc})")
    elapsed = time.perf_counter() - started
    print(f"wrote {args.html} ({size / 1e6:.1f} MB, {len(results['items'])} items, {elapsed:.1f} s)")
    return 0


def cmd_compare(argv: Sequence[str]) -> int:
    try:
        args = compare_parser().parse_args(list(argv))
        comparison = compare(load_results(args.baseline), load_results(args.current), args.level)
    except (_UsageError, ResultsFileError) as exc:
        return _fail(str(exc))
    print(format_comparison_markdown(comparison) if args.format == "md" else format_comparison_table(comparison))
    if args.json:
        try:
            document = {"format": COMPARISON_FORMAT, **comparison.as_dict()}
            Path(args.json).write_text(dumps_strict(document, indent=2) + "\n", encoding="utf-8")
        except OSError as exc:
            return _fail(f"{args.json}: cannot write comparison ({exc.strerror or exc})")
    return 1 if comparison.failed else 0
