"""Benchmarks for the progress analytics (issue 4). Not a pytest module: run it directly,

    /opt/airclass/env/bin/python tests/benchmarks/bench_progress.py [--cadres 20000]
        [--data DIR] [--baseline-sample 50] [--repeat 3] [--skip-voila] [--port 38917]

1. Progress table. Synthetic data: N cadres (16 cities) × 3 courses × 8 assignments (one
   notebook, 2 autograded code cells + 1 written answer) + 4 lessons per course; about 70%
   of assignments submitted. Each gradebook's schema is created once by nbgrader's own
   `Gradebook`; students, submissions, submitted notebooks and grades are then bulk
   inserted with SQL that follows that schema. Times `airclass.progress.table.build_progress`
   (SQL into pandas) against building the same rows through nbgrader's `Gradebook` API per
   student (`find_submission` → `.score`, `.timestamp` — the documented way). The API path
   is timed on a deterministic subsample (the first K cadres by id) and extrapolated
   linearly to N; the output says so. Both paths are checked to give the same rows on the
   subsample. Prints the ratio (target ≥ 20×) and peak memory (tracemalloc, and the
   process's max RSS).

2. Manager dashboard through Voila. Starts `voila` on a high, unusual port as a
   subprocess, with AIRCLASS_SETTINGS pointing at the synthetic data and AIRCLASS_VIEWER a
   provincial manager, and times GET of the rendered page until the response is complete
   — notebooks/manager.ipynb against a trivial notebook, alternating, each request a new
   kernel. The dashboard reads the progress table and its first screen from
   `airclass.progress.cache.ProgressCache` (rebuilt whenever a gradebook or the platform DB
   changes): the first request runs on an empty cache (cold) and is reported apart; the
   ratio (target ≤ 2×) is for renders with a current cache. Then, per repeat, a data
   change (one grade changed with SQL in a gradebook) followed by:
     - a render before the refresher ran: the previous first screen is served (stale
       while revalidate, `airclass.dashboards.pages.STALE_FOR`); checked to write nothing to the
       cache;
     - one refresher pass (`airclass.services.dashboard_refresher.refresh_pass`, in this process, as the
       hub-managed refresher service would run it), timed apart;
     - a render after that pass (a cache hit).
   Ratios vs the trivial notebook are printed side by side for all cases. The server is
   stopped and its port freed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import pandas as pd  # noqa: E402

from airclass.core.catalog import Assignment, Course, Lesson, course_toml  # noqa: E402
from airclass.core.platform_db import SCHEMA as PLATFORM_SCHEMA  # noqa: E402
from airclass.progress import table as progress  # noqa: E402

CST = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=CST)
COURSES = (("enrollment", "农民工入会"), ("labor-law", "劳动法基础"), ("union-data", "工会数据"))
N_ASSIGNMENTS, N_LESSONS = 8, 4
CELLS = (("q1", 4.0, "code"), ("q2", 3.0, "code"), ("q3", 3.0, "markdown"))
UNIONS = (
    "物流园区工会联合会",
    "建筑项目部工会",
    "快递行业工会联合会",
    "制造业企业工会",
    "家政服务业工会联合会",
    "街道工会联合会",
)
SUBMIT_SHARE = 0.7
START = NOW - dt.timedelta(days=70)


def say(text: str = "") -> None:
    print(text, flush=True)


def courses_catalog(root: Path) -> list[Course]:
    out = []
    for ci, (cid, title) in enumerate(COURSES):
        lessons = tuple(
            Lesson(f"l{i + 1}", f"{title} 第{i + 1}课", f"lessons/l{i + 1}.ipynb") for i in range(N_LESSONS)
        )
        assignments = tuple(
            Assignment(
                f"hw{i + 1}",
                f"{title} 作业{i + 1}",
                (START + dt.timedelta(days=7 * (i + 1) + ci)).astimezone(CST),
                10.0,
                6.0,
            )
            for i in range(N_ASSIGNMENTS)
        )
        out.append(Course(cid, title, "", "基层工会干部", root / "public" / cid, lessons, assignments))
    return out


def cadre_ids(n: int) -> list[str]:
    return [f"u{i:05d}" for i in range(n)]


def build_data(root: Path, n: int) -> list[Course]:
    """Write the platform DB and one gradebook per course under `root` (a data_dir)."""
    from nbgrader.api import Gradebook

    bin_dir = str(Path(sys.executable).parent)  # nbgrader runs `alembic` by name
    os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    courses = courses_catalog(root)
    rng = random.Random(20190601)
    users = cadre_ids(n)
    cities = progress.CITIES

    platform = root / "platform" / "platform.sqlite"
    platform.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(platform)
    conn.executescript(PLATFORM_SCHEMA)
    stamp = NOW.isoformat(timespec="seconds")
    people = [
        (
            u,
            f"学员{i:05d}",
            cities[i % 16][0],
            cities[i % 16][1],
            f"{cities[i % 16][0]}市{UNIONS[(i // 16) % len(UNIONS)]}",
            "cadre",
            "",
            f"139{i:08d}",
            stamp,
        )
        for i, u in enumerate(users)
    ]
    people.append(("m1", "省管理员", "济南", "3701", "山东省总工会", "manager", "province", "", stamp))
    conn.executemany("INSERT INTO people VALUES (?,?,?,?,?,?,?,?,?)", people)
    conn.executemany("INSERT INTO enrollments VALUES (?, ?)", [(u, c.id) for u in users for c in courses])
    lessons = []
    for u in users:
        for c in courses:
            for lesson in c.lessons:
                if rng.random() < 0.6:
                    when = START + dt.timedelta(hours=rng.uniform(0, 24 * 69))
                    lessons.append(
                        (u, c.id, lesson.id, when.astimezone(dt.UTC).isoformat(timespec="seconds"))
                    )
    conn.executemany("INSERT INTO lesson_completions VALUES (?,?,?,?)", lessons)
    conn.commit()
    conn.close()

    for c in courses:
        public = root / "public" / c.id
        public.mkdir(parents=True, exist_ok=True)
        (public / "course.toml").write_text(course_toml(c), encoding="utf-8")
        gb_path = root / "courses" / c.id / "gradebook.db"
        gb_path.parent.mkdir(parents=True, exist_ok=True)
        # the schema (and assignments, notebooks, grade cells) through nbgrader itself
        with Gradebook(f"sqlite:///{gb_path}", course_id=c.id) as gb:
            for a in c.assignments:
                gb.add_assignment(a.id, duedate=a.due.astimezone(dt.UTC).replace(tzinfo=None))
                gb.add_notebook(a.id, a.id)
                for name, points, kind in CELLS:
                    gb.add_grade_cell(name, a.id, a.id, max_score=points, cell_type=kind)
        conn = sqlite3.connect(gb_path)
        assignment_ids = dict(conn.execute("SELECT name, id FROM assignment"))
        notebook_ids = dict(conn.execute("SELECT assignment_id, id FROM notebook"))
        cell_ids = {
            (nb_id, name): cid
            for cid, name, nb_id in conn.execute("SELECT id, name, notebook_id FROM base_cell")
        }
        conn.executemany("INSERT INTO student (id) VALUES (?)", [(u,) for u in users])
        subs, nbs, grades = [], [], []
        for u in users:
            for a in c.assignments:
                if rng.random() >= SUBMIT_SHARE:
                    continue
                a_id = assignment_ids[a.id]
                nb_id = notebook_ids[a_id]
                key = f"{c.id[:4]}{u}{a.id}"
                when = a.due + dt.timedelta(hours=rng.uniform(-24 * 6, 24 * 2))
                when = min(when, NOW - dt.timedelta(hours=1))
                subs.append(
                    (f"s{key}", a_id, u, when.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f"), None)
                )
                nbs.append((f"n{key}", f"s{key}", nb_id, False, 0.0))
                for name, points, kind in CELLS:
                    score = round(points * rng.uniform(0.2, 1.0) * 2) / 2
                    pending = kind == "markdown" and rng.random() < 0.1
                    auto = score if kind == "code" else None
                    manual = None if kind == "code" or pending else score
                    grades.append(
                        (f"g{key}{name}", f"n{key}", cell_ids[(nb_id, name)], auto, manual, None, pending)
                    )
        conn.executemany("INSERT INTO submitted_assignment VALUES (?,?,?,?,?)", subs)
        conn.executemany("INSERT INTO submitted_notebook VALUES (?,?,?,?,?)", nbs)
        conn.executemany("INSERT INTO grade VALUES (?,?,?,?,?,?,?)", grades)
        conn.commit()
        conn.close()
        say(f"  {c.id}: {len(subs):,} submissions, {len(grades):,} grades")
    say(f"  platform: {len(users):,} cadres, {len(lessons):,} lesson completions")
    (root / "airclass.toml").write_text(f'data_dir = "{root}"\n', encoding="utf-8")
    return courses


def gradebooks(root: Path, courses) -> dict[str, Path]:
    return {c.id: root / "courses" / c.id / "gradebook.db" for c in courses}


# --- the documented per-student way -----------------------------------------------------


def api_rows(root: Path, courses, users: list[str]) -> pd.DataFrame:
    """The same assignment rows through nbgrader's Gradebook API, one student at a time."""
    from nbgrader.api import Gradebook, MissingEntry

    rows = []
    for c in courses:
        with Gradebook(f"sqlite:///{gradebooks(root, courses)[c.id]}", course_id=c.id) as gb:
            for u in users:
                for a in c.assignments:
                    try:
                        sub = gb.find_submission(a.id, u)
                    except MissingEntry:
                        rows.append((u, c.id, a.id, False, float("nan"), pd.NaT, False))
                        continue
                    submitted_at = pd.Timestamp(sub.timestamp, tz="UTC")
                    late = submitted_at > pd.Timestamp(a.due).tz_convert("UTC") + pd.Timedelta(
                        sub.extension or dt.timedelta(0)
                    )
                    needs = bool(sub.needs_manual_grade)
                    rows.append((u, c.id, a.id, True, float(sub.score), submitted_at, late))
                    del needs
    return pd.DataFrame(
        rows,
        columns=["user_id", "course_id", "item_id", "submitted", "score", "submitted_at", "late"],
    )


def bench_table(root: Path, courses, n: int, sample: int, repeat: int) -> None:
    say("\n== 1. progress table: SQL into pandas vs nbgrader Gradebook API per student ==")
    books = gradebooks(root, courses)
    platform = root / "platform" / "platform.sqlite"
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        table = progress.build_progress(platform, courses, books, NOW)
        times.append(time.perf_counter() - t)
    sql_s = statistics.median(times)
    tracemalloc.start()
    progress.build_progress(platform, courses, books, NOW)
    _cur, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    say(
        f"  rows in the table           : {len(table):,} "
        f"({table['user_id'].nunique():,} cadres × {len(courses)} courses × "
        f"{N_ASSIGNMENTS} assignments + {N_LESSONS} lessons)"
    )
    say(
        f"  build_progress (SQL→pandas) : median {sql_s:.2f} s of {repeat} "
        f"({', '.join(f'{x:.2f}' for x in times)})"
    )
    say(f"  peak memory, tracemalloc    : {peak / 2**20:,.0f} MiB (one build)")

    users = cadre_ids(n)[:sample]
    t = time.perf_counter()
    via_api = api_rows(root, courses, users)
    api_sample_s = time.perf_counter() - t
    api_full_s = api_sample_s * n / sample
    say(
        f"  Gradebook API, per student  : {api_sample_s:.2f} s for a deterministic subsample of "
        f"{sample:,} cadres (the first by id) — extrapolated linearly to {n:,}: "
        f"{api_full_s:,.0f} s"
    )

    mine = table[table["user_id"].isin(users) & table["item_type"].eq("assignment")]
    key = ["user_id", "course_id", "item_id"]
    a = mine[key + ["submitted", "score", "late"]].sort_values(key).reset_index(drop=True)
    b = via_api[key + ["submitted", "score", "late"]].sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_dtype=False)
    say(f"  same rows on the subsample  : yes ({len(a):,} assignment rows compared)")
    ratio = api_full_s / sql_s
    say(f"  RATIO (API ÷ SQL)           : {ratio:,.0f}×  (target ≥ 20×) {'OK' if ratio >= 20 else 'MISSED'}")
    say(
        f"  max RSS of this process     : "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB"
    )


# --- Voila ------------------------------------------------------------------------------


def port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def get(url: str, timeout: float = 300) -> tuple[float, int, str]:
    t = time.perf_counter()
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        body = resp.read().decode("utf-8", "replace")
        status = resp.status
    return time.perf_counter() - t, status, body


def has_text(body: str, text: str) -> bool:
    """Voila's lab template ships outputs as JSON in <script> tags (non-ASCII escaped)."""
    return text in body or json.dumps(text)[1:-1] in body


def change_grade(root: Path) -> None:
    """A data change: one grade's manual score raised by 0.5 with SQL (nbgrader's schema)."""
    conn = sqlite3.connect(root / "courses" / COURSES[0][0] / "gradebook.db")
    conn.execute(
        "UPDATE grade SET manual_score = manual_score + 0.5 WHERE id = "
        "(SELECT id FROM grade WHERE manual_score IS NOT NULL ORDER BY id LIMIT 1)"
    )
    conn.commit()
    conn.close()


def cache_files(folder: Path) -> set[str]:
    return {p.name for p in folder.glob("*.pkl")}


def bench_voila(root: Path, port: int, repeat: int) -> None:
    say("\n== 2. manager dashboard first render through Voila vs a trivial notebook ==")
    if not port_free(port):
        raise SystemExit(f"port {port} is in use; pass --port")
    served = Path(tempfile.mkdtemp(prefix="airclass-voila-"))
    shutil.copy2(REPO / "notebooks" / "manager.ipynb", served / "manager.ipynb")
    import nbformat

    trivial = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('print("你好")')])
    trivial.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(trivial, served / "trivial.ipynb")
    env = dict(os.environ)
    env.update(
        AIRCLASS_SETTINGS=str(root / "airclass.toml"),
        AIRCLASS_VIEWER=json.dumps(
            {"user_id": "m1", "role": "manager", "city": "济南", "level": "province", "courses": []}
        ),
        PYTHONPATH=str(REPO),
        XDG_CACHE_HOME=str(served / "cache"),  # starts empty: the first render is cold
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
    )
    voila = Path(sys.executable).parent / "voila"
    log = open(served / "voila.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            str(voila),
            "--no-browser",
            f"--port={port}",
            "--Voila.ip=127.0.0.1",
            "--Voila.root_dir=" + str(served),
            str(served),
        ],
        cwd=served,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                get(f"{base}/voila/api/shutdown", 2)  # any answer means it is up
                break
            except urllib.error.HTTPError:
                break
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    raise SystemExit(f"voila did not start; see {served / 'voila.log'}") from None
                time.sleep(0.3)
        get(f"{base}/voila/render/trivial.ipynb")  # warm-up: disk caches, first imports

        def render_manager() -> tuple[float, str]:
            """One first render of the manager dashboard, checked to be complete and error-free."""
            seconds, status, body = get(f"{base}/voila/render/manager.ipynb")
            assert status == 200 and has_text(body, "报名学员"), body[-2000:]
            assert '"output_type": "error"' not in body, body[-4000:]
            return seconds, body

        cold_s, body = render_manager()
        trivial_t, manager_t = [], []
        for _ in range(repeat):
            s, status, body = get(f"{base}/voila/render/trivial.ipynb")
            assert status == 200 and has_text(body, "你好")
            trivial_t.append(s)
            s, body = render_manager()
            manager_t.append(s)
        say(
            f"  trivial notebook            : {', '.join(f'{x:.2f}' for x in trivial_t)} s "
            f"(median {statistics.median(trivial_t):.2f})"
        )
        trivial_m = statistics.median(trivial_t)
        say(
            f"  manager, cold cache         : {cold_s:.2f} s (first render after the data "
            f"changed: builds the progress table and the first screen) = "
            f"{cold_s / trivial_m:.2f}× trivial"
        )
        say(
            f"  manager, cache current      : {', '.join(f'{x:.2f}' for x in manager_t)} s "
            f"(median {statistics.median(manager_t):.2f}) — each a new kernel, first render"
        )
        say(f"  page size (manager)         : {len(body.encode()) / 1024:,.0f} KiB")
        ratio = statistics.median(manager_t) / trivial_m
        say(
            f"  RATIO (manager ÷ trivial)   : {ratio:.2f}× with a current cache "
            f"(target ≤ 2×) {'OK' if ratio <= 2 else 'MISSED'}; "
            f"{cold_s / trivial_m:.2f}× when the cache must be rebuilt"
        )

        # after a data change: before / after one refresher pass
        from airclass.core.settings import load
        from airclass.progress.cache import ProgressCache
        from airclass.services import dashboard_refresher

        cache_dir = served / "cache" / "airclass"
        settings = load(root / "airclass.toml")
        stale_t, pass_t, refreshed_t, trivial2_t, stale_wrote = [], [], [], [], 0
        for _ in range(repeat):
            s, status, body = get(f"{base}/voila/render/trivial.ipynb")
            trivial2_t.append(s)
            change_grade(root)
            before = cache_files(cache_dir)
            s, body = render_manager()
            stale_t.append(s)
            stale_wrote += cache_files(cache_dir) != before
            t = time.perf_counter()
            dashboard_refresher.refresh_pass(settings, ProgressCache(cache_dir))
            pass_t.append(time.perf_counter() - t)
            s, body = render_manager()
            refreshed_t.append(s)
        say(
            f"  after a change, stale served: {', '.join(f'{x:.2f}' for x in stale_t)} s "
            f"(median {statistics.median(stale_t):.2f}); renders that wrote to the cache: "
            f"{stale_wrote} of {repeat} (expected 0)"
        )
        say(
            f"  refresher pass (apart)      : {', '.join(f'{x:.2f}' for x in pass_t)} s "
            f"(median {statistics.median(pass_t):.2f}) — table + first screens, outside any render"
        )
        say(
            f"  after a change + one pass   : {', '.join(f'{x:.2f}' for x in refreshed_t)} s "
            f"(median {statistics.median(refreshed_t):.2f})"
        )
        trivial_all = statistics.median(trivial_t + trivial2_t)
        say(f"  trivial, all {len(trivial_t + trivial2_t)} renders     : median {trivial_all:.2f} s")
        say("  RATIOS vs trivial (median first render ÷ median trivial), side by side:")
        cases = [
            ("cold cache (empty; table + screen built in the render)", cold_s),
            ("cache current", statistics.median(manager_t)),
            ("after a data change, before the refresher ran (stale view served)", statistics.median(stale_t)),
            ("after a data change, once the refresher has run one pass", statistics.median(refreshed_t)),
        ]
        for label, secs in cases:
            r = secs / trivial_all
            say(f"    {label:<68}: {r:5.2f}×  {'OK' if r <= 2 else 'over 2×'}")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()
        for _ in range(50):
            if port_free(port):
                break
            time.sleep(0.1)
        say(f"  voila stopped; port {port} {'free' if port_free(port) else 'STILL IN USE'}")
        shutil.rmtree(served, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cadres", type=int, default=20000)
    parser.add_argument("--data", type=Path, help="reuse/keep synthetic data here")
    parser.add_argument("--baseline-sample", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--port", type=int, default=38917)
    parser.add_argument("--skip-voila", action="store_true")
    args = parser.parse_args()

    temp = None
    root = args.data
    if root is None:
        temp = Path(tempfile.mkdtemp(prefix="airclass-bench-"))
        root = temp
    root = root.resolve()
    say(
        f"airclass progress benchmark — {args.cadres:,} cadres × {len(COURSES)} courses × "
        f"{N_ASSIGNMENTS} assignments, data in {root}"
    )
    if (root / "airclass.toml").is_file() and (root / "platform" / "platform.sqlite").is_file():
        courses = courses_catalog(root)
        say("  reusing existing synthetic data")
    else:
        t = time.perf_counter()
        courses = build_data(root, args.cadres)
        say(f"  synthetic data built in {time.perf_counter() - t:.1f} s")
    try:
        bench_table(root, courses, args.cadres, min(args.baseline_sample, args.cadres), args.repeat)
        if not args.skip_voila:
            bench_voila(root, args.port, args.repeat)
    finally:
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
