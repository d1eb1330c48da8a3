"""Memory and CPU of the pieces a deployment is sized by (docs/capacity.md). Not a pytest
module: run it directly, as any user, from the runtime environment:

    /opt/airclass/env/bin/python tests/benchmarks/bench_capacity.py [--data DIR] [--port 38950]

Measured on this machine, loopback only, everything started here and stopped at the end:

1. An active cadre: a Jupyter server as a cadre's (JupyterLab zh-CN, nbgrader's student
   extensions) after its Lab page is served, plus one kernel that ran lesson-like cells
   (pandas, ipywidgets, matplotlib, the lesson kit). Memory: PSS and RSS (from
   /proc/<pid>/smaps_rollup); CPU: user+system seconds of both processes for that session.
2. A formgrader: the same server with nbgrader's formgrader extension on a course root.
3. A manager dashboard kernel: the manager notebook executed in a kernel (as Voila runs it)
   against a progress cache for `--data` (a data dir made by bench_progress.py, e.g.
   /tmp/scale-bench/sqlite-20000), warm cache; peak RSS of the kernel (VmHWM).

Prints one line per figure; docs/capacity.md derives its sizing table from them.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import nbformat
from jupyter_client import BlockingKernelClient
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

LESSON_CELLS = [
    "import pandas as pd, numpy as np\nimport ipywidgets as widgets\nimport matplotlib\n"
    "matplotlib.use('Agg')\nimport matplotlib.pyplot as plt",
    "from airclass.lessons import kit",
    "df = pd.DataFrame({'月': range(1, 13), '会员': np.random.randint(50, 200, 12)})\n"
    "fig, ax = plt.subplots(); ax.plot(df['月'], df['会员']); fig.savefig('/dev/null', format='png')",
    "w = widgets.IntSlider(value=3, min=0, max=10); w",
]


def memory(pid: int) -> dict[str, float]:
    """PSS and RSS (MiB) of a process, and its peak RSS (VmHWM)."""
    out = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("Rss", "Pss"):
            out[key.lower()] = int(rest.split()[0]) / 1024
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            out["hwm"] = int(line.split()[1]) / 1024
    return out


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def get(
    url: str, token: str, method: str = "GET", body: dict | None = None, timeout: float = 120
) -> dict | str:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        raw = resp.read().decode("utf-8", "replace")
    try:
        return json.loads(raw)
    except ValueError:
        return raw


class Server:
    """A Jupyter server on a loopback port, stopped (its whole process group) on exit."""

    def __init__(self, root: Path, port: int, extra: list[str], env: dict[str, str]):
        self.token, self.port = secrets.token_hex(16), port
        self.base = f"http://127.0.0.1:{port}"
        self.log = open(root / f"server-{port}.log", "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [
                str(BIN / "jupyter-lab"),
                "--no-browser",
                f"--port={port}",
                "--ServerApp.ip=127.0.0.1",
                f"--IdentityProvider.token={self.token}",
                f"--ServerApp.root_dir={root}",
                *(["--allow-root"] if os.geteuid() == 0 else []),
                *extra,
            ],
            cwd=root,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def __enter__(self) -> Server:
        deadline = time.time() + 120
        while True:
            try:
                get(f"{self.base}/api/status", self.token, timeout=5)
                return self
            except OSError:
                if time.time() > deadline or self.proc.poll() is not None:
                    raise SystemExit(f"jupyter server did not start; see {self.log.name}") from None
                time.sleep(0.3)

    def __exit__(self, *exc) -> None:
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.log.close()


def run_cells(connection_file: str, cells: list[str]) -> None:
    client = BlockingKernelClient(connection_file=connection_file)
    client.load_connection_file()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=120)
        for code in cells:
            reply = client.execute_interactive(code, timeout=300, output_hook=lambda msg: None)
            if reply["content"]["status"] != "ok":
                raise SystemExit(f"cell failed: {reply['content']}")
    finally:
        client.stop_channels()


def kernel_pid(server: Server, kernel_id: str) -> int:
    """The kernel process: the server's child whose command line names the kernel id."""
    for child in Path("/proc").iterdir():
        if child.name.isdigit():
            try:
                if kernel_id in (child / "cmdline").read_text():
                    return int(child.name)
            except OSError:
                continue
    raise SystemExit(f"kernel {kernel_id} not found")


def say(text: str) -> None:
    print(text, flush=True)


def measure_cadre(root: Path, port: int, env: dict[str, str]) -> None:
    with Server(root, port, [], env) as server:
        get(f"{server.base}/lab", server.token)
        kernel = get(f"{server.base}/api/kernels", server.token, "POST", {"name": "python3"})
        pid = kernel_pid(server, kernel["id"])
        run_cells(str(Path(root, "runtime", f"kernel-{kernel['id']}.json")), LESSON_CELLS)
        time.sleep(1)
        srv, ker = memory(server.proc.pid), memory(pid)
        cpu = cpu_seconds(server.proc.pid) + cpu_seconds(pid)
        say(f"  cadre server            : PSS {srv['pss']:6.0f} MiB, RSS {srv['rss']:6.0f} MiB")
        say(f"  cadre kernel (lesson)   : PSS {ker['pss']:6.0f} MiB, RSS {ker['rss']:6.0f} MiB")
        say(
            f"  ACTIVE CADRE            : PSS {srv['pss'] + ker['pss']:6.0f} MiB, "
            f"RSS {srv['rss'] + ker['rss']:6.0f} MiB; "
            f"CPU {cpu:.1f} s (server start, Lab page, kernel start, 4 lesson cells)"
        )


def measure_formgrader(root: Path, port: int, env: dict[str, str]) -> None:
    course = root / "course"
    (course / "source").mkdir(parents=True)
    (course / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.root = {str(course)!r}\nc.CourseDirectory.course_id = 'bench'\n"
    )
    extra = ["--ServerApp.jpserver_extensions=nbgrader.server_extensions.formgrader=True"]
    with Server(course, port, extra, env) as server:
        get(f"{server.base}/formgrader", server.token)
        get(f"{server.base}/formgrader/api/assignments", server.token)
        time.sleep(1)
        m = memory(server.proc.pid)
        say(
            f"  FORMGRADER              : PSS {m['pss']:6.0f} MiB, RSS {m['rss']:6.0f} MiB (idle, one course)"
        )


def measure_dashboard_kernel(data: Path, env: dict[str, str]) -> None:
    nb = nbformat.read(REPO / "notebooks" / "manager.ipynb", as_version=4)
    viewer = {"user_id": "m1", "role": "manager", "city": "济南", "level": "province", "courses": []}
    env = {**env, "AIRCLASS_SETTINGS": str(data / "airclass.toml"), "AIRCLASS_VIEWER": json.dumps(viewer)}
    old = dict(os.environ)
    os.environ.update(env)
    try:
        for label in ("cold cache", "warm cache"):
            client = NotebookClient(
                nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(data)}}
            )
            with client.setup_kernel():
                pid = client.km.provisioner.process.pid
                t = time.perf_counter()
                for index, cell in enumerate(nb.cells):
                    if cell.cell_type == "code":
                        client.execute_cell(cell, index)
                seconds = time.perf_counter() - t
                m = memory(pid)
            say(
                f"  DASHBOARD KERNEL ({label}): peak RSS {m['hwm']:6.0f} MiB, PSS {m['pss']:6.0f} MiB, "
                f"{seconds:.1f} s for the notebook"
            )
    finally:
        os.environ.clear()
        os.environ.update(old)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, help="a data dir made by bench_progress.py (dashboard kernel)")
    parser.add_argument("--port", type=int, default=38950)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="airclass-capacity-"))
    env = {
        **os.environ,
        "PATH": f"{BIN}:{os.environ.get('PATH', '')}",
        "JUPYTER_RUNTIME_DIR": str(root / "runtime"),
        "PYTHONPATH": str(REPO),
        "LANG": "C.UTF-8",
        "XDG_CACHE_HOME": str(root / "cache"),  # the dashboard's progress cache, thrown away
    }
    try:
        say("== capacity figures (this machine) ==")
        cadre_root = root / "cadre"
        cadre_root.mkdir()
        env_cadre = {**env, "JUPYTER_RUNTIME_DIR": str(cadre_root / "runtime")}
        measure_cadre(cadre_root, args.port, env_cadre)
        measure_formgrader(root / "fg", args.port + 1, env)
        if args.data:
            measure_dashboard_kernel(args.data.resolve(), env)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
