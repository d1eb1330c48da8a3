"""Deadline load through the real hub (issue 12). Not a pytest module: run it as root,

    /opt/airclass/env/bin/python tests/benchmarks/bench_deadline.py --cadres 20
    /opt/airclass/env/bin/python tests/benchmarks/bench_deadline.py --sweep 25,50,75,100

Builds a throw-away classroom (its own data dir under /tmp, one small course `bnload`, N
cadres `bn-0001`… on a high free port range, loopback only), starts a real hub with its
proxy, and lets all N cadres work at once, each in its own thread, as a browser would:

    login    the hub's login form (NativeAuthenticator, bcrypt)
    spawn    start their server (REST); a 429 from concurrent_spawn_limit or
             active_server_limit is waited out as the 请稍候 page does, and counted
    lesson   open the lesson notebook (contents API) and start a kernel
    cell     run a cell in that kernel (websocket), check its output
    fetch    fetch the assignment (nbgrader exchange, as the Assignments tab does)
    edit     read, change and save the assignment notebook
    submit   submit it; the submission is checked in the exchange afterwards

A cadre succeeds when every step did. Printed per N: success rate, p50/p95 per step, the
number of 请稍候 waits, the hub's and the proxy's RSS, each cadre's memory (RSS of their
processes: server + kernel) and the machine's available memory before and after. With
--sweep the N values run one after another (each with a fresh hub) and the first N that
does not hold 100 % success is reported as the breaking point. Bounded: at most
--max-cadres cadres, each cadre gives up after --cadre-timeout s, each N after --max-minutes.
Everything it created (hub, proxy, servers, unix accounts, data dir) is removed at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from airclass.admin.roster_import import import_roster  # noqa: E402
from airclass.admin.setup import setup  # noqa: E402
from airclass.core import names  # noqa: E402
from airclass.core.catalog import load_course  # noqa: E402
from airclass.core.settings import load  # noqa: E402
from airclass.system import accounts, launcher  # noqa: E402
from airclass.system import layout as deploy  # noqa: E402
from grader import grading  # noqa: E402
from tests.integration.conftest import free_port_base, make_course, write_roster  # noqa: E402
from tests.integration.hubclient import HubUser  # noqa: E402
from tests.integration.kernelclient import execute, start_kernel  # noqa: E402

COURSE = "bnload"
PASSWORD = "bn-Pa55word!"
STEPS = ("login", "spawn", "lesson", "cell", "fetch", "edit", "submit")
ANSWER = "def monthly_dues(wage):\n    return round(wage * 0.005, 2)\n"


@dataclass
class CadreRun:
    name: str
    times: dict[str, float] = field(default_factory=dict)
    waits: int = 0
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error and len(self.times) == len(STEPS)


class Timeout(Exception):
    pass


def timed(run: CadreRun, step: str, deadline: float, action):
    if time.monotonic() > deadline:
        raise Timeout(f"gave up before {step}")
    start = time.monotonic()
    result = action()
    run.times[step] = time.monotonic() - start
    return result


def start_server_waiting(user: HubUser, run: CadreRun, deadline: float) -> None:
    """POST the spawn; a 429 means 请稍候: wait Retry-After (as the page does) and retry."""
    while True:
        reply = user.api("POST", f"hub/api/users/{user.name}/server")
        if reply.status_code == 429:
            run.waits += 1
            pause = float(reply.headers.get("Retry-After") or 20)
            if time.monotonic() + pause > deadline:
                raise Timeout("still 请稍候 at the deadline")
            time.sleep(pause)
            continue
        if reply.status_code not in (201, 202, 400):
            raise RuntimeError(f"spawn answered {reply.status_code}: {reply.text[:200]}")
        break
    while time.monotonic() < deadline:
        model = user.api("GET", f"hub/api/users/{user.name}").json()
        server = model.get("servers", {}).get("", {})
        if server.get("ready"):
            return
        if not model.get("pending") and not server:
            raise RuntimeError("server stopped while starting")
        time.sleep(1)
    raise Timeout("server not ready")


def cadre_session(base_url: str, name: str, timeout: float, go: threading.Event) -> CadreRun:
    run = CadreRun(name)
    go.wait()
    deadline = time.monotonic() + timeout
    user = HubUser(base_url, name)
    try:
        reply = timed(run, "login", deadline, lambda: user.login(PASSWORD))
        if reply.status_code != 302:
            raise RuntimeError(f"login answered {reply.status_code}")
        user.make_token()
        timed(run, "spawn", deadline, lambda: start_server_waiting(user, run, deadline))

        def open_lesson() -> str:
            lesson = user.server("GET", f"api/contents/空中课堂/{COURSE}/lessons/01-dues.ipynb")
            lesson.raise_for_status()
            return start_kernel(user)

        kernel = timed(run, "lesson", deadline, open_lesson)
        out = timed(run, "cell", deadline, lambda: execute(user, kernel, "print(round(4000 * 0.005, 2))"))
        if out.strip() != "20.0":
            raise RuntimeError(f"cell printed {out!r}")

        def fetch() -> None:
            reply = user.server(
                "POST", "assignments/fetch", data={"course_id": COURSE, "assignment_id": "hw1"}
            )
            if not reply.json().get("success"):
                raise RuntimeError(f"fetch: {reply.text[:200]}")

        timed(run, "fetch", deadline, fetch)

        def edit() -> None:
            path = f"api/contents/{COURSE}/hw1/dues.ipynb"
            nb = user.server("GET", path).json()["content"]
            for cell in nb["cells"]:
                grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
                if grade_id == "dues":
                    cell["source"] = ANSWER
                elif grade_id == "why_dues":
                    cell["source"] = f"{name}：量力负担，体现公平。"
            saved = user.server("PUT", path, json={"type": "notebook", "format": "json", "content": nb})
            saved.raise_for_status()

        timed(run, "edit", deadline, edit)

        def submit() -> None:
            reply = user.server(
                "POST", "assignments/submit", data={"course_id": COURSE, "assignment_id": "hw1"}
            )
            if not reply.json().get("success"):
                raise RuntimeError(f"submit: {reply.text[:200]}")

        timed(run, "submit", deadline, submit)
    except Exception as exc:  # a failed cadre is a result, not a crash of the benchmark
        run.error = f"{type(exc).__name__}: {exc}"[:300]
    return run


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def rss_of_user(name: str) -> int:
    total = 0
    for proc in psutil.process_iter(["username", "memory_info"]):
        if proc.info["username"] == name and proc.info["memory_info"]:
            total += proc.info["memory_info"].rss
    return total


def rss_tree(pid: int) -> int:
    try:
        return psutil.Process(pid).memory_info().rss
    except psutil.Error:
        return 0


def mib(n: float) -> str:
    return f"{n / 2**20:,.0f} MiB"


class Classroom:
    """A throw-away platform: data dir, course, N cadres, released assignment, running hub."""

    def __init__(self, n: int, spawn_limit: int, active_limit: int):
        self.names = [f"bn-{i:04d}" for i in range(1, n + 1)]
        self.data = Path(tempfile.mkdtemp(prefix="airclass-bench-", dir="/tmp"))
        os.chmod(self.data, 0o755)
        port = free_port_base(start=53100)  # apart from the integration tests' range (no shared lock)
        self.base_url = f"http://127.0.0.1:{port}"
        prefix = os.environ.get("AIRCLASS_RUNTIME_PREFIX", "/opt/airclass/env")
        settings_file = self.data / "airclass.toml"
        settings_file.write_text(
            f'data_dir = "{self.data}"\nruntime_prefix = "{prefix}"\n'
            f"[hub]\nport = {port}\nhub_port = {port + 1}\nservice_port_base = {port + 10}\n"
            "stop_servers_with_hub = true\n"
            f"[spawner]\nconcurrent_spawn_limit = {spawn_limit}\nactive_server_limit = {active_limit}\n"
            "start_timeout = 600\nhttp_timeout = 300\n"
            "[culler]\nenabled = false\n",
            encoding="utf-8",
        )
        self.settings = load(settings_file)
        self.hub = None

    def set_up(self) -> None:
        setup(self.settings)  # `airclass setup`: proxy, runtime env, data dir, dashboards
        course = load_course(make_course(self.data / "catalog", COURSE))
        deploy.deploy_course(self.settings, course)
        rows = [(n, f"压测学员{n[-4:]}", "济南", "济南市总工会", "学员", COURSE, "") for n in self.names]
        import_roster(self.settings, write_roster(self.data / "roster.csv", rows), initial_password=PASSWORD)
        grading.release(self.settings, load_course(self.settings.course_root(COURSE)), "hw1")
        self.hub = launcher.start_hub(self.settings, self.data / "hub.log")
        launcher.wait_for_login_page(self.settings, self.hub, timeout=300)

    def tear_down(self) -> None:
        if self.hub is not None:
            launcher.stop_hub(self.hub, timeout=600)
        launcher.stop_proxy(self.settings)
        for name in self.names:
            accounts.delete_user(name)
        accounts.delete_user(names.grader_account(COURSE))
        if accounts.group_exists(names.course_group(COURSE)):
            accounts._run(["groupdel", names.course_group(COURSE)])
        log = self.data / "hub.log"
        if log.exists():  # kept for a look after the run; the rest goes
            shutil.copy(log, Path(tempfile.gettempdir()) / "airclass-bench-last-hub.log")
        shutil.rmtree(self.data, ignore_errors=True)


def run_level(n: int, args) -> dict:
    available_before = psutil.virtual_memory().available
    room = Classroom(n, args.spawn_limit, args.active_limit)
    try:
        set_up_start = time.monotonic()
        room.set_up()
        print(f"\n[N={n}] classroom ready in {time.monotonic() - set_up_start:.0f} s", flush=True)
        hub_rss_idle = rss_tree(room.hub.pid)
        go = threading.Event()
        with ThreadPoolExecutor(max_workers=n) as pool:
            futures = [
                pool.submit(cadre_session, room.base_url, name, args.cadre_timeout, go) for name in room.names
            ]
            start = time.monotonic()
            go.set()
            done, not_done = wait(futures, timeout=args.max_minutes * 60)
        wall = time.monotonic() - start
        runs = [f.result() for f in done]
        runs += [CadreRun(name="?", error="benchmark time limit") for _ in not_done]
        inbound = room.settings.exchange_dir / COURSE / "inbound"
        submitted = {p.name.split("+")[0] for p in inbound.iterdir()} if inbound.is_dir() else set()
        for run in runs:
            if run.ok and run.name not in submitted:
                run.error = "submit answered success but nothing is in the exchange"
        per_cadre = [rss_of_user(name) for name in room.names]
        proxy_pid = launcher.running_proxy(room.settings)
        result = {
            "n": n,
            "ok": sum(r.ok for r in runs),
            "wall": wall,
            "waits": sum(r.waits for r in runs),
            "steps": {s: [r.times[s] for r in runs if s in r.times] for s in STEPS},
            "errors": sorted({r.error for r in runs if r.error})[:8],
            "hub_rss_idle": hub_rss_idle,
            "hub_rss": rss_tree(room.hub.pid),
            "proxy_rss": rss_tree(proxy_pid) if proxy_pid else 0,
            "per_cadre": [m for m in per_cadre if m],
            "available_before": available_before,
            "available_loaded": psutil.virtual_memory().available,
        }
    finally:
        room.tear_down()
    report(result)
    return result


def report(r: dict) -> None:
    n = r["n"]
    print(
        f"[N={n}] success {r['ok']}/{n} = {100 * r['ok'] / n:.1f} %  (all cadres done in {r['wall']:.0f} s)"
    )
    print(f"[N={n}] 请稍候 waits (429 from the spawn limits): {r['waits']}")
    print(f"[N={n}] {'step':<8}{'count':>7}{'p50 s':>9}{'p95 s':>9}{'max s':>9}")
    for step, values in r["steps"].items():
        print(
            f"[N={n}] {step:<8}{len(values):>7}{percentile(values, 0.5):>9.2f}"
            f"{percentile(values, 0.95):>9.2f}{max(values, default=float('nan')):>9.2f}"
        )
    cadre = r["per_cadre"]
    if cadre:
        print(
            f"[N={n}] per-cadre memory (server + kernel RSS): mean {mib(statistics.mean(cadre))}, "
            f"max {mib(max(cadre))}, total {mib(sum(cadre))}"
        )
    print(
        f"[N={n}] hub RSS {mib(r['hub_rss_idle'])} idle → {mib(r['hub_rss'])} loaded; "
        f"proxy {mib(r['proxy_rss'])}; "
        f"machine available {mib(r['available_before'])} before → {mib(r['available_loaded'])} loaded"
    )
    for error in r["errors"]:
        print(f"[N={n}] error: {error}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cadres", type=int, default=10)
    parser.add_argument("--sweep", help="comma-separated N values, e.g. 25,50,100")
    parser.add_argument("--max-cadres", type=int, default=150, help="refuse larger N (shared machine)")
    parser.add_argument("--spawn-limit", type=int, default=10, help="JupyterHub concurrent_spawn_limit")
    parser.add_argument(
        "--active-limit", type=int, default=0, help="JupyterHub active_server_limit (0: none)"
    )
    parser.add_argument("--cadre-timeout", type=float, default=900, help="seconds one cadre may take")
    parser.add_argument("--max-minutes", type=float, default=30, help="minutes one N may take")
    parser.add_argument("--reserve-gib", type=float, default=4, help="memory left for others (GiB)")
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("run as root: the benchmark creates unix accounts and starts a hub", file=sys.stderr)
        return 2
    levels = [int(x) for x in args.sweep.split(",")] if args.sweep else [args.cadres]
    if max(levels) > args.max_cadres:
        print(f"N above --max-cadres {args.max_cadres}; refusing", file=sys.stderr)
        return 2
    results = []
    breaking = None
    per_cadre = 200 * 2**20  # first guess (issue 12's probe: ~196 MiB per active cadre)
    for n in levels:
        # The machine is shared: never start a level that would eat others' memory.
        need = n * per_cadre + args.reserve_gib * 2**30
        available = psutil.virtual_memory().available
        if need > available:
            print(
                f"\n[N={n}] not started: ~{mib(need)} needed ({mib(per_cadre)} per cadre + "
                f"{args.reserve_gib} GiB reserve), {mib(available)} available on this shared machine"
            )
            breaking = breaking or f"memory: N={n} does not fit beside the others' work"
            break
        results.append(run_level(n, args))
        if results[-1]["per_cadre"]:
            per_cadre = max(per_cadre, max(results[-1]["per_cadre"]))
        if results[-1]["ok"] < n:
            breaking = n
            break
    print()
    held = [r["n"] for r in results if r["ok"] == r["n"]]
    print(f"held 100 % success at N = {', '.join(map(str, held)) or 'none'}")
    print(f"breaking point: {breaking if breaking else f'not reached (up to N = {levels[-1]})'}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
