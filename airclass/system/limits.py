"""Per-cadre memory and CPU limits, enforced by the kernel through cgroups.

JupyterHub's LocalProcessSpawner only *advertises* `mem_limit`/`cpu_limit` (as MEM_LIMIT
and CPU_LIMIT in the server's environment); nothing stops one cadre's runaway cell from
taking the machine. Here each cadre gets a cgroup `airclass/<user>` (memory and CPU
controllers; cgroup v2 or v1, whichever the machine mounts) that the server joins before it
executes, so its kernels and every other child are held to the same budget: above the
memory limit the kernel's OOM killer ends the biggest process (the cadre's kernel, not
their server); CPU above the quota is throttled.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
PARENT = "airclass"
CPU_PERIOD_US = 100_000


class LimitError(RuntimeError):
    """Limits are configured but this machine cannot enforce them."""


def _write(path: Path, value: str) -> None:
    path.write_text(value)


def _is_v2(root: Path) -> bool:
    return (root / "cgroup.controllers").is_file()


def cgroup_dirs(name: str, root: Path = CGROUP_ROOT) -> list[Path]:
    if _is_v2(root):
        return [root / PARENT / name]
    return [root / "memory" / PARENT / name, root / "cpu" / PARENT / name]


def prepare(name: str, mem_bytes: int | None, cpus: float | None, root: Path = CGROUP_ROOT) -> list[Path]:
    """Create (or update) the cadre's cgroups with the limits; return the dirs to join."""
    try:
        if _is_v2(root):
            parent = root / PARENT
            parent.mkdir(exist_ok=True)
            for level in (root, parent):
                _write(level / "cgroup.subtree_control", "+memory +cpu")
            group = parent / name
            group.mkdir(exist_ok=True)
            if mem_bytes:
                _write(group / "memory.max", str(mem_bytes))
                if (group / "memory.swap.max").exists():
                    _write(group / "memory.swap.max", "0")
            if cpus:
                _write(group / "cpu.max", f"{int(cpus * CPU_PERIOD_US)} {CPU_PERIOD_US}")
            return [group]
        memory, cpu = cgroup_dirs(name, root)
        for group in (memory, cpu):
            group.mkdir(parents=True, exist_ok=True)
        if mem_bytes:
            _write(memory / "memory.limit_in_bytes", str(mem_bytes))
            if (memory / "memory.memsw.limit_in_bytes").exists():  # no escaping into swap
                _write(memory / "memory.memsw.limit_in_bytes", str(mem_bytes))
        if cpus:
            _write(cpu / "cpu.cfs_period_us", str(CPU_PERIOD_US))
            _write(cpu / "cpu.cfs_quota_us", str(int(cpus * CPU_PERIOD_US)))
        return [memory, cpu]
    except OSError as exc:
        raise LimitError(
            f"cannot enforce per-cadre limits for {name} under {root} ({exc}); the hub must run as "
            'root on a machine with cgroups, or set spawner.mem_limit = "" and spawner.cpu_limit = 0 '
            "to run without limits"
        ) from exc


def join(dirs: list[Path], pid: int | None = None) -> None:
    """Move a process (default: this one) into the cgroups; its children inherit them.
    Runs in the server's child process between fork and exec: keep it to plain writes."""
    pid = pid or os.getpid()
    for group in dirs:
        with open(group / "cgroup.procs", "w") as fh:
            fh.write(str(pid))


def members(name: str, root: Path = CGROUP_ROOT) -> set[int]:
    """Pids in the cadre's (memory) cgroup."""
    path = cgroup_dirs(name, root)[0] / "cgroup.procs"
    if not path.is_file():
        return set()
    return {int(line) for line in path.read_text().split()}


def memory_usage(name: str, root: Path = CGROUP_ROOT) -> int | None:
    """Bytes the cadre's processes use now (page cache included), or None without a cgroup."""
    group = cgroup_dirs(name, root)[0]
    for file in ("memory.current", "memory.usage_in_bytes"):
        if (group / file).is_file():
            return int((group / file).read_text())
    return None


def oom_kills(name: str, root: Path = CGROUP_ROOT) -> int:
    """How often the OOM killer ended a process of the cadre's (v2: memory.events; v1:
    memory.oom_control, else the limit's fail count)."""
    group = cgroup_dirs(name, root)[0]
    if (group / "memory.events").is_file():
        for line in (group / "memory.events").read_text().splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill":
                return int(value)
        return 0
    for line in (group / "memory.oom_control").read_text().splitlines():
        key, _, value = line.partition(" ")
        if key == "oom_kill":  # v1 on newer kernels; failcnt is not kept on every kernel
            return int(value)
    failcnt = group / "memory.failcnt"
    return int(failcnt.read_text()) if failcnt.is_file() else 0


def remove(name: str, root: Path = CGROUP_ROOT, wait: float = 10) -> None:
    """Drop the cadre's cgroups once their server stopped. Its kernels may take a moment to
    exit after the server; a cgroup that still holds processes after `wait` s stays."""
    deadline = time.monotonic() + wait
    for group in cgroup_dirs(name, root):
        while group.exists():
            try:
                group.rmdir()
            except OSError:
                if time.monotonic() > deadline:
                    break
                time.sleep(0.2)
