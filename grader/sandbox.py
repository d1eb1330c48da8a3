"""The execute step of autograding, in a sandbox (root side).

One notebook runs in a fresh kernel as a throwaway account of the pool (`acbox-1` …
`acbox-N`: system accounts with no home, no group of the platform, never root, the grader
or a cadre), one notebook per account at a time, under:

* `prlimit`: address space (memory), processes of the account (fork bombs), file size,
  open files, no core dumps;
* a cgroup per pool account (`airclass/sandbox-<account>`, airclass.system.limits) holding
  all the notebook's processes together to the same memory budget — the address-space
  limit is per process, so 8 children of 1 GiB each would otherwise pass a 2 GiB limit;
  above it the kernel's OOM killer ends the run and the submission is flagged 内存超限;
* `bubblewrap`, started *as* the account (run by root with `--uid`, the sandbox user maps back
  to root outside): new user, PID, network, IPC, UTS and cgroup namespaces (no network at all;
  kernel and runner talk over ZMQ `ipc` sockets), a root filesystem built from an allowlist —
  /usr, /etc and the runtime environment read-only, a private /tmp, and a copy of just that
  submission at /tmp/submission. Nothing else exists in there: not the data directory
  (source/, gradebook, exchange), not /home, not the checkout;
* a wall-clock limit for the notebook (the runner applies the per-cell timeout).

Ending a run kills everything it started: bwrap is PID 1's parent of the sandbox's PID
namespace and dies with our process group; a sweep then kills any process left under the
account's uid (it runs nothing else), before the next notebook gets the account.

The runner inside (`grader.sandbox_runner`) reports each cell as it finishes; the report is
untrusted and bounded. Cells it did not report get an error output ("未运行"), so a test the
notebook never reached scores nothing — the submission keeps the points of what ran.
"""

from __future__ import annotations

import fcntl
import json
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from airclass.core import names
from airclass.core.settings import Settings
from airclass.system import accounts, childproc, limits

SANDBOX_CWD = "/tmp/submission"
MAX_CONCURRENT_RUNS = 4
MAX_REPORT_BYTES = 32 * 1024 * 1024
SYSTEM_DIRS = ("/usr", "/etc", "/bin", "/lib", "/lib64", "/sbin")

# Reasons a run is flagged for a trainer (shown to trainers and, with the score, to cadres).
TIMEOUT = "超时"
CELL_TIMEOUT = "单元格运行超时"
MEMORY = "内存超限"
PROCESSES = "进程数超限"
FILE_SIZE = "文件大小超限"
OUTPUT = "输出过多"
KERNEL_DIED = "内核异常退出"
INTERRUPTED = "运行中断"  # the notebook's own processes ended the run (killed the runner …)
NOT_RUN = "未运行"


class SandboxError(RuntimeError):
    pass


def pool_account(settings: Settings, slot: int) -> str:
    return names.sandbox_account(settings["grading"]["sandbox_accounts"], slot)


def ensure_pool(settings: Settings, size: int, first: int = 1) -> list[str]:
    """Create the pool's accounts `first` … `first+size-1` (system, no home, nologin)."""
    accounts.require_root("Grading in the sandbox")
    if not shutil.which("bwrap", path=childproc.SYSTEM_PATH):
        raise SandboxError("bubblewrap is not installed: apt-get install bubblewrap")
    created = []
    for slot in range(first, first + size):
        name = pool_account(settings, slot)
        if accounts.user_exists(name) and (
            pwd.getpwnam(name).pw_uid >= 1000
            or settings["accounts"]["unix_group"] in accounts.groups_of(name)
        ):
            raise SandboxError(
                f"unix account '{name}' exists and is not a sandbox account (a person's account?); "
                "refusing to run cadres' notebooks as it — choose another grading.sandbox_accounts"
            )
        if not accounts.user_exists(name):
            accounts._run(
                ["useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent",
                 "--shell", "/usr/sbin/nologin", "--user-group", name]
            )  # fmt: skip
        created.append(name)
        _prepare_cgroup(settings, name)
    return created


class Lease:
    """Pool accounts held by one grading run (flock): a CLI run and the grading service
    never share an account, so one's sweep never kills the other's notebook."""

    def __init__(self, settings: Settings, size: int) -> None:
        self.files: list = []
        self.accounts: list[str] = []
        base = settings.data_dir / "sandbox"
        base.mkdir(mode=0o711, exist_ok=True)
        slot = 0
        while len(self.accounts) < size:
            slot += 1
            if slot > size + MAX_CONCURRENT_RUNS * 8:
                self.release()
                raise SandboxError("no free sandbox account: too many grading runs at once")
            handle = open(base / f"{pool_account(settings, slot)}.lock", "w")  # noqa: SIM115
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                continue
            self.files.append(handle)
            self.accounts += ensure_pool(settings, 1, first=slot)

    def release(self) -> None:
        for handle in self.files:
            handle.close()
        self.files = []


def delete_pool(settings: Settings, size: int) -> None:
    for slot in range(1, size + 1):
        name = pool_account(settings, slot)
        accounts.delete_user(name)
        limits.remove(_cgroup_name(name), wait=2)


def _cgroup_name(account: str) -> str:
    return f"sandbox-{account}"


def _prepare_cgroup(settings: Settings, account: str) -> None:
    """The account's cgroup with the memory budget, (re)made whenever a grading run takes
    the account — not per notebook. Without cgroups prlimit's per-process limits still apply."""
    try:
        limits.prepare(_cgroup_name(account), settings["grading"]["memory_mb"] * 1024 * 1024, None)
    except limits.LimitError as exc:
        print(f"grading sandbox: no cgroup for {account}, per-process memory limit only ({exc})", flush=True)


def account_cgroup(account: str) -> Path | None:
    """The folder whose cgroup.procs a process joins (v2: the group; v1: its memory
    controller's), or None where `ensure_pool` could not make it."""
    group = limits.cgroup_dirs(_cgroup_name(account))[0]
    return group if group.is_dir() else None


@dataclass
class SandboxResult:
    cells: dict[int, dict] = field(default_factory=dict)  # cell index → {"outputs", "execution_count"}
    flags: list[str] = field(default_factory=list)
    finished: bool = False
    aborted: bool = False
    seconds: float = 0.0
    log: str = ""


def uid_processes(uid: int) -> list[int]:
    """Live processes of `uid` (zombies, already dead and waiting for a reaper, are not)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid != uid:
                    continue
                with open(f"/proc/{entry}/stat", "rb") as fh:
                    state = fh.read().rsplit(b")", 1)[1].split()[0]
            except (FileNotFoundError, ProcessLookupError, IndexError):
                continue
            if state not in (b"Z", b"X"):
                found.append(int(entry))
    return found


def kill_account(name: str, patience: float = 5.0) -> None:
    """SIGKILL every process of a pool account until none is left."""
    uid = pwd.getpwnam(name).pw_uid
    if uid == 0:
        raise SandboxError("refusing to sweep uid 0")
    deadline = time.monotonic() + patience
    while True:
        pids = uid_processes(uid)
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if time.monotonic() > deadline:
            raise SandboxError(f"processes of {name} survive SIGKILL: {pids}")
        time.sleep(0.05)


def _bind_system(args: list[str], runtime_prefix: Path) -> None:
    for path in SYSTEM_DIRS:
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    prefix = str(runtime_prefix)
    args += ["--ro-bind", prefix, prefix]
    real = os.path.realpath(os.path.join(prefix, "bin", "python"))
    if not real.startswith(("/usr/", prefix + "/")):  # a venv made from another interpreter
        base = str(Path(real).parents[1])
        args += ["--ro-bind", base, base]


def sandbox_command(settings: Settings, account: str, workdir: Path, cell_timeout: int) -> list[str]:
    grading = settings["grading"]
    memory = grading["memory_mb"] * 1024 * 1024
    runuser, prlimit, bwrap = (childproc.system_tool(t) for t in ("runuser", "prlimit", "bwrap"))
    bin_dir = settings.runtime_prefix / "bin"
    cmd = [
        runuser, "-u", account, "--",
        prlimit, f"--as={memory}", f"--nproc={grading['max_processes']}",
        f"--fsize={grading['file_size_mb'] * 1024 * 1024}", "--nofile=512", "--core=0", "--",
        bwrap, "--unshare-all", "--die-with-parent", "--new-session",
        "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
    ]  # fmt: skip
    _bind_system(cmd, settings.runtime_prefix)
    cmd += ["--bind", str(workdir), SANDBOX_CWD, "--chdir", SANDBOX_CWD, "--clearenv"]
    env = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "HOME": "/tmp",
        "LANG": "C.UTF-8",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": "/tmp/.mpl",
        "IPYTHONDIR": "/tmp/.ipython",
        "JUPYTER_RUNTIME_DIR": "/tmp/.jupyter",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    for key, value in env.items():
        cmd += ["--setenv", key, value]
    cmd += [str(bin_dir / "python"), "-m", "grader.sandbox_runner", f"--timeout={cell_timeout}"]
    return cmd


def _workdir(settings: Settings, account: str) -> Path:
    base = settings.data_dir / "sandbox"
    base.mkdir(mode=0o711, exist_ok=True)
    os.chown(base, 0, 0)
    os.chmod(base, 0o711)
    path = base / f"{account}-{secrets.token_hex(6)}"
    path.mkdir(mode=0o700)
    return path


def copy_files(src_dir: Path, relpaths: Iterable[str], dest: Path) -> None:
    """Copy the assignment's own files (data) — never links, never notebooks."""
    for rel in relpaths:
        source = src_dir / rel
        if source.is_symlink() or not source.is_file():
            continue
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)


def _read_reports(stream, result: SandboxResult, state: dict) -> None:
    total = 0
    for raw in stream:
        total += len(raw)
        if total > MAX_REPORT_BYTES:
            state["overflow"] = True
            return
        try:
            message = json.loads(raw)
        except ValueError:
            continue
        if not isinstance(message, dict):
            continue
        if isinstance(message.get("cell"), int) and isinstance(message.get("outputs"), list):
            result.cells[message["cell"]] = {
                "outputs": message["outputs"],
                "execution_count": message.get("execution_count"),
            }
        elif message.get("done"):
            result.finished = True
        elif "dead" in message:
            state["dead"] = True


def run_notebook(
    settings: Settings,
    account: str,
    notebook_json: str,
    files_from: Path | None = None,
    files: Iterable[str] = (),
    stop: threading.Event | None = None,
) -> SandboxResult:
    """Execute one notebook in the sandbox as `account`; always leaves the account idle.
    Setting `stop` ends the run at once (result.aborted)."""
    grading = settings["grading"]
    start = time.monotonic()
    result = SandboxResult()
    kill_account(account)  # whatever a run cut short (a killed grading service) left behind
    workdir = _workdir(settings, account)
    entry = pwd.getpwnam(account)
    try:
        if files_from is not None:
            copy_files(files_from, files, workdir)
        accounts.chown_tree(workdir, account, account)
        cmd = sandbox_command(settings, account, workdir, settings["nbgrader"]["execute_timeout"])
        cgroup = account_cgroup(account)
        if cgroup is not None:  # joined before anything of the notebook's runs
            ooms_before = limits.oom_kills(_cgroup_name(account))
            cmd = ["/bin/sh", "-c", 'echo $$ > "$0" && exec "$@"', str(cgroup / "cgroup.procs"), *cmd]
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            env={"PATH": childproc.SYSTEM_PATH, "LANG": "C.UTF-8"},
        )
        state: dict = {}
        reader = threading.Thread(target=_read_reports, args=(proc.stdout, result, state), daemon=True)
        reader.start()
        errors: list[bytes] = []
        err_reader = threading.Thread(target=lambda: errors.append(proc.stderr.read(65536)), daemon=True)
        err_reader.start()
        try:
            proc.stdin.write(notebook_json.encode("utf-8"))
            proc.stdin.close()
        except BrokenPipeError:
            pass
        deadline = time.monotonic() + grading["notebook_timeout"]
        while reader.is_alive() and time.monotonic() < deadline:
            if stop is not None and stop.is_set():
                result.aborted = True
                break
            reader.join(timeout=0.1)
        if reader.is_alive() and not result.aborted:
            result.flags.append(TIMEOUT)
        if state.get("overflow"):
            result.flags.append(OUTPUT)
        _stop(proc)
        reader.join(timeout=5)
        err_reader.join(timeout=1)
        result.log = b"".join(errors).decode("utf-8", "replace")[-4000:]
        if cgroup is not None and limits.oom_kills(_cgroup_name(account)) > ooms_before:
            result.flags.append(MEMORY)
        if state.get("dead"):
            result.flags.append(KERNEL_DIED)
        elif not result.finished and not result.aborted and not result.flags:
            result.flags.append(INTERRUPTED)
    finally:
        kill_account(account)
        shutil.rmtree(workdir, ignore_errors=True)
        assert entry.pw_uid != 0
    result.flags += limit_flags(result)
    result.flags = list(dict.fromkeys(result.flags))
    result.seconds = time.monotonic() - start
    return result


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.wait()


_ENAME_FLAGS = {
    "MemoryError": MEMORY,
    "CellTimeoutError": CELL_TIMEOUT,
    "BlockingIOError": PROCESSES,
}


def limit_flags(result: SandboxResult) -> list[str]:
    """Limits the notebook ran into, read from its error outputs."""
    flags = []
    for cell in result.cells.values():
        for output in cell["outputs"]:
            if not isinstance(output, dict) or output.get("output_type") != "error":
                continue
            name = str(output.get("ename", ""))
            value = str(output.get("evalue", ""))
            if name in _ENAME_FLAGS:
                flags.append(_ENAME_FLAGS[name])
            elif (
                "Resource temporarily unavailable" in value or "fork" in value.lower() and "errno 11" in value
            ):
                flags.append(PROCESSES)
            elif "File too large" in value:
                flags.append(FILE_SIZE)
    return flags


def not_run_output() -> dict:
    return {
        "output_type": "error",
        "ename": "NotRun",
        "evalue": NOT_RUN,
        "traceback": [f"{NOT_RUN}：评分时这一格没有运行完（超时、超出限制或运行被中止）。"],
    }


def merge_outputs(nb: dict, result: SandboxResult) -> dict:
    """Put the sandbox's outputs on the grader's own copy of the notebook (sources, metadata
    and cell order stay the grader's). Code cells with no report get a "未运行" error."""
    for index, cell in enumerate(nb["cells"]):
        if cell.get("cell_type") != "code":
            continue
        report = result.cells.get(index)
        if report is None:
            cell["outputs"] = [not_run_output()]
            cell["execution_count"] = None
            continue
        outputs = [o for o in report["outputs"] if isinstance(o, dict) and "output_type" in o]
        cell["outputs"] = outputs
        count = report.get("execution_count")
        cell["execution_count"] = count if isinstance(count, int) else None
    return nb
