"""What this process may use of the machine: CPUs (affinity and cgroup quota) and free memory.

`os.cpu_count()` counts the host's cores, not the ones a container, a CPU set or a CFS quota grants;
threads sized from it oversubscribe the CPUs, and llama.cpp and torch then slow down many times over.
Every reader takes its files as arguments, so that tests can hand it made-up ones.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SystemFiles:
    """Where the kernel describes this process's limits (the real files by default)."""

    cgroup: Path = Path("/proc/self/cgroup")
    mountinfo: Path = Path("/proc/self/mountinfo")
    meminfo: Path = Path("/proc/meminfo")


@dataclass(frozen=True)
class _Mount:
    point: Path
    root: str  # the cgroup path that the mount point shows (not "/" inside a cgroup namespace)
    version: int
    controllers: frozenset[str]


def _read(path: Path) -> str | None:
    try:
        return path.read_text()
    except (OSError, UnicodeDecodeError):
        return None


def _mounts(mountinfo: str) -> list[_Mount]:
    mounts = []
    for line in mountinfo.splitlines():
        before, sep, after = line.partition(" - ")
        fields, tail = before.split(), after.split()
        if not sep or len(fields) < 5 or len(tail) < 3 or tail[0] not in ("cgroup", "cgroup2"):
            continue
        version = 2 if tail[0] == "cgroup2" else 1
        controllers = frozenset(tail[2].split(",")) if version == 1 else frozenset()
        mounts.append(_Mount(Path(fields[4]), fields[3], version, controllers))
    return mounts


def _memberships(cgroup: str) -> Iterator[tuple[int, frozenset[str], str]]:
    """(version, controllers, path) for each line of /proc/self/cgroup."""
    for line in cgroup.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        hierarchy, controllers, path = parts
        if hierarchy == "0" and not controllers:
            yield 2, frozenset(), path
        else:
            yield 1, frozenset(controllers.split(",")), path


def cgroup_dirs(controller: str, files: SystemFiles) -> dict[int, list[Path]]:
    """This process's cgroup folders for a controller, innermost first, per cgroup version.

    A limit set on any ancestor applies too, so callers read every level up to the mount point.
    """
    mountinfo, cgroup = _read(files.mountinfo), _read(files.cgroup)
    if mountinfo is None or cgroup is None:
        return {}
    found: dict[int, list[Path]] = {}
    for mount in _mounts(mountinfo):
        if mount.version == 1 and controller not in mount.controllers:
            continue
        for version, controllers, path in _memberships(cgroup):
            if version != mount.version or (version == 1 and controller not in controllers):
                continue
            # Outside the mount's root (another cgroup namespace) the mount point is the best guess.
            relative = os.path.relpath(path, mount.root)
            folder = mount.point if relative == "." or relative.startswith("..") else mount.point / relative
            found.setdefault(version, _up_to(folder, mount.point))
    return found


def _up_to(folder: Path, top: Path) -> list[Path]:
    levels = [folder]
    while levels[-1] != top and levels[-1].parent != levels[-1] and top in levels[-1].parents:
        levels.append(levels[-1].parent)
    return levels


def _cpu_max(folder: Path) -> float | None:
    """cgroup v2 `cpu.max`: "QUOTA PERIOD" or "max PERIOD"."""
    text = _read(folder / "cpu.max")
    parts = text.split() if text else []
    if len(parts) != 2 or parts[0] == "max":
        return None
    try:
        quota, period = int(parts[0]), int(parts[1])
    except ValueError:
        return None
    return quota / period if quota > 0 and period > 0 else None


def _cfs_quota(folder: Path) -> float | None:
    """cgroup v1 `cpu.cfs_quota_us` / `cpu.cfs_period_us`; -1 means no quota."""
    quota, period = _read(folder / "cpu.cfs_quota_us"), _read(folder / "cpu.cfs_period_us")
    try:
        quota_us, period_us = int((quota or "").strip()), int((period or "").strip())
    except ValueError:
        return None
    return quota_us / period_us if quota_us > 0 and period_us > 0 else None


def cpu_quota(files: SystemFiles = SystemFiles()) -> float | None:
    """CPUs' worth of time the tightest cgroup quota grants (1.5 = one and a half); None if none."""
    readers: dict[int, Callable[[Path], float | None]] = {2: _cpu_max, 1: _cfs_quota}
    quotas = [
        quota
        for version, folders in cgroup_dirs("cpu", files).items()
        for folder in folders
        if (quota := readers[version](folder)) is not None
    ]
    return min(quotas, default=None)


def affinity_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def usable_cores(affinity: int, quota: float | None) -> int:
    """Cores a process may keep busy: its CPU affinity, capped by its cgroup quota (at least 1).

    A fractional quota rounds down: a thread more than the quota allows gets throttled every period.
    """
    cores = affinity if quota is None else min(affinity, math.floor(quota))
    return max(1, cores)


def share(total: int, index: int, count: int) -> int:
    """Worker `index`'s part of `total` threads among `count` workers (the first ones take the rest)."""
    count = max(1, count)
    base, rest = divmod(max(1, total), count)
    return max(1, base + (1 if index % count < rest else 0))


def _meminfo_available(meminfo: str | None) -> int | None:
    for line in (meminfo or "").splitlines():
        if line.startswith("MemAvailable:"):
            parts = line.split()
            if len(parts) >= 2 and parts[1].isdigit():
                return int(parts[1]) * 1024
    return None


def _cgroup_memory_left(folder: Path, version: int) -> int | None:
    names = ("memory.max", "memory.current") if version == 2 else ("memory.limit_in_bytes", "memory.usage_in_bytes")
    limit, usage = (_read(folder / name) for name in names)
    if limit is None or usage is None or not limit.strip().isdigit() or not usage.strip().isdigit():
        return None  # "max", or not this level's files
    if int(limit) >= 1 << 60:  # cgroup v1 writes "no limit" as a huge number
        return None
    return max(0, int(limit) - int(usage))


def available_memory(files: SystemFiles = SystemFiles()) -> int | None:
    """Bytes this process could still allocate: MemAvailable, capped by any cgroup memory limit."""
    candidates = [_meminfo_available(_read(files.meminfo))]
    for version, folders in cgroup_dirs("memory", files).items():
        candidates += [_cgroup_memory_left(folder, version) for folder in folders]
    known = [value for value in candidates if value is not None]
    return min(known, default=None)
