"""CPUs and memory a process may use, read from made-up /proc and cgroup files (never the machine's)."""

from __future__ import annotations

from pathlib import Path

import pytest

from trustcheck.backends import BackendOptions
from trustcheck.backends.resources import (
    SystemFiles,
    available_memory,
    cpu_quota,
    share,
    usable_cores,
)
from trustcheck.backends.workers import threads_per_worker

GIB = 1 << 30


class FakeSystem:
    """A /proc/self and cgroup hierarchy under a temporary folder."""

    def __init__(self, root: Path):
        self.root = root
        (root / "proc").mkdir()
        self.files = SystemFiles(root / "proc" / "cgroup", root / "proc" / "mountinfo", root / "proc" / "meminfo")
        self.mount_lines: list[str] = []
        self.files.meminfo.write_text("MemTotal:  16000000 kB\nMemAvailable:  8388608 kB\n")

    def mount(self, name: str, fstype: str, super_options: str, root: str = "/") -> Path:
        point = self.root / "sys" / name
        point.mkdir(parents=True)
        number = len(self.mount_lines) + 30
        self.mount_lines.append(f"{number} 25 0:{number} {root} {point} rw,nosuid - {fstype} cgroup {super_options}")
        self.files.mountinfo.write_text("\n".join(self.mount_lines) + "\n")
        return point

    def member_of(self, *lines: str) -> None:
        self.files.cgroup.write_text("\n".join(lines) + "\n")

    @staticmethod
    def write(folder: Path, **files: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            (folder / name.replace("__", ".")).write_text(text + "\n")


@pytest.fixture
def system(tmp_path: Path) -> FakeSystem:
    return FakeSystem(tmp_path)


def test_cgroup_v2_cpu_max_of_the_process_cgroup(system: FakeSystem) -> None:
    top = system.mount("cgroup", "cgroup2", "rw,nsdelegate")
    system.member_of("0::/jobs/build")
    system.write(top / "jobs" / "build", cpu__max="200000 100000")
    assert cpu_quota(system.files) == 2.0


def test_the_tightest_ancestor_quota_wins(system: FakeSystem) -> None:
    top = system.mount("cgroup", "cgroup2", "rw")
    system.member_of("0::/jobs/build")
    system.write(top / "jobs", cpu__max="150000 100000")
    system.write(top / "jobs" / "build", cpu__max="max 100000")
    assert cpu_quota(system.files) == 1.5


def test_no_quota_anywhere_is_none(system: FakeSystem) -> None:
    top = system.mount("cgroup", "cgroup2", "rw")
    system.member_of("0::/")
    system.write(top, cpu__max="max 100000")
    assert cpu_quota(system.files) is None


def test_cgroup_v1_cfs_quota_on_a_combined_cpu_mount(system: FakeSystem) -> None:
    top = system.mount("cpu,cpuacct", "cgroup", "rw,cpu,cpuacct")
    system.mount("memory", "cgroup", "rw,memory")
    system.member_of("4:memory:/docker/abc", "3:cpu,cpuacct:/docker/abc", "0::/")
    system.write(top / "docker" / "abc", cpu__cfs_quota_us="300000", cpu__cfs_period_us="100000")
    system.write(top, cpu__cfs_quota_us="-1", cpu__cfs_period_us="100000")
    assert cpu_quota(system.files) == 3.0


def test_a_namespaced_mount_maps_to_its_own_root(system: FakeSystem) -> None:
    # Inside a cgroup namespace the mount shows the container's cgroup at its root.
    top = system.mount("cpu", "cgroup", "rw,cpu", root="/docker/abc")
    system.member_of("2:cpu:/docker/abc")
    system.write(top, cpu__cfs_quota_us="100000", cpu__cfs_period_us="100000")
    assert cpu_quota(system.files) == 1.0


def test_missing_or_garbled_files_mean_no_quota(system: FakeSystem) -> None:
    assert cpu_quota(system.files) is None  # no cgroup file at all
    top = system.mount("cgroup", "cgroup2", "rw")
    system.member_of("0::/a")
    system.write(top / "a", cpu__max="lots")
    assert cpu_quota(system.files) is None


@pytest.mark.parametrize(
    ("affinity", "quota", "expected"),
    [(8, None, 8), (8, 2.0, 2), (8, 1.5, 1), (2, 16.0, 2), (4, 0.5, 1)],
    ids=["affinity-only", "quota-caps", "fraction-rounds-down", "affinity-caps", "at-least-one"],
)
def test_usable_cores(affinity: int, quota: float | None, expected: int) -> None:
    assert usable_cores(affinity, quota) == expected


def test_workers_share_the_threads_without_oversubscribing() -> None:
    assert [share(8, index, 2) for index in range(2)] == [4, 4]
    assert [share(5, index, 2) for index in range(2)] == [3, 2]
    assert [share(2, index, 4) for index in range(4)] == [1, 1, 1, 1]
    assert sum(share(7, index, 3) for index in range(3)) == 7


def test_trust_threads_is_shared_among_workers() -> None:
    assert threads_per_worker(BackendOptions(threads=6, worker_index=0, worker_count=2)) == 3
    assert threads_per_worker(BackendOptions(threads=1, worker_index=1, worker_count=2)) == 1


def test_memory_is_capped_by_the_cgroup_limit(system: FakeSystem) -> None:
    top = system.mount("cgroup", "cgroup2", "rw")
    system.member_of("0::/job")
    system.write(top / "job", memory__max=str(3 * GIB), memory__current=str(1 * GIB))
    assert available_memory(system.files) == 2 * GIB
    system.write(top / "job", memory__max="max", memory__current=str(1 * GIB))
    assert available_memory(system.files) == 8 * GIB  # MemAvailable


def test_cgroup_v1_unlimited_memory_is_ignored(system: FakeSystem) -> None:
    top = system.mount("memory", "cgroup", "rw,memory")
    system.member_of("4:memory:/")
    system.write(top, memory__limit_in_bytes=str((1 << 63) - 4096), memory__usage_in_bytes="12345")
    assert available_memory(system.files) == 8 * GIB
