"""Benchmark: `airclass grade` (sandboxed, parallel) against plain `nbgrader autograde`.

    /opt/airclass/env/bin/python tests/benchmarks/bench_grading.py [--submissions 200] [--workers N]
        [--course labor-law --assignment a1-calculators] [--latency 10]

As root. Builds a scratch course from a real course assignment, N synthetic submissions
(correct, partly correct, wrong, blank, erroring in turn), copies it, then grades one copy
with `grade_submissions` (what `airclass grade` runs) and the other with plain
`nbgrader autograde` (one process, no sandbox), checks that every grade cell has the same
score in both gradebooks, and prints the ratio, notebooks/s and the peak memory (RSS of the
whole process tree) of each. `--latency K` then starts the real grading service and drops
K submissions into the exchange one at a time, printing the median time from submission to
score. Nothing is asserted about time: the figures are printed side by side.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from airclass.core import names  # noqa: E402
from airclass.core.catalog import course_toml, load_course  # noqa: E402
from airclass.core.settings import load  # noqa: E402
from airclass.system import accounts  # noqa: E402
from airclass.system.layout import fix_course_permissions  # noqa: E402
from grader import sandbox  # noqa: E402
from grader.batch import default_workers, grade_submissions, read_marker  # noqa: E402
from tests.grader.coursework import VARIANTS, course_root, nbgrader, place, variant  # noqa: E402
from tests.grader.test_batch import cell_scores, plain_copy  # noqa: E402

COURSE_ID = "benchgrade"
POOL = "acbench"


class PeakMemory:
    """Peak summed RSS of this process and all its descendants, sampled every 0.1 s."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for proc in [me, *me.children(recursive=True)]:
                try:
                    total += proc.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            time.sleep(0.1)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def write_settings(data_dir: Path, workers: int) -> Path:
    path = data_dir / "airclass.toml"
    path.write_text(
        f'data_dir = "{data_dir}"\nruntime_prefix = "{sys.prefix}"\n'
        f'[grading]\nsandbox_accounts = "{POOL}"\nworkers = {workers}\n',
        encoding="utf-8",
    )
    return path


def build(settings, course: str, assignment: str, count: int) -> Path:
    group = names.course_group(COURSE_ID)
    accounts.ensure_group(group)
    accounts.ensure_user(names.grader_account(COURSE_ID), settings["accounts"]["unix_group"], (group,))
    root = course_root(settings.data_dir, REPO / "courses" / course, assignment, COURSE_ID, settings)
    meta = load_course(REPO / "courses" / course, check_notebooks=False)
    toml = course_toml(meta).replace(f'id = "{course}"', f'id = "{COURSE_ID}"', 1)
    (root / "course.toml").write_text(toml, encoding="utf-8")
    kinds = {kind: variant(root, assignment, kind) for kind in VARIANTS}
    for i in range(count):
        place(root, assignment, f"cadre{i:04d}", kinds[VARIANTS[i % len(VARIANTS)]])
    fix_course_permissions(settings, COURSE_ID)
    return root


def cpu_seconds() -> float:
    """CPU used so far by this process and every descendant it (transitively) waited for."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def timed(fn):
    with PeakMemory() as memory:
        start, cpu = time.monotonic(), cpu_seconds()
        result = fn()
        seconds, cpu = time.monotonic() - start, cpu_seconds() - cpu
    return result, seconds, memory.peak, cpu


def latency(settings, settings_file: Path, root: Path, assignment: str, count: int) -> list[float]:
    """Submission → score through the real grading service, one submission at a time."""
    inbound = settings.exchange_dir / COURSE_ID / "inbound"
    inbound.mkdir(parents=True, exist_ok=True)
    (settings.exchange_dir / COURSE_ID / "feedback").mkdir(exist_ok=True)
    for folder in (settings.exchange_dir, settings.exchange_dir / COURSE_ID, inbound):
        os.chmod(folder, 0o1777 if folder == settings.exchange_dir else 0o755)
    env = dict(os.environ, AIRCLASS_SETTINGS=str(settings_file))
    log = open(settings.data_dir / "grading-service.log", "wb")  # noqa: SIM115 — the service's
    service = subprocess.Popen(
        [sys.executable, "-m", "airclass.services.grading_service"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    notebooks = variant(root, assignment, "solution")
    times = []
    try:
        for i in range(count):
            student = f"live{i:03d}"
            stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f %Z")
            staging = Path(tempfile.mkdtemp())
            place_dir = place(root, assignment, "_staging", notebooks)
            shutil.copytree(place_dir, staging / "s", dirs_exist_ok=True)
            shutil.rmtree(root / "submitted" / "_staging")
            (staging / "s" / "timestamp.txt").write_text(stamp)
            subprocess.run(["chmod", "-R", "a+rX", str(staging)], check=True)  # as nbgrader submit leaves it
            target = inbound / f"{student}+{assignment}+{stamp}+{secrets.token_hex(4)}"
            start = time.monotonic()
            shutil.move(str(staging / "s"), target)  # appears at once, as nbgrader submit's copy
            while read_marker(settings, COURSE_ID, assignment, student).get("timestamp") != stamp:
                if time.monotonic() - start > 300:
                    log.flush()
                    tail = (settings.data_dir / "grading-service.log").read_text(errors="replace")[-3000:]
                    raise RuntimeError(f"no score for {student} after 300 s; service log:\n{tail}")
                time.sleep(0.05)
            times.append(time.monotonic() - start)
            print(f"  {student}: score after {times[-1]:.1f} s", flush=True)
    finally:
        service.terminate()
        service.wait()
        log.close()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=200)
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--course", default="labor-law")
    parser.add_argument("--assignment", default="a1-calculators")
    parser.add_argument("--latency", type=int, default=10, help="submissions through the service (0: skip)")
    args = parser.parse_args()
    accounts.require_root("The grading benchmark")
    data_dir = Path(tempfile.mkdtemp(prefix="airclass-bench-grading-", dir="/tmp"))
    os.chmod(data_dir, 0o755)
    settings_file = write_settings(data_dir, args.workers)
    settings = load(settings_file)
    workers = default_workers(settings)
    try:
        print(f"building {args.submissions} submissions of {args.course}/{args.assignment} …", flush=True)
        root = build(settings, args.course, args.assignment, args.submissions)
        plain = plain_copy(root, data_dir / "plain")
        n = args.submissions
        load_before = os.getloadavg()[0]

        _, plain_s, plain_mem, plain_cpu = timed(lambda: nbgrader(["autograde", args.assignment], plain))
        summary, ours_s, ours_mem, ours_cpu = timed(
            lambda: grade_submissions(settings, COURSE_ID, args.assignment, workers=workers)
        )
        assert not summary.failed, summary.failed[0].error
        same = cell_scores(root, args.assignment) == cell_scores(plain, args.assignment)
        print()
        print(f"{'':28}{'nbgrader autograde':>20}{'airclass grade':>18}")
        print(f"{'seconds':28}{plain_s:>20.1f}{ours_s:>18.1f}")
        print(f"{'notebooks/s':28}{n / plain_s:>20.2f}{n / ours_s:>18.2f}")
        print(f"{'peak memory (MiB)':28}{plain_mem / 2**20:>20.0f}{ours_mem / 2**20:>18.0f}")
        print(f"{'CPU seconds per notebook':28}{plain_cpu / n:>20.2f}{ours_cpu / n:>18.2f}")
        print(
            f"load average before/after: {load_before:.1f} / {os.getloadavg()[0]:.1f} (other work slows both)"
        )
        print(
            f"ratio (nbgrader / airclass): {plain_s / ours_s:.2f}×  "
            f"with {workers} workers on {os.cpu_count()} cores"
        )
        print(f"identical scores in every grade cell: {same}  (airclass also wrote and released feedback)")
        if args.latency:
            print(f"\nsubmission → score through the grading service ({args.latency} submissions):")
            times = latency(settings, settings_file, root, args.assignment, args.latency)
            print(f"median {statistics.median(times):.1f} s, max {max(times):.1f} s")
        return 0 if same else 1
    finally:
        sandbox.delete_pool(settings, sandbox.MAX_CONCURRENT_RUNS * 4)
        accounts.delete_user(names.grader_account(COURSE_ID))
        if accounts.group_exists(names.course_group(COURSE_ID)):
            accounts._run(["groupdel", names.course_group(COURSE_ID)])
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
