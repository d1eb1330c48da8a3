"""Benchmarks for the progress analytics (issue 4). Not a pytest module: run it directly,

    /opt/airclass/env/bin/python tests/benchmarks/bench_progress.py [--cadres 20000[,200000]]
        [--db sqlite|postgresql|both] [--data DIR] [--baseline-sample 50] [--repeat 3]
        [--skip-voila] [--voila-at N] [--port 38917]

Every case runs on SQLite files or on PostgreSQL schemas (`[database] url`; the server
scripts/test.sh starts, `AIRCLASS_TEST_POSTGRES`), with the same data; `--db both` prints
them side by side, and several sizes print each build time as a multiple of the first
(province scale: 200k cadres vs 20k).

1. Progress table. Synthetic data: N cadres (16 cities) × 3 courses × 8 assignments (one
   notebook, 2 autograded code cells + 1 written answer) + 4 lessons per course; about 70%
   of assignments submitted. Each gradebook's schema is created once by nbgrader's own
   `Gradebook`; students, submissions, submitted notebooks and grades are then bulk
   inserted into nbgrader's own tables with SQLAlchemy Core, in batches. Times
   `airclass.progress.table.build_progress`
   (SQL into pandas) against building the same rows through nbgrader's `Gradebook` API per
   student (`find_submission` → `.score`, `.timestamp` — the documented way). The API path
   is timed on a deterministic subsample (the first K cadres by id) and extrapolated
   linearly to N; the output says so. Both paths are checked to give the same rows on the
   subsample. Prints the ratio (target ≥ 20×); the table is timed in a fresh process whose
   peak RSS is printed (target at 200k: ≤ 2 GiB).

2. Manager dashboard through Voila. Starts `voila` on a high, unusual port as a
   subprocess, with AIRCLASS_SETTINGS pointing at the synthetic data and AIRCLASS_VIEWER a
   provincial manager, and times GET of the rendered page until the response is complete
   — notebooks/manager.ipynb against a trivial notebook, alternating, each request a new
   kernel. The dashboard reads the progress table and its first screen from
   `airclass.progress.cache.ProgressCache` (rebuilt whenever a gradebook or the platform DB
   changes): the first request runs on an empty cache (cold) and is reported apart; the
   ratio (target ≤ 1.5×; cold ≤ 3×) is for renders with a current cache. Then, per repeat, a data
   change (one grade changed with SQL in a gradebook) followed by:
     - a render before the refresher ran: the previous first screen is served (stale
       while revalidate, `airclass.dashboards.first_screen.STALE_FOR`); checked to write nothing to the
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
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import nbgrader.api as nb  # noqa: E402
import pandas as pd  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from airclass.core import databases, deployed, platform_db  # noqa: E402
from airclass.core.catalog import Assignment, Course, Lesson, course_toml  # noqa: E402
from airclass.core.settings import Settings  # noqa: E402
from airclass.core.settings import load as load_settings  # noqa: E402
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


def bench_settings(root: Path, database_url: str = "") -> Settings:
    """The benchmark's settings file: data under `root`, databases as `[database] url` says."""
    path = root / "airclass.toml"
    path.write_text(f'data_dir = "{root}"\n[database]\nurl = {json.dumps(database_url)}\n', encoding="utf-8")
    return load_settings(path)


def _insert(target: str, table, rows: list[dict]) -> None:
    """Bulk insert: PostgreSQL's COPY (psycopg), else executemany."""
    if not rows:
        return
    with databases.engine(target).begin() as conn:
        if conn.dialect.name != "postgresql":
            conn.execute(table.insert(), rows)
            return
        cols = list(rows[0])
        cursor = conn.connection.dbapi_connection.cursor()
        with cursor.copy(f"COPY {table.name} ({', '.join(cols)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[c] for c in cols])


def build_data(root: Path, n: int, database_url: str = "") -> list[Course]:
    """Write the platform DB and one gradebook per course for the settings in `root` (a data
    dir): SQLite files, or schemas of the PostgreSQL database `database_url`. Rows are
    inserted with SQLAlchemy Core into the platform's and nbgrader's own tables, in batches
    (bounded memory at 200k cadres)."""
    from nbgrader.api import Gradebook

    bin_dir = str(Path(sys.executable).parent)  # nbgrader runs `alembic` by name
    os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    root.mkdir(parents=True, exist_ok=True)
    settings = bench_settings(root, database_url)
    courses = courses_catalog(root)
    rng = random.Random(20190601)
    users = cadre_ids(n)
    cities = progress.CITIES
    batch = 20000

    platform_url = settings.platform_db_url
    platform_db.migrate(platform_url)
    stamp = NOW.isoformat(timespec="seconds")
    n_lessons = 0
    for lo in range(0, n, batch):
        people, enrolled, lessons = [], [], []
        for i in range(lo, min(n, lo + batch)):
            u, city = users[i], cities[i % 16]
            people.append(
                dict(
                    user_id=u,
                    name=f"学员{i:05d}",
                    city=city[0],
                    city_code=city[1],
                    union_name=f"{city[0]}市{UNIONS[(i // 16) % len(UNIONS)]}",
                    role="cadre",
                    level="",
                    phone=f"139{i:08d}",
                    updated_at=stamp,
                )
            )
            for c in courses:
                enrolled.append(dict(user_id=u, course_id=c.id))
                for lesson in c.lessons:
                    if rng.random() < 0.6:
                        when = START + dt.timedelta(hours=rng.uniform(0, 24 * 69))
                        stamp_l = when.astimezone(dt.UTC).isoformat(timespec="seconds")
                        lessons.append(
                            dict(user_id=u, course_id=c.id, lesson_id=lesson.id, completed_at=stamp_l)
                        )
        _insert(platform_url, platform_db.people, people)
        _insert(platform_url, platform_db.enrollments, enrolled)
        _insert(platform_url, platform_db.lesson_completions, lessons)
        n_lessons += len(lessons)
    manager = dict(
        user_id="m1",
        name="省管理员",
        city="济南",
        city_code="3701",
        union_name="山东省总工会",
        role="manager",
        level="province",
        phone="",
        updated_at=stamp,
    )
    _insert(platform_url, platform_db.people, [manager])

    for c in courses:
        public = root / "public" / c.id
        public.mkdir(parents=True, exist_ok=True)
        (public / "course.toml").write_text(course_toml(c), encoding="utf-8")
        settings.course_root(c.id).mkdir(parents=True, exist_ok=True)
        url = settings.gradebook_url(c.id)
        databases.ensure_schema(url)
        # the schema (and assignments, notebooks, grade cells) through nbgrader itself
        with Gradebook(url, course_id=c.id) as gb:
            for a in c.assignments:
                gb.add_assignment(a.id, duedate=a.due.astimezone(dt.UTC).replace(tzinfo=None))
                gb.add_notebook(a.id, a.id)
                for name, points, kind in CELLS:
                    gb.add_grade_cell(name, a.id, a.id, max_score=points, cell_type=kind)
            assignment_ids = {a.name: a.id for a in gb.assignments}
            notebook_ids = {a.id: a.notebooks[0].id for a in gb.assignments}
            cell_ids = {
                (nbk.id, cell.name): cell.id
                for a in gb.assignments
                for nbk in a.notebooks
                for cell in nbk.grade_cells
            }
        n_subs = n_grades = 0
        for lo in range(0, n, batch):
            chunk = users[lo : lo + batch]
            subs, nbs, grades = [], [], []
            for u in chunk:
                for a in c.assignments:
                    if rng.random() >= SUBMIT_SHARE:
                        continue
                    a_id = assignment_ids[a.id]
                    nb_id = notebook_ids[a_id]
                    key = f"{c.id[:4]}{u}{a.id}"
                    when = a.due + dt.timedelta(hours=rng.uniform(-24 * 6, 24 * 2))
                    when = min(when, NOW - dt.timedelta(hours=1))
                    subs.append(
                        dict(
                            id=f"s{key}",
                            assignment_id=a_id,
                            student_id=u,
                            timestamp=when.astimezone(dt.UTC).replace(tzinfo=None),
                            extension=None,
                        )
                    )
                    nbs.append(dict(id=f"n{key}", assignment_id=f"s{key}", notebook_id=nb_id, flagged=False))
                    for name, points, kind in CELLS:
                        score = round(points * rng.uniform(0.2, 1.0) * 2) / 2
                        pending = kind == "markdown" and rng.random() < 0.1
                        grades.append(
                            dict(
                                id=f"g{key}{name}",
                                notebook_id=f"n{key}",
                                cell_id=cell_ids[(nb_id, name)],
                                auto_score=score if kind == "code" else None,
                                manual_score=None if kind == "code" or pending else score,
                                extra_credit=None,
                                needs_manual_grade=pending,
                            )
                        )
            _insert(url, nb.Student.__table__, [dict(id=u) for u in chunk])
            _insert(url, nb.SubmittedAssignment.__table__, subs)
            _insert(url, nb.SubmittedNotebook.__table__, nbs)
            _insert(url, nb.Grade.__table__, grades)
            n_subs, n_grades = n_subs + len(subs), n_grades + len(grades)
        say(f"  {c.id}: {n_subs:,} submissions, {n_grades:,} grades")
    say(f"  platform: {n:,} cadres, {n_lessons:,} lesson completions")
    return courses


def gradebooks(settings: Settings, courses) -> dict[str, str]:
    return deployed.gradebook_urls(settings, courses)


# --- the documented per-student way -----------------------------------------------------


def api_rows(settings: Settings, courses, users: list[str]) -> pd.DataFrame:
    """The same assignment rows through nbgrader's Gradebook API, one student at a time."""
    from nbgrader.api import Gradebook, MissingEntry

    rows = []
    for c in courses:
        with Gradebook(settings.gradebook_url(c.id), course_id=c.id) as gb:
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


def measure_table(settings_path: Path, repeat: int) -> None:
    """Child process (``--measure-table``): build the progress table `repeat` times and
    print the times, the row count and this process's peak RSS as JSON — a clean RSS figure,
    apart from the benchmark's own data generation."""
    settings = load_settings(settings_path)
    courses = courses_catalog(settings.data_dir)
    books = gradebooks(settings, courses)
    times = []
    table = None
    for _ in range(repeat):
        table = None  # the previous build is freed first: the peak is one table's
        t = time.perf_counter()
        table = progress.build_progress(settings.platform_db_url, courses, books, NOW)
        times.append(time.perf_counter() - t)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {"times": times, "rows": len(table), "cadres": int(table["user_id"].nunique()), "rss": rss}
        )
    )


def table_in_child(settings: Settings, repeat: int) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--measure-table", str(settings.source), "--repeat", str(repeat)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def bench_table(settings: Settings, courses, n: int, sample: int, repeat: int) -> dict:
    say("\n== 1. progress table: SQL into pandas vs nbgrader Gradebook API per student ==")
    books = gradebooks(settings, courses)
    measured = table_in_child(settings, repeat)
    times = measured["times"]
    sql_s = statistics.median(times)
    table = progress.build_progress(settings.platform_db_url, courses, books, NOW)
    say(
        f"  rows in the table           : {len(table):,} "
        f"({table['user_id'].nunique():,} cadres × {len(courses)} courses × "
        f"{N_ASSIGNMENTS} assignments + {N_LESSONS} lessons)"
    )
    say(
        f"  build_progress (SQL→pandas) : median {sql_s:.2f} s of {repeat} "
        f"({', '.join(f'{x:.2f}' for x in times)}), in a fresh process"
    )
    say(f"  peak RSS of that process    : {measured['rss']:,.0f} MiB (imports + {repeat} builds, in turn)")

    users = cadre_ids(n)[:sample]
    t = time.perf_counter()
    via_api = api_rows(settings, courses, users)
    api_sample_s = time.perf_counter() - t
    api_full_s = api_sample_s * n / sample
    say(
        f"  Gradebook API, per student  : {api_sample_s:.2f} s for a deterministic subsample of "
        f"{sample:,} cadres (the first by id) — extrapolated linearly to {n:,}: "
        f"{api_full_s:,.0f} s"
    )

    mine = table[table["user_id"].isin(users) & table["item_type"].eq("assignment")]
    key = ["user_id", "course_id", "item_id"]
    a = mine[key + ["submitted", "score", "late"]].astype({c: "str" for c in key})
    a = a.sort_values(key).reset_index(drop=True)
    b = via_api[key + ["submitted", "score", "late"]].sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_dtype=False)
    say(f"  same rows on the subsample  : yes ({len(a):,} assignment rows compared)")
    ratio = api_full_s / sql_s
    say(f"  RATIO (API ÷ SQL)           : {ratio:,.0f}×  (target ≥ 20×) {'OK' if ratio >= 20 else 'MISSED'}")
    return {"table_s": sql_s, "rss": measured["rss"], "rows": len(table), "table": table}


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


def change_grade(settings: Settings) -> None:
    """A data change: one grade's manual score raised by 0.5 (nbgrader's Grade table)."""
    grade = nb.Grade.__table__
    first = sa.select(grade.c.id).where(grade.c.manual_score.is_not(None)).order_by(grade.c.id).limit(1)
    with databases.engine(settings.gradebook_url(COURSES[0][0])).begin() as conn:
        conn.execute(
            grade.update()
            .where(grade.c.id == first.scalar_subquery())
            .values(manual_score=grade.c.manual_score + 0.5)
        )


def cache_files(folder: Path) -> set[str]:
    return {p.name for p in folder.glob("*.pkl")}


def bench_voila(root: Path, port: int, repeat: int) -> dict:
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
            f"(target ≤ 1.5×) {'OK' if ratio <= 1.5 else 'MISSED'}; "
            f"{cold_s / trivial_m:.2f}× when the cache must be rebuilt "
            f"(target ≤ 3×) {'OK' if cold_s / trivial_m <= 3 else 'MISSED'}"
        )

        # after a data change: before / after one refresher pass
        from airclass.progress.cache import ProgressCache
        from airclass.services import dashboard_refresher

        cache_dir = served / "cache" / "airclass"
        settings = load_settings(root / "airclass.toml")
        stale_t, pass_t, refreshed_t, trivial2_t, stale_wrote = [], [], [], [], 0
        for _ in range(repeat):
            s, status, body = get(f"{base}/voila/render/trivial.ipynb")
            trivial2_t.append(s)
            change_grade(settings)
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
        ratios = {}
        for label, secs in cases:
            r = ratios[label.split(" (")[0]] = secs / trivial_all
            target = 3.0 if label.startswith("cold") else 1.5  # issue 13's targets at 20k
            say(f"    {label:<68}: {r:5.2f}×  {'OK' if r <= target else f'over {target:g}×'}")
        return ratios
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


def pg_admin_url() -> str:
    return (
        os.environ.get("AIRCLASS_TEST_POSTGRES")
        or "postgresql://airclass_test:ac-test-pw-7Q2@127.0.0.1:5432/postgres"
    )


def create_pg_database(name: str) -> str:
    admin = pg_admin_url()
    eng = sa.create_engine(admin, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with eng.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    return make_url(admin).set(database=name).render_as_string(hide_password=False)


def drop_pg_database(url: str) -> None:
    databases.dispose_engines()
    eng = sa.create_engine(pg_admin_url(), isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with eng.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cadres", default="20000", help="one size, or several: 20000,200000")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument("--data", type=Path, help="keep synthetic data here (and reuse it)")
    parser.add_argument("--baseline-sample", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--port", type=int, default=38917)
    parser.add_argument("--skip-voila", action="store_true")
    parser.add_argument(
        "--voila-at", type=int, help="dashboard renders at this size only (default: the first)"
    )
    parser.add_argument("--measure-table", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_table:
        measure_table(args.measure_table, args.repeat)
        return 0

    sizes = [int(x) for x in args.cadres.split(",")]
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    voila_at = args.voila_at or sizes[0]
    base = args.data.resolve() if args.data else Path(tempfile.mkdtemp(prefix="airclass-bench-"))
    results: dict[tuple[str, int], dict] = {}
    made_dbs = []
    try:
        for n in sizes:
            for kind in kinds:
                root = base / f"{kind}-{n}"
                say(
                    f"\n##### {kind}: {n:,} cadres × {len(COURSES)} courses × {N_ASSIGNMENTS} assignments, "
                    f"data in {root}"
                )
                if (root / "airclass.toml").is_file():
                    settings = load_settings(root / "airclass.toml")
                    courses = courses_catalog(root)
                    say("  reusing existing synthetic data")
                else:
                    url = ""
                    if kind == "postgresql":
                        url = create_pg_database(f"airclass_bench_{n}")
                        made_dbs.append(url)
                    t = time.perf_counter()
                    courses = build_data(root, n, url)
                    settings = load_settings(root / "airclass.toml")
                    say(f"  synthetic data built in {time.perf_counter() - t:.1f} s")
                res = bench_table(settings, courses, n, min(args.baseline_sample, n), args.repeat)
                res.pop("table")
                if not args.skip_voila and n == voila_at:
                    res["voila"] = bench_voila(root, args.port, args.repeat)
                results[(kind, n)] = res
        if len(kinds) == 2:  # the same load for both: builds alternated, one per process
            for n in sizes:
                times: dict[str, list[float]] = {k: [] for k in kinds}
                for _ in range(args.repeat):
                    for kind in kinds:
                        settings = load_settings(base / f"{kind}-{n}" / "airclass.toml")
                        times[kind] += table_in_child(settings, 1)["times"]
                for kind in kinds:
                    results[(kind, n)]["side_by_side"] = statistics.median(times[kind])
        summary(results, sizes, kinds)
    finally:
        if args.data is None:
            for url in made_dbs:
                drop_pg_database(url)
            shutil.rmtree(base, ignore_errors=True)
    return 0


def summary(results: dict, sizes: list[int], kinds: list[str]) -> None:
    say("\n== summary: progress table build (median, fresh process) ==")
    for kind in kinds:
        first = results[(kind, sizes[0])]["table_s"]
        for n in sizes:
            r = results[(kind, n)]
            say(
                f"  {kind:<10} {n:>8,} cadres: {r['table_s']:7.2f} s = {r['table_s'] / first:5.2f}× the "
                f"{sizes[0]:,} time; peak RSS {r['rss']:,.0f} MiB ({r['rss'] / 1024:.2f} GiB)"
            )
    if len(kinds) == 2:
        for n in sizes:
            a, b = results[("sqlite", n)]["side_by_side"], results[("postgresql", n)]["side_by_side"]
            say(
                f"  {n:>8,} cadres, builds alternated SQLite/PostgreSQL in fresh processes: median "
                f"{a:.2f} s | {b:.2f} s — PostgreSQL ÷ SQLite = {b / a:.2f}×"
            )
        voila = [
            n for n in sizes if "voila" in results[("sqlite", n)] and "voila" in results[("postgresql", n)]
        ]
        for n in voila:
            say(f"  dashboard ratios vs trivial at {n:,} cadres (SQLite | PostgreSQL):")
            for label, r in results[("sqlite", n)]["voila"].items():
                say(f"    {label:<60}: {r:5.2f}× | {results[('postgresql', n)]['voila'][label]:5.2f}×")


if __name__ == "__main__":
    raise SystemExit(main())
