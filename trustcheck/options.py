"""Command-line options and ini keys, and what they say about the selection."""

from __future__ import annotations

import pytest

EVIDENCE_CHOICES = ("auto", "all", "missed", "none")


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("trustcheck", "trustcheck: LLM trustworthiness suites")
    group.addoption("--model", dest="trust_model", default=None, help="model spec: default | PROFILE | gguf:PATH | hf:ID_OR_DIR | openai:URL@MODEL | replay:DIR")
    group.addoption("--trust-data", dest="trust_data", default=None, help="TrustLLM data: a directory or dataset.zip (else $TRUSTCHECK_DATA, else the fetched copy)")
    group.addoption("--trust-sample", dest="trust_sample", type=int, default=None, help="items per stratum (attack/source/label); default from ini trust_sample (3)")
    group.addoption("--trust-full", dest="trust_full", action="store_true", help="run every item instead of a sample")
    group.addoption("--trust-seed", dest="trust_seed", type=int, default=0, help="seed for sampling items and for sampled generation")
    group.addoption("--trust-scoring", dest="trust_scoring", choices=("toolkit", "paper"), default="toolkit", help="score as the TrustLLM toolkit does, or as the paper did")
    group.addoption("--trust-profile", dest="trust_profile", default=None, help="gate profile: paper-median (the default: each suite's own gates), paper-best, or a YAML file")
    group.addoption("--trust-json", dest="trust_json", default=None, help="write results (metrics, gates, items, model identity) to this JSON file")
    group.addoption("--trust-cache-dir", dest="trust_cache_dir", default=None, help="response cache directory (default .trustcheck in the rootdir)")
    group.addoption("--trust-no-cache", dest="trust_no_cache", action="store_true", help="neither read nor write the response cache")
    group.addoption("--trust-record", dest="trust_record", default=None, help="write every response with its cache key to this directory (for replay:DIR)")
    group.addoption("--trust-batch-size", dest="trust_batch_size", type=int, default=None, help="items generated together in one backend call")
    group.addoption("--trust-device", dest="trust_device", default="auto", help="device for transformers models: auto, cpu, cuda, cuda:N, mps")
    group.addoption("--trust-concurrency", dest="trust_concurrency", type=int, default=8, help="concurrent requests to an OpenAI-compatible server")
    group.addoption("--trust-backend-option", dest="trust_backend_option", action="append", default=None, metavar="KEY=VALUE", help="backend setting, repeatable: n_ctx (context length), retries, backoff, timeout (HTTP servers)")
    group.addoption("--trust-judge", dest="trust_judge", default=None, help="model spec of an LLM judge for tasks that need one")
    group.addoption("--trust-refusal", dest="trust_refusal", default=None, help="refusal classifier behind RtA: refusal (keyword detector, default) | longformer | refusal-judge")
    group.addoption("--trust-refusal-model", dest="trust_refusal_model", default=None, help="hub id or directory of the Longformer refusal classifier")
    group.addoption("--trust-toxicity", dest="trust_toxicity", default=None, help="toxicity scorer: profanity-check (default, offline) | perspective | classifier:ID_OR_DIR | none")
    group.addoption("--trust-embeddings", dest="trust_embeddings", default=None, help="embeddings: minilm (default, offline) | openai:BASE_URL@MODEL | none")
    group.addoption("--trust-baseline", dest="trust_baseline", default=None, help="results JSON of the last release: fail metrics that are significantly worse on the same items")
    group.addoption("--trust-baseline-level", dest="trust_baseline_level", type=float, default=0.05, help="significance level of the baseline comparison (default 0.05)")
    group.addoption("--trust-missed", dest="trust_missed", action="store_true", help="run only items that missed (or failed) last time; same as --lf")
    add_html_options(parser)
    parser.addini("trust_model", "default model spec or profile name", default="default")
    parser.addini("trust_sample", "default items per stratum", default="3")
    parser.addini("trust_cache_dir", "response cache directory", default=".trustcheck")
    parser.addini("trust_models_file", "model profiles file (relative to the rootdir)", default="fixtures/models.yaml")


def add_html_options(parser: pytest.Parser) -> None:
    parser.getgroup("trustcheck").addoption(
        "--trust-html-evidence",
        dest="trust_html_evidence",
        choices=EVIDENCE_CHOICES,
        default="auto",
        help="which items carry prompt/response/verdict evidence in the --html report: auto (all up to "
        "2000 items, else missed only; default), all, missed or none",
    )


def partial_reasons(config: pytest.Config) -> list[str]:
    """Why the selected items are not the whole suites: each named, for the gate table note."""
    reasons = []
    if config.getoption("keyword"):
        reasons.append(f"-k {config.getoption('keyword')!r}")
    if config.getoption("markexpr"):
        reasons.append(f"-m {config.getoption('markexpr')!r}")
    if config.getoption("lf", False) or config.getoption("trust_missed"):
        reasons.append("only items that missed last time (--lf)")
    if config.getoption("deselect", None):
        reasons.append("--deselect")
    if not config.getoption("trust_full"):
        sample = config.getoption("trust_sample") or config.getini("trust_sample")
        reasons.append(f"sample of {sample} per stratum (--trust-full for all)")
    return reasons
