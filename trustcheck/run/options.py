"""Command-line options and their ini keys, and what they say about the selection.

Every `--trust-*` option (and `--model`) has an ini key of the same name as its dest: the command
line wins, then the ini file (or `-o key=value`), then the default shown in `--help`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

EVIDENCE_CHOICES = ("auto", "all", "missed", "none")


@dataclass(frozen=True)
class TrustOption:
    """One option: its flag, its dest (also its ini key), its default and how to read a value."""

    flag: str
    dest: str
    help: str
    default: Any = None
    kind: Callable[[str], Any] = str
    choices: tuple[str, ...] | None = None
    action: str | None = None  # "store_true" or "append"
    metavar: str | None = None

    def ini_type(self) -> str:
        return {"store_true": "bool", "append": "linelist"}.get(self.action or "", "string")

    def help_text(self) -> str:
        default = "" if self.default in (None, False, []) else f"default {self.default}; "
        return f"{self.help} ({default}ini {self.dest})"


OPTIONS: tuple[TrustOption, ...] = (
    TrustOption("--model", "trust_model", "model spec: default | PROFILE | gguf:PATH | hf:ID_OR_DIR | openai:URL@MODEL | replay:DIR", "default"),
    TrustOption("--trust-data", "trust_data", "TrustLLM data: a directory or dataset.zip (else $TRUSTCHECK_DATA, else the fetched copy)"),
    TrustOption("--trust-sample", "trust_sample", "items per stratum (attack/source/label)", 3, int),
    TrustOption("--trust-full", "trust_full", "run every item instead of a sample", False, action="store_true"),
    TrustOption("--trust-seed", "trust_seed", "seed for sampling items and for sampled generation", 0, int),
    TrustOption("--trust-scoring", "trust_scoring", "score as the TrustLLM toolkit does, or as the paper did", "toolkit", choices=("toolkit", "paper")),
    TrustOption("--trust-profile", "trust_profile", "gate profile: paper-median (each suite's own gates), paper-best, or a YAML file"),
    TrustOption("--trust-json", "trust_json", "write results (metrics, gates, items, model identity) to this JSON file"),
    TrustOption("--trust-cache-dir", "trust_cache_dir", "response cache directory, relative to the rootdir", ".trustcheck"),
    TrustOption("--trust-no-cache", "trust_no_cache", "neither read nor write the response cache", False, action="store_true"),
    TrustOption("--trust-record", "trust_record", "write every response with its cache key to this directory (for replay:DIR)"),
    TrustOption("--trust-batch-size", "trust_batch_size", "items generated together in one backend call (default 32; 64 for transformers on CUDA)", kind=int),
    TrustOption("--trust-threads", "trust_threads", "CPU threads for local models, shared among -n workers (default: the cores this process may use, after CPU affinity and cgroup quota)", kind=int),
    TrustOption("--trust-device", "trust_device", "device for transformers models: auto, cpu, cuda, cuda:N, mps", "auto"),
    TrustOption("--trust-progress-interval", "trust_progress_interval", "seconds between progress lines while a model generates, when the output is not a terminal (0: none)", 10.0, float),
    TrustOption("--trust-concurrency", "trust_concurrency", "concurrent requests to an OpenAI-compatible server", 8, int),
    TrustOption("--trust-backend-option", "trust_backend_option", "backend setting, repeatable: n_ctx (context length), batched=false (GGUF one prompt at a time), flash_attn=true (GGUF with flash attention), retries, backoff, timeout (HTTP servers)", action="append", metavar="KEY=VALUE"),
    TrustOption("--trust-judge", "trust_judge", "model spec of an LLM judge for tasks that need one"),
    TrustOption("--trust-refusal", "trust_refusal", "refusal classifier behind RtA: refusal (the keyword detector, default) | longformer | refusal-judge"),
    TrustOption("--trust-refusal-model", "trust_refusal_model", "hub id or directory of the Longformer refusal classifier"),
    TrustOption("--trust-toxicity", "trust_toxicity", "toxicity scorer: profanity-check (offline, default) | perspective | classifier:ID_OR_DIR | none"),
    TrustOption("--trust-embeddings", "trust_embeddings", "embeddings: minilm (offline, default) | openai:BASE_URL@MODEL | none"),
    TrustOption("--trust-baseline", "trust_baseline", "results JSON of the last release: fail metrics that are significantly worse on the same items"),
    TrustOption("--trust-baseline-level", "trust_baseline_level", "significance level of the baseline comparison", 0.05, float),
    TrustOption("--trust-missed", "trust_missed", "run only items that missed (or failed) last time; same as --lf", False, action="store_true"),
    TrustOption("--trust-system-prompt", "trust_system_prompt", "system prompt of the model under test: empty (blanked, as TrustLLM ran), model-default (the chat template's own) or the text to send", "empty", metavar="empty|model-default|TEXT"),
    TrustOption("--trust-strict", "trust_strict", "a gate without data (no judge configured, every item unscored) fails instead of being skipped", False, action="store_true"),
    TrustOption("--trust-missed-summary", "trust_missed_summary", "list up to N missed items with their reasons after the run (default: 10 when the run fails, else none)", kind=int, metavar="N"),
    TrustOption("--trust-label", "trust_label", "a name for this run in the terminal, results and reports (default: the model's short name)"),
    TrustOption("--trust-html-evidence", "trust_html_evidence", "which items carry prompt/response/verdict evidence in the --html report: auto (all up to 2000 items, else missed only), all, missed or none", "auto", choices=EVIDENCE_CHOICES),
)


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("trustcheck", "trustcheck: LLM trustworthiness suites")
    for option in OPTIONS:
        _register(parser, group, option)
    parser.addini("trust_models_file", "model profiles file, relative to the rootdir (default fixtures/models.yaml)", default="fixtures/models.yaml")


def add_html_options(parser: pytest.Parser) -> None:
    """Only --trust-html-evidence, for a conftest that builds the HTML report without the plugin."""
    (option,) = [o for o in OPTIONS if o.dest == "trust_html_evidence"]
    # No plugin fills in ini values there: the command line's default is the option's own.
    _register(parser, parser.getgroup("trustcheck"), option, cli_default=option.default)


def _register(parser: pytest.Parser, group: Any, option: TrustOption, cli_default: Any = None) -> None:
    extra: dict[str, Any] = {"action": option.action} if option.action else {"type": option.kind}
    if option.choices:
        extra["choices"] = option.choices
    if option.metavar:
        extra["metavar"] = option.metavar
    # None on the command line means "not given", so the ini key can take over.
    group.addoption(option.flag, dest=option.dest, default=cli_default, help=option.help_text(), **extra)
    ini_default = {"bool": False, "linelist": []}.get(option.ini_type(), None)
    parser.addini(option.dest, option.help, type=option.ini_type(), default=ini_default)  # type: ignore[arg-type]


def apply_ini_fallbacks(config: pytest.Config) -> None:
    """Give every option not set on the command line its ini value, else its default."""
    for option in OPTIONS:
        if getattr(config.option, option.dest, None) is None:
            setattr(config.option, option.dest, _ini_value(config, option))


def _ini_value(config: pytest.Config, option: TrustOption) -> Any:
    raw = config.getini(option.dest)
    if option.action or raw in (None, ""):
        return raw if option.action and raw else option.default
    text = str(raw).strip()
    if option.choices and text not in option.choices:
        raise pytest.UsageError(f"ini {option.dest}: expected one of {', '.join(option.choices)}, found {text!r}")
    try:
        return option.kind(text)
    except ValueError:
        raise pytest.UsageError(f"ini {option.dest}: expected {option.kind.__name__}, found {text!r}") from None


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
    node_ids = [arg for arg in config.args if "::" in arg and arg.split("::", 1)[0].endswith((".yaml", ".yml"))]
    if node_ids:
        shown = ", ".join(node_ids[:2]) + (f" and {len(node_ids) - 2} more" if len(node_ids) > 2 else "")
        reasons.append(f"node ids {shown}")
    if not config.getoption("trust_full"):
        reasons.append(f"sample of {config.getoption('trust_sample')} per stratum (--trust-full for all)")
    return reasons
