"""Sampling where each request draws from its own seeded generator, whatever batch it is in."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from transformers import LogitsProcessor

# transformers' defaults when a model's generation_config leaves them unset; TrustLLM relies on them.
DEFAULT_TOP_K = 50
DEFAULT_TOP_P = 1.0


class SeededSampler(LogitsProcessor):
    """Samples one token per row and returns scores where only that token survives.

    Run with greedy decoding, the greedy step then picks the sampled token. Sampling through
    `do_sample=True` draws every row from torch's one global generator, so a request's text would
    depend on the other requests in its batch; a generator per row makes the text a function of
    the prompt, the settings and the seed alone, which is what the response cache assumes.
    """

    def __init__(
        self,
        seeds: Sequence[int],
        temperature: float,
        top_k: int | None,
        top_p: float | None,
        device: torch.device,
    ) -> None:
        if temperature <= 0:
            raise ValueError("SeededSampler needs a temperature above 0")
        self.temperature = temperature
        self.top_k = top_k if top_k is not None else DEFAULT_TOP_K
        self.top_p = top_p if top_p is not None else DEFAULT_TOP_P
        generator_device = device if device.type == "cuda" else torch.device("cpu")
        self.generators = [torch.Generator(device=generator_device).manual_seed(int(s)) for s in seeds]

    def _warp(self, scores: torch.Tensor) -> torch.Tensor:
        scores = scores.float() / self.temperature
        if 0 < self.top_k < scores.shape[-1]:
            kth = torch.topk(scores, self.top_k, dim=-1).values[..., -1:]
            scores = scores.masked_fill(scores < kth, float("-inf"))
        if self.top_p < 1.0:
            ordered, order = torch.sort(scores, descending=True, dim=-1)
            cumulative = ordered.softmax(dim=-1).cumsum(dim=-1)
            drop_sorted = cumulative - ordered.softmax(dim=-1) > self.top_p  # keeps at least one token
            drop = drop_sorted.scatter(-1, order, drop_sorted)
            scores = scores.masked_fill(drop, float("-inf"))
        return scores

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        probabilities = self._warp(scores).softmax(dim=-1)
        if probabilities.device.type != self.generators[0].device.type:
            probabilities = probabilities.cpu()
        picks = [
            torch.multinomial(probabilities[row], 1, generator=generator)
            for row, generator in enumerate(self.generators)
        ]
        chosen = torch.cat(picks).to(scores.device)
        only_chosen = torch.full_like(scores, float("-inf"))
        only_chosen.scatter_(1, chosen.unsqueeze(1), 0.0)
        return only_chosen
