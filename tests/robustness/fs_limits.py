"""Real file-system limits for tests: a read-only directory that binds root too, a file size limit.

Root writes wherever it likes: permission bits stop it only without CAP_DAC_OVERRIDE. A child
started through `run_python(..., honour_permissions=True)` drops that capability from its
bounding set before exec, so a chmod'ed directory is read-only for it as for any user.
`assert_read_only` proves it for the directory at hand, so no test passes without the fault.
"""

from __future__ import annotations

import ctypes
import os
import resource
import stat
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

_PR_CAPBSET_DROP = 24
_CAP_DAC_OVERRIDE = 1


def _drop_write_override() -> None:
    if os.geteuid() == 0:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_CAPBSET_DROP, _CAP_DAC_OVERRIDE, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "cannot drop CAP_DAC_OVERRIDE")


def child_environment() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}


def run(
    argv: Sequence[str],
    *,
    honour_permissions: bool = False,
    file_size_limit: int | None = None,
    cwd: Path | None = None,
    timeout: float = 600,
) -> subprocess.CompletedProcess[str]:
    """Run `argv` with root's write override dropped and/or RLIMIT_FSIZE set (`ulimit -f`)."""

    def prepare() -> None:
        if honour_permissions:
            _drop_write_override()
        if file_size_limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_limit, file_size_limit))

    return subprocess.run(list(argv), preexec_fn=prepare, capture_output=True, text=True, cwd=cwd,
                          env=child_environment(), timeout=timeout, check=False)


def run_python(code: str, *args: str, **options) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, "-c", code, *map(str, args)], **options)


def make_read_only(directory: Path) -> None:
    """chmod a-w on the directory and everything in it; `assert_read_only` checks it holds."""
    for path in [directory, *directory.rglob("*")]:
        mode = path.stat().st_mode
        path.chmod(stat.S_IMODE(mode) & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def make_writable(directory: Path) -> None:
    for path in [directory, *directory.rglob("*")]:
        path.chmod(stat.S_IMODE(path.stat().st_mode) | stat.S_IWUSR)


def assert_read_only(path: Path) -> None:
    """A child that honours permissions can neither create a file in `path` (a directory) nor
    append to it (a file)."""
    target = path / "probe" if path.is_dir() else path
    probe = run_python("import sys; open(sys.argv[1], 'a')", target, honour_permissions=True)
    assert probe.returncode != 0 and "PermissionError" in probe.stderr, f"{path} is not read-only for the child"
