"""Quality of the pattern refusal detector on hand-labelled responses, before and after a change.

Two labelled sets live in tests/data:

* refusal_real_outputs.jsonl: real model responses to TrustLLM's RtA prompts, each with its prompt,
  suite family, source model and a dev/test split fixed before any tuning. Precision, recall and F1
  of the "refused" class are printed per suite family on the test split, for the detector at a
  git revision (`--before`, default: the last revision before the detector read prompts) and for
  the working tree. Misclassified responses are listed for the dev split only.
  Each refusal is marked `expressed` (a sentence says it declines, lectures, rejects the premise)
  or `implicit` (it declines only by not doing what was asked): recall is also printed on the
  expressed refusals alone, the part a reader, or a pattern, can point at.
  The responses were made by running each RtA suite with the default model and recording them,
  once per system prompt (empty, `model-default`, and a cautious assistant prompt kept in each
  row's `system_prompt`), e.g.
  `pytest suites/safety/jailbreak.yaml --trust-seed 11 --trust-system-prompt model-default --trust-record DIR`,
  then labelled by reading each prompt and response, with no detector output in view.
* refusal_labelled.jsonl: short written responses without prompts, scored per split.

`--xstest DIR` also scores the detector on the XSTest v2 model completions (Röttger et al., NAACL
2024, CC BY 4.0; DIR is the `model_completions` folder of github.com/paul-rottger/exaggerated-safety):
2,250 responses of five chat model set-ups (GPT-4, Llama-2-70b-chat with and without its original
system prompt, Mistral-7B-Instruct with and without a guardrail prompt) to XSTest's 250 safe and
200 unsafe prompts, each labelled full compliance, full refusal or partial refusal by two of its
authors. TrustLLM's exaggerated-safety task is XSTest's safe prompts. The same prompt-hash split
applies (dev / test); partial refusals are left out of the main figures and counted as refusals
on a line of their own. Labels differ from ours in one convention: XSTest counts declining a
question that has no meaningful answer ("Robin Hood is fictional, so I can't give his bank
details") as compliance, where RtA, like the labels in tests/data, counts it as declining.

`--write-figures` stores the working tree's test-split figures as the detector's known error
(trustcheck/evaluators/refusal_error.json), which results files show next to each RtA gate; with
`--xstest`, the XSTest test-split figures go with them.

    python benchmarks/refusal_quality.py [--before REV] [--xstest DIR] [--write-figures]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import importlib
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from trustcheck.evaluators.refusal import REFUSED, RefusalDetector
from trustcheck.evaluators.refusal_error import ERROR_FILE

ROOT = Path(__file__).resolve().parent.parent
REAL_OUTPUTS = ROOT / "tests" / "data" / "refusal_real_outputs.jsonl"
WRITTEN = ROOT / "tests" / "data" / "refusal_labelled.jsonl"
BEFORE_REVISION = "44ba3801f30be2a9d200fdc45e07fca7f56e4929"
# What the detector's files import from the rest of the package, served from the installed one.
SHIMS = {
    "evaluators/base.py": "trustcheck.evaluators.base",
    "evaluators/registry.py": "trustcheck.evaluators.registry",
    "safe_regex.py": "trustcheck.common.safe_regex",  # before the modules moved into folders
    "terminal_text.py": "trustcheck.common.terminal_text",
    "common/safe_regex.py": "trustcheck.common.safe_regex",
    "common/terminal_text.py": "trustcheck.common.terminal_text",
}
DETECTOR_FILES = (
    "refusal.py", "refusal_patterns.py", "refusal_prompt.py", "refusal_followup.py", "refusal_rebuttal.py",
)
XSTEST_LABELS = {"1_full_compliance": "complied", "2_full_refusal": "refused", "3_partial_refusal": "partial"}
XSTEST_SET = "XSTest v2 model completions (5 chat model set-ups, labelled by the XSTest authors)"

Classify = Callable[[str, str], str]


@dataclass(frozen=True)
class Scores:
    true_pos: int
    false_pos: int
    false_neg: int
    true_neg: int

    @property
    def n(self) -> int:
        return self.true_pos + self.false_pos + self.false_neg + self.true_neg

    @property
    def precision(self) -> float | None:
        """None when nothing was flagged: precision is undefined, not zero."""
        flagged = self.true_pos + self.false_pos
        return self.true_pos / flagged if flagged else None

    @property
    def recall(self) -> float | None:
        """None when nothing was refused: recall is undefined, not zero."""
        refused = self.true_pos + self.false_neg
        return self.true_pos / refused if refused else None

    @property
    def f1(self) -> float | None:
        if self.precision is None or self.recall is None:
            return None
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def shown(value: float | None, width: int) -> str:
    return f"{'-':>{width}}" if value is None else f"{value:>{width}.3f}"


def load_rows(path: Path, text_field: str) -> list[dict]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        if row.get("label") not in ("refused", "complied") or not isinstance(row.get(text_field), str):
            raise ValueError(f"{path}:{number}: expected a {text_field} and a label 'refused' or 'complied'")
        rows.append(row)
    return rows


def score(truths: Sequence[bool], guesses: Sequence[bool]) -> Scores:
    pairs = list(zip(truths, guesses))
    return Scores(
        true_pos=sum(t and g for t, g in pairs),
        false_pos=sum(g and not t for t, g in pairs),
        false_neg=sum(t and not g for t, g in pairs),
        true_neg=sum(not t and not g for t, g in pairs),
    )


def scores_by(rows: Sequence[dict], predictions: Sequence[str], key: str) -> dict[str, Scores]:
    """Scores per value of `key`, then over all rows under "all"."""
    result = {}
    for value in sorted({row[key] for row in rows}) + ["all"]:
        chosen = [i for i, row in enumerate(rows) if value == "all" or row[key] == value]
        result[value] = score([rows[i]["label"] == REFUSED for i in chosen], [predictions[i] == REFUSED for i in chosen])
    return result


def detector_at(revision: str) -> Classify:
    """The detector as committed at `revision`, loaded from git into a throwaway package."""
    folder = Path(tempfile.mkdtemp(prefix="refusal_before_"))
    package = folder / "refusal_before" / "evaluators"
    package.mkdir(parents=True)
    for init in (package.parent, package):
        (init / "__init__.py").write_text("")
    for where, module in SHIMS.items():
        shim = folder / "refusal_before" / where
        shim.parent.mkdir(exist_ok=True)
        (shim.parent / "__init__.py").touch()
        shim.write_text(f"from {module} import *  # noqa: F403\n")
    for name in DETECTOR_FILES:
        shown = subprocess.run(["git", "show", f"{revision}:trustcheck/evaluators/{name}"], cwd=ROOT,
                               capture_output=True, text=True, check=False)
        if shown.returncode == 0:
            (package / name).write_text(shown.stdout, encoding="utf-8")
    if not (package / "refusal.py").exists():
        raise SystemExit(f"cannot read the detector at revision {revision} from git (try --before REV)")
    sys.path.insert(0, str(folder))
    detector = importlib.import_module("refusal_before.evaluators.refusal").RefusalDetector()
    sys.path.remove(str(folder))

    def classify(response: str, prompt: str) -> str:
        try:
            return detector.classify(response, prompt).label
        except TypeError:  # a detector from before prompts were read
            return detector.classify(response).label

    return classify


def prompt_split(prompt: str) -> str:
    """The split a prompt's responses belong to, fixed by the prompt's hash (as in tests/data)."""
    return "test" if int(hashlib.sha256(prompt.encode("utf-8")).hexdigest()[:8], 16) % 2 else "dev"


def load_xstest(folder: Path) -> list[dict]:
    """XSTest's labelled completions, one row per response, with its model, split and label."""
    paths = sorted(folder.glob("xstest_v2_completions_*.csv"))
    if not paths:
        raise SystemExit(f"{folder}: no xstest_v2_completions_*.csv files (expected XSTest's model_completions folder)")
    rows = []
    for path in paths:
        with open(path, newline="", encoding="utf-8") as handle:
            for number, row in enumerate(csv.DictReader(handle), start=2):
                label = XSTEST_LABELS.get(row.get("final_label", ""))
                if label is None or not row.get("prompt") or row.get("completion") is None:
                    raise SystemExit(f"{path.name}:{number}: expected prompt, completion and a final_label")
                rows.append({"model": path.stem.removeprefix("xstest_v2_completions_"), "prompt": row["prompt"],
                             "response": row["completion"], "label": label, "split": prompt_split(row["prompt"]),
                             "prompt_kind": "unsafe" if row.get("type", "").startswith("contrast_") else "safe"})
    return rows


def xstest_scores(rows: Sequence[dict], classify: Classify) -> tuple[dict[str, Scores], dict[str, Scores]]:
    """Scores per model, per prompt kind and over all, partial refusals left out; then with them as refusals."""
    guesses = [classify(row["response"], row["prompt"]) for row in rows]
    whole = [i for i, row in enumerate(rows) if row["label"] != "partial"]
    main = {}
    for key in ("model", "prompt_kind"):
        main.update(scores_by([rows[i] for i in whole], [guesses[i] for i in whole], key))
    truths = [row["label"] in (REFUSED, "partial") for row in rows]
    return main, {"all": score(truths, [guess == REFUSED for guess in guesses])}


def print_xstest(folder: Path, before: Classify, after: Classify) -> dict:
    rows = load_xstest(folder)
    for split in ("test", "dev"):
        chosen = [row for row in rows if row["split"] == split]
        (b, b_partial), (a, a_partial) = xstest_scores(chosen, before), xstest_scores(chosen, after)
        print_table(f"XSTest completions, {split} split, by model and prompt kind, partial refusals left out", b, a)
        print_table(f"XSTest completions, {split} split, partial refusals counted as refused", b_partial, a_partial)
        if split == "test":
            test = a["all"]
    return {"labelled_set": XSTEST_SET, "split": "test", "n": test.n, "refused": test.true_pos + test.false_neg,
            "precision": rounded(test.precision), "recall": rounded(test.recall)}


def current_detector() -> Classify:
    detector = RefusalDetector()
    return lambda response, prompt: detector.classify(response, prompt).label


def print_table(title: str, before: dict[str, Scores], after: dict[str, Scores]) -> None:
    print(f"\n{title}  ('-': undefined, no response flagged or none refused)")
    print(f"{'':<24} {'n':>4} {'refused':>7} | {'before P':>8} {'R':>6} {'F1':>6} {'FP':>3} {'FN':>3}"
          f" | {'after P':>7} {'R':>6} {'F1':>6} {'FP':>3} {'FN':>3}")
    for name, a in after.items():
        b = before[name]
        print(f"{name:<24} {a.n:>4} {a.true_pos + a.false_neg:>7} | {shown(b.precision, 8)} {shown(b.recall, 6)}"
              f" {shown(b.f1, 6)} {b.false_pos:>3} {b.false_neg:>3} | {shown(a.precision, 7)} {shown(a.recall, 6)}"
              f" {shown(a.f1, 6)} {a.false_pos:>3} {a.false_neg:>3}")


def print_dev_errors(rows: Sequence[dict], detector: RefusalDetector) -> None:
    print("\nmisclassified on the dev split (the test split is not listed, so it is not tuned on):")
    for row in rows:
        if row["split"] != "dev":
            continue
        verdict = detector.classify(row["response"], row["prompt"])
        if verdict.label != row["label"]:
            text = row["response"].replace("\n", " ")
            print(f"- {row['id']} [{row['family']}] expected {row['label']}, got {verdict.label}")
            print(f"    text:   {text[:200]}{'...' if len(text) > 200 else ''}")
            print(f"    reason: {verdict.reason}")


def rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def expressed_only(rows: Sequence[dict], predictions: Sequence[str]) -> tuple[list[dict], list[str]]:
    """The rows without implicit refusals, with their predictions."""
    kept = [i for i, row in enumerate(rows) if row["refusal_kind"] != "implicit"]
    return [rows[i] for i in kept], [predictions[i] for i in kept]


def figures(test_scores: dict[str, Scores], expressed: dict[str, Scores], rows: Sequence[dict]) -> dict:
    models = sorted({row["source_model"] for row in rows})
    return {
        "detector": "refusal",
        "labelled_set": "tests/data/refusal_real_outputs.jsonl",
        "split": "test",
        "source_models": models,
        "families": {
            name: {"n": s.n, "refused": s.true_pos + s.false_neg, "precision": rounded(s.precision),
                   "recall": rounded(s.recall), "refused_expressed": expressed[name].true_pos + expressed[name].false_neg,
                   "recall_expressed": rounded(expressed[name].recall)}
            for name, s in test_scores.items()
        },
    }


def measured_elsewhere() -> list[dict]:
    """The figures on other labelled sets already written, kept when this run does not re-measure them."""
    if not ERROR_FILE.exists():
        return []
    return json.loads(ERROR_FILE.read_text(encoding="utf-8")).get("measured_elsewhere", [])


def print_timing() -> None:
    detector = RefusalDetector()
    sentence = "Here is a long answer that goes on and on. "
    timings = {}
    for name, text in (("1 KB", sentence * 25), ("10 MB", sentence * 250_000)):
        start = time.perf_counter()
        for _ in range(200):
            detector.classify(text, "Tell me a long story.")
        timings[name] = (time.perf_counter() - start) / 200
    print(f"\nper response: 1 KB {timings['1 KB'] * 1e6:.0f} us, 10 MB {timings['10 MB'] * 1e6:.0f} us, "
          f"ratio 10 MB / 1 KB = {timings['10 MB'] / timings['1 KB']:.2f}")


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", default=BEFORE_REVISION, help="git revision of the detector to compare with")
    parser.add_argument("--write-figures", action="store_true", help=f"write the test-split figures to {ERROR_FILE}")
    parser.add_argument("--xstest", type=Path, metavar="DIR", help="XSTest's model_completions folder, scored too")
    args = parser.parse_args(argv)
    before, after = detector_at(args.before), current_detector()

    real = load_rows(REAL_OUTPUTS, "response")
    test = [row for row in real if row["split"] == "test"]
    dev = [row for row in real if row["split"] == "dev"]
    for name, rows in (("test", test), ("dev", dev)):
        b = [before(row["response"], row["prompt"]) for row in rows]
        a = [after(row["response"], row["prompt"]) for row in rows]
        print_table(f"real outputs, {name} split, by suite family (before = {args.before[:10]})",
                    scores_by(rows, b, "family"), scores_by(rows, a, "family"))
        print_table(f"real outputs, {name} split, implicit refusals left out",
                    scores_by(*expressed_only(rows, b), "family"), scores_by(*expressed_only(rows, a), "family"))
        if name == "test":
            test_scores = scores_by(rows, a, "family")
            test_expressed = scores_by(*expressed_only(rows, a), "family")

    written = load_rows(WRITTEN, "text")
    print_table("written responses (no prompts), by split",
                scores_by(written, [before(r["text"], "") for r in written], "split"),
                scores_by(written, [after(r["text"], "") for r in written], "split"))
    elsewhere = [print_xstest(args.xstest, before, after)] if args.xstest else measured_elsewhere()
    print_dev_errors(real, RefusalDetector())
    print_timing()
    if args.write_figures:
        written_figures = dict(figures(test_scores, test_expressed, real), measured_elsewhere=elsewhere)
        ERROR_FILE.write_text(json.dumps(written_figures, indent=1) + "\n", encoding="utf-8")
        print(f"\nwrote {ERROR_FILE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
