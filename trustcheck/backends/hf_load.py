"""Resolving an `hf:` spec to local files, and choosing the device and dtype to load it with."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from .base import BackendError, MissingExtraError
from .errors import first_line
from .registry import BackendOptions
from .workers import gpu_for_worker

if TYPE_CHECKING:
    import torch

SPEC_KEYS = ("gguf", "dtype", "revision")
DTYPES = ("auto", "float32", "bfloat16", "float16")
WEIGHT_PATTERNS = ("*.safetensors", "*.bin")
TOKENIZER_FILES = ("tokenizer.json", "tokenizer.model", "tokenizer_config.json", "vocab.json", "merges.txt")
_HUB_PATTERNS = ["*.json", "*.model", "*.txt", "*.jinja", "*.tiktoken"]


@dataclass(frozen=True)
class HFSpec:
    """`hf:HUB_ID_OR_DIR[#gguf=FILE&dtype=bfloat16&revision=REV]`, parsed."""

    source: str
    gguf_file: str | None = None
    dtype: str = "auto"
    revision: str | None = None


@dataclass(frozen=True)
class LocalModel:
    """A model directory on disk and the files that make its identity."""

    directory: Path
    gguf_file: str | None
    weight_files: tuple[Path, ...]
    tokenizer_files: tuple[Path, ...]


def parse_spec(rest: str) -> HFSpec:
    source, _, fragment = rest.partition("#")
    if not source:
        raise BackendError("hf: spec needs a hub id or a directory, e.g. hf:HuggingFaceTB/SmolLM2-135M-Instruct")
    settings = dict(parse_qsl(fragment, keep_blank_values=True))
    unknown = sorted(set(settings) - set(SPEC_KEYS))
    if unknown:
        raise BackendError(f"hf:{rest}: unknown option {unknown[0]!r} after '#'; valid: {', '.join(SPEC_KEYS)}")
    dtype = settings.get("dtype", "auto")
    if dtype not in DTYPES:
        raise BackendError(f"hf:{rest}: dtype must be one of {', '.join(DTYPES)}, got {dtype!r}")
    return HFSpec(source, settings.get("gguf") or None, dtype, settings.get("revision") or None)


def _looks_like_path(source: str) -> bool:
    return source.startswith(("/", "./", "../", "~", ".\\")) or source.count("/") > 1 or "\\" in source


def _local_model(directory: Path, gguf_file: str | None) -> LocalModel:
    if gguf_file:
        weights = directory / gguf_file
        if not weights.is_file():
            raise BackendError(f"GGUF file not found: {weights}")
        return LocalModel(directory, gguf_file, (weights,), ())
    if not (directory / "config.json").is_file():
        raise BackendError(f"not a transformers model directory (no config.json): {directory}")
    for pattern in WEIGHT_PATTERNS:
        weights = tuple(sorted(directory.glob(pattern)))
        if weights:
            break
    else:
        raise BackendError(f"no weights (*.safetensors or *.bin) in model directory {directory}")
    tokenizer = tuple(directory / name for name in TOKENIZER_FILES if (directory / name).is_file())
    return LocalModel(directory, None, weights, tokenizer)


def _download(spec: HFSpec) -> Path:
    try:
        from huggingface_hub import HfApi, snapshot_download
        from huggingface_hub.constants import HF_HUB_OFFLINE
    except ImportError as error:
        raise MissingExtraError("hf: hub ids need huggingface_hub: pip install 'trustcheck[hf]'") from error
    try:
        if HF_HUB_OFFLINE:  # HF_HUB_OFFLINE=1: only what an earlier download left in the cache
            return Path(snapshot_download(spec.source, revision=spec.revision, local_files_only=True))
        if spec.gguf_file:
            patterns = [spec.gguf_file]
        else:
            files = HfApi().list_repo_files(spec.source, revision=spec.revision)
            weights = "*.safetensors" if any(f.endswith(".safetensors") for f in files) else "*.bin"
            patterns = [*_HUB_PATTERNS, weights]
        return Path(snapshot_download(spec.source, revision=spec.revision, allow_patterns=patterns))
    except Exception as error:  # noqa: BLE001 - the hub client raises many types; the user needs one line
        raise BackendError(
            f"hf:{spec.source}: could not download from the Hugging Face Hub ({first_line(error)}); "
            "check the id and the network, or pass a local directory"
        ) from None


def resolve(spec: HFSpec) -> LocalModel:
    """Local files for the spec: a directory, a .gguf file, or a hub snapshot."""
    path = Path(spec.source).expanduser()
    if path.is_file():
        if path.suffix != ".gguf":
            raise BackendError(f"hf:{spec.source}: expected a model directory or a .gguf file, got a file")
        return _local_model(path.parent, path.name)
    if path.is_dir():
        return _local_model(path, spec.gguf_file)
    if _looks_like_path(spec.source):
        raise BackendError(f"model directory not found: {spec.source}")
    return _local_model(_download(spec), spec.gguf_file)


def choose_device(options: BackendOptions) -> torch.device:
    """CUDA when present (worker N on GPU N), else CPU; `options.device` forces one."""
    import torch

    requested = (options.device or "auto").strip().lower()
    if requested == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda", gpu_for_worker(options, torch.cuda.device_count()))
        return torch.device("cpu")
    if requested.startswith("cuda") and not torch.cuda.is_available():
        raise BackendError(
            f"--device {requested}: torch {torch.__version__} sees no CUDA device "
            "(install the torch build for your CUDA, or use --device cpu)"
        )
    if requested == "cuda":
        return torch.device("cuda", gpu_for_worker(options, torch.cuda.device_count()))
    try:
        return torch.device(requested)
    except RuntimeError:
        raise BackendError(f"--device {options.device!r} is not a torch device (try auto, cpu, cuda, cuda:1, mps)") from None


def choose_dtype(device: torch.device, requested: str) -> torch.dtype:
    """bfloat16 on GPUs that have it (float16 on older ones), float32 on CPU."""
    import torch

    if requested != "auto":
        return getattr(torch, requested)
    if device.type == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    if device.type == "mps":
        return torch.float16
    return torch.float32


def _load_failure(local: LocalModel, error: Exception) -> BackendError:
    name = local.directory / local.gguf_file if local.gguf_file else local.directory
    return BackendError(f"cannot load a transformers model from {name}: {first_line(error)}")


def load_tokenizer(local: LocalModel) -> object:
    """The tokenizer alone: enough to name the model (its chat template) without its weights."""
    from transformers import AutoTokenizer

    kwargs: dict[str, object] = {"gguf_file": local.gguf_file} if local.gguf_file else {}
    try:
        return AutoTokenizer.from_pretrained(str(local.directory), **kwargs)
    except Exception as error:  # noqa: BLE001 - transformers raises OSError, ValueError, KeyError... for bad files
        raise _load_failure(local, error) from None


def load(local: LocalModel, device: torch.device, dtype: torch.dtype) -> tuple[object, object]:
    """The model (eval mode, on the device) and its tokenizer."""
    from transformers import AutoModelForCausalLM

    tokenizer = load_tokenizer(local)
    kwargs: dict[str, object] = {"gguf_file": local.gguf_file} if local.gguf_file else {}
    # Straight onto an accelerator: a 7B model never takes a second copy's worth of host memory.
    placement = {} if device.type == "cpu" else {"device_map": {"": str(device)}}
    try:
        model = AutoModelForCausalLM.from_pretrained(str(local.directory), dtype=dtype, **kwargs, **placement)
    except Exception as error:  # noqa: BLE001 - transformers raises OSError, ValueError, KeyError... for bad files
        raise _load_failure(local, error) from None
    return model.to(device).eval(), tokenizer
