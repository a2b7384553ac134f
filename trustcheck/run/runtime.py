"""Per-process state of a run: options, data, model pool, evaluators. Lives in config.stash."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from ..backends.base import SYSTEM_PROMPT_EMPTY, parse_system_prompt
from ..backends.registry import BackendOptions
from ..common.errors import ConfigError, DataError, TrustcheckError
from ..dataset.data import DataSource, data_source, resolve_location
from ..evaluators.base import Evaluator
from ..evaluators.registry import EvaluatorContext, create_evaluator
from ..responses.cache import NullCache, ResponseCache
from ..responses.models import load_profiles, resolve_spec
from ..responses.pool import ModelPool, worker_position
from ..responses.service_cache import cache_services
from ..suite.suite import Suite
from .progress import progress_board


@dataclass
class RunOptions:
    """The trustcheck options of this run, read once from the pytest config."""

    model: str
    data: str | None
    sample: int | None
    seed: int
    scoring: str
    cache_dir: Path
    use_cache: bool
    record_dir: str | None
    batch_size: int
    threads: int | None
    device: str
    concurrency: int
    judge: str | None
    profile: str | None
    json_path: str | None
    models_file: Path | None
    backend_extra: dict[str, str]
    system_prompt: str | None = ""

    @classmethod
    def from_config(cls, config: pytest.Config) -> RunOptions:
        opt = config.getoption
        root = Path(config.rootpath)
        full = opt("trust_full")
        sample = None if full else opt("trust_sample")
        cache_dir = opt("trust_cache_dir")
        models_file = config.getini("trust_models_file") or "fixtures/models.yaml"
        return cls(
            model=opt("trust_model"),
            data=opt("trust_data"),
            sample=sample,
            seed=opt("trust_seed"),
            scoring=opt("trust_scoring"),
            cache_dir=(root / cache_dir) if not Path(cache_dir).is_absolute() else Path(cache_dir),
            use_cache=not opt("trust_no_cache"),
            record_dir=opt("trust_record"),
            batch_size=opt("trust_batch_size"),
            threads=opt("trust_threads"),
            device=opt("trust_device"),
            concurrency=opt("trust_concurrency"),
            judge=opt("trust_judge"),
            profile=opt("trust_profile"),
            json_path=opt("trust_json"),
            models_file=root / models_file,
            backend_extra=parse_backend_options(opt("trust_backend_option") or []),
            system_prompt=parse_system_prompt(opt("trust_system_prompt") or SYSTEM_PROMPT_EMPTY),
        )


def parse_backend_options(pairs: list[str]) -> dict[str, str]:
    """`--trust-backend-option KEY=VALUE` entries (e.g. retries=2, timeout=60, n_ctx=8192)."""
    extra = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--trust-backend-option {pair!r}: expected KEY=VALUE")
        extra[key.strip()] = value.strip()
    return extra


@dataclass
class Runtime:
    """Created lazily on first need, once per process (controller or xdist worker)."""

    config: pytest.Config
    options: RunOptions
    _pool: ModelPool | None = None
    _evaluators: dict[str, Evaluator] = field(default_factory=dict)
    _data: DataSource | None = None
    _services: dict[str, Any] | None = None
    _response_cache: Any = None

    @property
    def rootpath(self) -> Path:
        return Path(self.config.rootpath)

    def data(self) -> DataSource:
        if self._data is None:
            location = resolve_location(self.options.data, Path(self.config.invocation_params.dir))
            if location is None:
                from ..dataset.data import FETCH_HINT

                raise DataError("TrustLLM dataset", f"not found; {FETCH_HINT}")
            self._data = data_source(location)
        return self._data

    def model_spec(self) -> str:
        return resolve_spec(self.options.model, load_profiles(self.options.models_file))

    def pool(self) -> ModelPool:
        if self._pool is None:
            self._pool = ModelPool(
                self.model_spec(), self.backend_options(), self._cache(), self._recorder(), progress=progress_board(self.config)
            )
        return self._pool

    def backend_options(self) -> BackendOptions:
        index, count = worker_position()
        if self.options.threads is not None and self.options.threads < 1:
            raise ConfigError(f"--trust-threads {self.options.threads}: expected a positive number of threads")
        return BackendOptions(
            device=self.options.device,
            threads=self.options.threads,
            worker_index=index,
            worker_count=count,
            batch_size=self.options.batch_size,
            concurrency=self.options.concurrency,
            n_ctx=self._n_ctx(),
            extra={"cache_dir": str(self.options.cache_dir), **self.options.backend_extra},
        )

    def _n_ctx(self) -> int:
        raw = self.options.backend_extra.get("n_ctx", "4096")
        if not raw.isdigit() or int(raw) < 1:
            raise ConfigError(f"--trust-backend-option n_ctx={raw!r}: expected a positive integer")
        return int(raw)

    def _cache(self):
        if self._response_cache is None:
            self._response_cache = (
                ResponseCache(self.options.cache_dir / "responses.sqlite3") if self.options.use_cache else NullCache()
            )
        return self._response_cache

    def _recorder(self):
        if not self.options.record_dir:
            return None
        from ..responses.record import Recorder

        return Recorder(Path(self.options.record_dir))

    def evaluator(self, suite: Suite) -> Evaluator:
        key = f"{suite.path}\0{suite.evaluator}"
        if key not in self._evaluators:
            context = EvaluatorContext(
                mode=self.options.scoring,  # type: ignore[arg-type]
                judge_spec=self.options.judge,
                data_dir=str(self.data().directory) if self._data_available() else None,
                services=self.services(),
            )
            try:
                self._evaluators[key] = create_evaluator(suite.evaluator, suite.evaluator_options, context)
            except (ValueError, TypeError, KeyError, TrustcheckError) as error:
                raise ConfigError(f"{suite.path}: $.evaluator: {error}") from None
        return self._evaluators[key]

    def services(self) -> dict[str, Any]:
        """Refusal, judge, toxicity and embedding services; their models load on first use."""
        if self._services is None:
            from ..evaluators.errors import EvaluatorError
            from ..evaluators.services_factory import build_services

            opt = self.config.getoption
            refusal_model = opt("trust_refusal_model")
            settings = {
                "refusal": opt("trust_refusal"),
                "refusal_options": {"model": refusal_model} if refusal_model else None,
                "judge": self.options.judge,
                "judge_cache": self._cache() if self.options.judge else None,
                "backend_options": self.backend_options(),
                "toxicity": opt("trust_toxicity"),
                "embeddings": opt("trust_embeddings"),
                "device": self.options.device,
                "mode": self.options.scoring,
                "data_dir": str(self.data().location) if self._data_available() else None,
            }
            try:
                services = build_services({k: v for k, v in settings.items() if v is not None})
            except EvaluatorError as error:
                raise ConfigError(str(error)) from None
            specs = {
                "embed": settings["embeddings"] or "minilm",
                "toxicity": f"{settings['toxicity'] or 'profanity-check'}\0{self.options.scoring}",
            }
            self._services = cache_services(services, self._cache(), specs)
        return self._services

    def _data_available(self) -> bool:
        try:
            self.data()
        except DataError:
            return False
        return True

    def seed_for(self, suite: Suite, item_id: str) -> int:
        digest = hashlib.sha256(f"{self.options.seed}\0{suite.name}\0{item_id}".encode()).digest()
        return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF

    def model_identity(self) -> dict[str, Any] | None:
        """The identity of the model this process used, if it used one."""
        if self._pool is None or self._pool._identity is None:
            return None
        return self._pool._identity.as_dict()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
        if self._response_cache is not None:
            # Closing checkpoints the WAL into the file, so the next run starts from one file.
            self._response_cache.close()


runtime_key = pytest.StashKey[Runtime]()


def get_runtime(config: pytest.Config) -> Runtime:
    if runtime_key not in config.stash:
        config.stash[runtime_key] = Runtime(config, RunOptions.from_config(config))
    return config.stash[runtime_key]
