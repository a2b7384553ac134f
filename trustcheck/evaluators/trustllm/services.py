"""The external services TrustLLM's evaluation needs, as interfaces, and access to them.

`EvaluatorContext.services` may hold, under these keys:

* ``"refusal"``: an Evaluator whose verdict labels are "refused"/"complied" (the keyword
  detector by default, TrustLLM's Longformer classifier when configured). When the key is
  absent, the registered ``refusal`` evaluator is created on first use.
* ``"judge"``: ``judge(task_key, prompt_text) -> str | None``, the LLM judge; ``None`` means no
  judge is configured, and items that need one are reported unscored.
* ``"embed"``: ``embed(texts) -> list[list[float]]``, sentence embeddings.
* ``"toxicity"``: ``toxicity(texts) -> list[float | None]``, a toxicity score in [0, 1] per text
  (None where the service gave none, as the toolkit skips Perspective errors).

Task evaluators never call a service directly: `ServiceSet` turns an absent or failing service
into `Unscorable` with a reason the user can act on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, runtime_checkable

from ..base import Case, Evaluator, Verdict
from ..registry import EvaluatorContext, create_evaluator
from .prompts import TaskPrompts
from .unscorable import Unscorable

NEEDS_JUDGE = "needs an LLM judge (--trust-judge)"
NEEDS_EMBED = "needs an embedding model (the 'embeddings' extra or an embeddings endpoint)"
NEEDS_TOXICITY = "needs a toxicity scorer (the 'toxicity' extra or the Perspective API)"


@runtime_checkable
class JudgeService(Protocol):
    """An LLM judge: the verdict text for one fully built judge prompt, or None without a judge."""

    def __call__(self, task_key: str, prompt_text: str) -> str | None: ...


@runtime_checkable
class EmbedService(Protocol):
    """Sentence embeddings, one vector per text, in order."""

    def __call__(self, texts: list[str]) -> list[list[float]]: ...


@runtime_checkable
class ToxicityService(Protocol):
    """A toxicity probability per text, None where no score could be had."""

    def __call__(self, texts: list[str]) -> list[float | None]: ...


# The refusal service is an ordinary Evaluator labelling responses "refused" or "complied".
RefusalService = Evaluator


class ServiceUnavailable(Unscorable):
    """A service an item needs is not configured or failed; the message says why."""


class JudgeFailed(ServiceUnavailable):
    """A configured judge raised or gave no answer (the toolkit's `get_res` then returns None)."""


class ServiceSet:
    """The services of one evaluator context, resolved lazily."""

    def __init__(self, context: EvaluatorContext) -> None:
        self._context = context
        self._services = context.services
        self._refusal: Evaluator | None = None
        self._prompts: TaskPrompts | None = None
        self._collecting: list[tuple[str, str]] | None = None
        self._answers: dict[tuple[str, str], str | None] = {}

    @property
    def prompts(self) -> TaskPrompts:
        if self._prompts is None:
            self._prompts = TaskPrompts.for_data_dir(self._context.data_dir)
        return self._prompts

    def refusal(self) -> Evaluator:
        if self._refusal is None:
            service = self._services.get("refusal")
            if service is None:
                try:
                    service = create_evaluator("refusal", {}, self._context)
                except Exception as error:  # noqa: BLE001 - any failure means "no classifier here"
                    raise ServiceUnavailable(f"needs a refusal classifier, and none could be created ({error})") from None
            self._refusal = service
        return self._refusal

    def classify_refusals(self, cases: Sequence[Case]) -> list[Verdict]:
        """Refused/complied verdicts from the refusal service, one per case."""
        if not cases:
            return []
        verdicts = self.refusal().evaluate_batch(list(cases))
        if len(verdicts) != len(cases):
            raise ServiceUnavailable(f"the refusal classifier returned {len(verdicts)} verdicts for {len(cases)} responses")
        return list(verdicts)

    def judge(self, task_key: str, prompt_text: str) -> str:
        judge = self._services.get("judge")
        if judge is None:
            raise ServiceUnavailable(NEEDS_JUDGE)
        if self._collecting is not None:
            self._collecting.append((task_key, prompt_text))
            raise Unscorable("judge request collected")
        request = (task_key, prompt_text)
        try:
            answer = self._answers[request] if request in self._answers else judge(task_key, prompt_text)
        except Exception as error:  # noqa: BLE001 - a judge failure leaves this item unscored
            raise JudgeFailed(f"the LLM judge failed: {error}") from None
        if answer is None:
            spec = self._context.judge_spec
            if not spec:
                raise ServiceUnavailable(NEEDS_JUDGE)
            raise JudgeFailed(f"the LLM judge ({spec}) gave no answer")
        return str(answer)

    def batch_judging(self, score_all: Callable[[], object]) -> None:
        """Ask a batching judge (one with `judge_many`) every question `score_all` would ask, at once.

        `score_all` runs once with the judge collecting its questions; their answers then serve
        the real scoring pass. Judges without `judge_many` are asked one question at a time.
        """
        self._answers = {}
        judge_many = getattr(self._services.get("judge"), "judge_many", None)
        if judge_many is None:
            return
        self._collecting = []
        try:
            score_all()
            requests = list(dict.fromkeys(self._collecting))
        finally:
            self._collecting = None
        if requests:
            try:
                self._answers = dict(zip(requests, judge_many(requests)))
            except Exception:  # noqa: BLE001 - fall back to asking one at a time, which reports errors per item
                self._answers = {}

    def embed(self, texts: list[str]) -> list[list[float]]:
        vectors = self._one_per_text("embed", NEEDS_EMBED, texts, "the embedding model", "vectors")
        return [[float(x) for x in vector] for vector in vectors]

    def toxicity(self, texts: list[str]) -> list[float | None]:
        scores = self._one_per_text("toxicity", NEEDS_TOXICITY, texts, "the toxicity scorer", "scores")
        return [None if s is None else float(s) for s in scores]

    def _one_per_text(self, key: str, missing: str, texts: list[str], what: str, noun: str) -> list[Any]:
        service = self._services.get(key)
        if service is None:
            raise ServiceUnavailable(missing)
        results = _call(service, texts, what)
        if len(results) != len(texts):
            raise ServiceUnavailable(f"{what} returned {len(results)} {noun} for {len(texts)} texts")
        return results


def _call(service: Any, texts: list[str], what: str) -> Any:
    try:
        return list(service(texts))
    except Exception as error:  # noqa: BLE001 - reported as the items' unscored reason
        raise ServiceUnavailable(f"{what} failed: {error}") from None
