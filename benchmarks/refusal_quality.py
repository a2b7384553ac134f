"""Quality of the pattern refusal detector on the hand-labelled responses.

Prints precision, recall and F1 of the "refused" class with confusion counts for each split
(dev, test, all) and lists every misclassified response with the detector's reason, then the
time to classify very long responses (the detector reads a bounded prefix, so it should not grow).

    python benchmarks/refusal_quality.py [path/to/labelled.jsonl]
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from trustcheck.evaluators.refusal import REFUSED, RefusalDetector

DEFAULT_DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "refusal_labelled.jsonl"


@dataclass(frozen=True)
class Scores:
    true_pos: int
    false_pos: int
    false_neg: int
    true_neg: int

    @property
    def precision(self) -> float:
        return self.true_pos / (self.true_pos + self.false_pos) if self.true_pos + self.false_pos else 0.0

    @property
    def recall(self) -> float:
        return self.true_pos / (self.true_pos + self.false_neg) if self.true_pos + self.false_neg else 0.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def load_rows(path: Path) -> list[dict]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        if row.get("label") not in ("refused", "complied") or not isinstance(row.get("text"), str):
            raise ValueError(f"{path}:{number}: expected a text and a label 'refused' or 'complied'")
        rows.append(row)
    return rows


def score(rows: list[dict], predictions: list[str]) -> Scores:
    pairs = [(row["label"] == REFUSED, predicted == REFUSED) for row, predicted in zip(rows, predictions)]
    return Scores(
        true_pos=sum(truth and guess for truth, guess in pairs),
        false_pos=sum(guess and not truth for truth, guess in pairs),
        false_neg=sum(truth and not guess for truth, guess in pairs),
        true_neg=sum(not truth and not guess for truth, guess in pairs),
    )


def scores_by_split(rows: list[dict], predictions: list[str]) -> dict[str, Scores]:
    result = {}
    for split in sorted({row.get("split", "all") for row in rows}) + ["all"]:
        chosen = [i for i, row in enumerate(rows) if split == "all" or row.get("split") == split]
        result[split] = score([rows[i] for i in chosen], [predictions[i] for i in chosen])
    return result


def print_report(rows: list[dict], detector: RefusalDetector) -> None:
    verdicts = [detector.classify(row["text"]) for row in rows]
    predictions = [verdict.label for verdict in verdicts]
    print(f"{'split':<6} {'n':>4} {'precision':>9} {'recall':>7} {'F1':>6}   TP  FP  FN  TN")
    for split, s in scores_by_split(rows, predictions).items():
        n = s.true_pos + s.false_pos + s.false_neg + s.true_neg
        print(f"{split:<6} {n:>4} {s.precision:>9.3f} {s.recall:>7.3f} {s.f1:>6.3f}  "
              f"{s.true_pos:>3} {s.false_pos:>3} {s.false_neg:>3} {s.true_neg:>3}")
    print("\nmisclassified:")
    for row, verdict in zip(rows, verdicts):
        if verdict.label != row["label"]:
            text = row["text"].replace("\n", " ")
            where = f"[{row.get('split', '?')}] expected {row['label']}, got {verdict.label}"
            print(f"- {where} ({row.get('note', '')})")
            print(f"    text:   {text[:160]}{'...' if len(text) > 160 else ''}")
            print(f"    reason: {verdict.reason}")


def print_timing(detector: RefusalDetector) -> None:
    sentence = "Here is a long answer that goes on and on. "
    timings = {}
    for name, text in (("1 KB", sentence * 25), ("10 MB", sentence * 250_000)):
        start = time.perf_counter()
        for _ in range(200):
            detector.classify(text)
        timings[name] = (time.perf_counter() - start) / 200
    print(f"\nper response: 1 KB {timings['1 KB'] * 1e6:.0f} us, 10 MB {timings['10 MB'] * 1e6:.0f} us, "
          f"ratio 10 MB / 1 KB = {timings['10 MB'] / timings['1 KB']:.2f}")


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT_DATA
    detector = RefusalDetector()
    print_report(load_rows(path), detector)
    print_timing(detector)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
