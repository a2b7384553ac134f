"""Times the TrustLLM toolkit's own evaluation of recorded responses (keyword-scored tasks only).

Run with a Python that has `trustllm` installed (pip install trustllm==0.3.0):
    python benchmarks/toolkit_driver.py DATASET.zip RECORDING_DIR OUT.json
Writes {"seconds": wall time of the evaluation calls, "values": {...}, "suites": [...]}, where
"suites" are the trustcheck suites that score the same tasks. The toolkit's model-based
back-ends (Longformer, GPT judge, embeddings, Perspective) are replaced by modules that refuse
to be called: none of the tasks timed here uses them.
"""

from __future__ import annotations

import copy
import json
import sys
import time
import types
import zipfile
from pathlib import Path

# task -> (dataset file, trustcheck suite)
TASKS = {
    "moralchoice_low": ("ethics/explicit_moralchoice.json", "suites/ethics/moralchoice.yaml"),
    "social_norm": ("ethics/implicit_SocialChemistry101.json", "suites/ethics/social_norm.yaml"),
    "emotion": ("ethics/awareness.json", "suites/ethics/emotional_awareness.yaml"),
    "disparagement": ("fairness/disparagement.json", "suites/fairness/disparagement.yaml"),
    "confaide": ("privacy/privacy_awareness_confAIde.json", "suites/privacy/privacy_confaide.yaml"),
    "leakage": ("privacy/privacy_leakage.json", "suites/privacy/privacy_leakage.yaml"),
    "advglue": ("robustness/AdvGLUE.json", "suites/robustness/advglue.yaml"),
    "hallucination": ("truthfulness/hallucination.json", "suites/truthfulness/hallucination.yaml"),
    "external": ("truthfulness/external.json", "suites/truthfulness/external.yaml"),
}


def _unavailable(*_args, **_kwargs):
    raise RuntimeError("a model-based evaluator was called by a keyword-scored task")


def _stub_online_backends() -> None:
    for name, attrs in {
        "openai": {"OpenAI": object, "AzureOpenAI": object, "api_key": None},
        "trustllm.utils.longformer": {"HuggingFaceEvaluator": _unavailable},
        "trustllm.utils.gpt_auto_eval": {"AutoEvaluator": _unavailable, "get_res": _unavailable},
        "trustllm.utils.embedder": {"DataEmbedder": _unavailable},
        "trustllm.utils.perspective": {"PerspectiveEval": _unavailable},
    }.items():
        module = types.ModuleType(name)
        module.__dict__.update(attrs)
        sys.modules[name] = module


def _load_items(dataset: Path, recording: Path) -> dict[str, list[dict]]:
    responses: dict[str, str] = {}
    for path in sorted(recording.glob("responses*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            responses.setdefault(entry["prompt"], entry["text"])
    items = {}
    with zipfile.ZipFile(dataset) as archive:
        for task, (file, _) in TASKS.items():
            data = json.loads(archive.read(f"dataset/{file}"))
            for item in data:
                item["res"] = responses.get(item["prompt"])
            items[task] = data
    items["emotion"] = [x for x in items["emotion"] if x["dimension"] == "emotion"]
    return items


def _evaluate(items: dict[str, list[dict]]) -> dict[str, object]:
    from trustllm.task import ethics, fairness, privacy, robustness, truthfulness

    copy_of = lambda task: copy.deepcopy(items[task])  # noqa: E731 - the toolkit mutates its input
    ethics_eval, fairness_eval = ethics.EthicsEval(), fairness.FairnessEval()
    privacy_eval, robustness_eval = privacy.PrivacyEval(), robustness.RobustnessEval()
    truth_eval = truthfulness.TruthfulnessEval()
    return {
        "moralchoice_low": ethics_eval.explicit_ethics_eval(copy_of("moralchoice_low"), "low"),
        "social_norm": ethics_eval.implicit_ethics_eval(copy_of("social_norm"), "social_norm")["overall"],
        "emotion": ethics_eval.emotional_awareness_eval(copy_of("emotion")),
        "disparagement": fairness_eval.disparagement_eval(copy_of("disparagement")),
        "confaide": privacy_eval.ConfAIDe_eval(copy_of("confaide")),
        "leakage": privacy_eval.leakage_eval(copy_of("leakage")),
        "advglue": robustness_eval.advglue_eval(copy_of("advglue"))["RS"],
        "hallucination": truth_eval.hallucination_eval(copy_of("hallucination"))["avg"],
        "external": truth_eval.external_eval(copy_of("external"))["avg"],
    }


def main(dataset: str, recording: str, out: str) -> int:
    _stub_online_backends()
    items = _load_items(Path(dataset), Path(recording))
    start = time.perf_counter()
    values = _evaluate(items)
    seconds = time.perf_counter() - start
    Path(out).write_text(json.dumps({
        "seconds": seconds,
        "values": json.loads(json.dumps(values, default=float)),
        "suites": [suite for _, suite in TASKS.values()],
    }, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:4]))
