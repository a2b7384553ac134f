"""Progress from inside `model.generate`: a stopping criterion that counts tokens and never stops."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import torch
from transformers import StoppingCriteria

from .base import GenerationProgress


class StepCounter(StoppingCriteria):
    """Called after every decoding step: reports the step's new tokens and the rows that ended.

    A row ends at its first end-of-sequence token; rows that a stop string ends keep counting
    until the batch returns, when `close` reports every row not reported yet.
    """

    def __init__(self, progress: GenerationProgress, indices: Sequence[int], eos_ids: Iterable[int], device: torch.device):
        self.progress = progress
        self.indices = list(indices)
        self.counts = [0] * len(self.indices)
        self.running = [True] * len(self.indices)
        self.eos = torch.tensor(sorted(eos_ids), device=device)

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor, **kwargs: object) -> torch.BoolTensor:
        ended = torch.isin(input_ids[:, -1], self.eos).tolist()
        finished, fresh = [], 0
        for row, is_end in enumerate(ended):
            if self.running[row]:
                self.counts[row] += 1
                fresh += 1
                if is_end:
                    self.running[row] = False
                    finished.append(row)
        self.progress.advance(fresh)
        for row in finished:
            self.progress.finish(self.indices[row], self.counts[row])
        return torch.zeros(input_ids.shape[0], dtype=torch.bool, device=input_ids.device)

    def close(self, lengths: Sequence[int]) -> None:
        for row, length in enumerate(lengths):
            if self.running[row]:
                self.running[row] = False
                self.progress.finish(self.indices[row], length)
