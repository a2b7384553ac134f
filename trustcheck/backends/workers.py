"""How one pytest-xdist worker shares the machine with the others: cores and GPUs."""

from __future__ import annotations

from .registry import BackendOptions
from .resources import SystemFiles, affinity_count, cpu_quota, share, usable_cores


def available_cores(files: SystemFiles | None = None) -> int:
    """Cores this process may use: its CPU affinity capped by its cgroup CPU quota."""
    return usable_cores(affinity_count(), cpu_quota(files or SystemFiles()))


def threads_per_worker(options: BackendOptions) -> int:
    """This worker's share of the threads (`--trust-threads`, else the usable cores).

    Oversubscribed CPUs make torch and llama.cpp collapse (a hundredfold slowdown has been seen).
    """
    total = options.threads if options.threads else available_cores()
    return share(total, options.worker_index, options.worker_count)


def gpu_for_worker(options: BackendOptions, gpu_count: int) -> int:
    """Worker N takes GPU N (modulo the number of GPUs)."""
    return options.worker_index % max(1, gpu_count)
