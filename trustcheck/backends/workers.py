"""How one pytest-xdist worker shares the machine with the others: cores and GPUs."""

from __future__ import annotations

import os

from .registry import BackendOptions


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def threads_per_worker(options: BackendOptions) -> int:
    """Threads one worker may use, so that N workers do not oversubscribe the cores.

    Oversubscribed CPUs make torch and llama.cpp collapse (a hundredfold slowdown has been seen).
    """
    if options.threads:
        return max(1, options.threads)
    return max(1, available_cores() // max(1, options.worker_count))


def gpu_for_worker(options: BackendOptions, gpu_count: int) -> int:
    """Worker N takes GPU N (modulo the number of GPUs)."""
    return options.worker_index % max(1, gpu_count)
