"""Progress analytics: one tidy table of cadre × course × item, and the figures built on it.

`build_progress` joins three sources with SQL read straight into pandas — never
nbgrader's per-student `Gradebook` loops, so it stays fast at provincial scale:

- the roster (platform DB: people + enrollments, cadres only),
- every course's nbgrader ``gradebook.db`` (submitted_assignment → submitted_notebook →
  grade; a grade's score is ``manual_score`` when set, else ``auto_score``, plus
  ``extra_credit`` — exactly nbgrader's ``Grade.score``),
- lesson completions (platform DB).

One row per enrolled cadre × course item (assignment or lesson) in the course catalog,
whether or not anything happened, so every rate below has the enrolled cadres as its
denominator. Columns (``PROGRESS_COLUMNS``):

    user_id, name, city, city_code, union_name, phone,
    course_id, course_title, item_type ('assignment' | 'lesson'), item_id, item_title,
    due, deadline (due plus any nbgrader extension), max_score, pass_mark,
    submitted, submitted_at, score, needs_grading, passed, late, overdue,
    completed_at, done, activity_at

``done`` is "submitted" for an assignment and "completed" for a lesson; ``passed`` is
score ≥ pass_mark for an assignment and "completed" for a lesson; ``late`` is a
submission after the due time (plus any nbgrader extension); ``overdue`` is "past due at
``now`` and still not submitted". All times are timezone-aware UTC.

Every function takes its inputs explicitly (paths, courses, ``now``) so tests are
deterministic; `load_progress` is the settings-driven convenience for the dashboards.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
import sqlite3
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

import pandas as pd

from grader.catalog import Assignment, CatalogError, Course, Lesson, load_course

#: Shandong's 16 prefecture-level cities and their division codes (see DOMAIN.md).
CITIES: tuple[tuple[str, str], ...] = (
    ("济南", "3701"),
    ("青岛", "3702"),
    ("淄博", "3703"),
    ("枣庄", "3704"),
    ("东营", "3705"),
    ("烟台", "3706"),
    ("潍坊", "3707"),
    ("济宁", "3708"),
    ("泰安", "3709"),
    ("威海", "3710"),
    ("日照", "3711"),
    ("临沂", "3713"),
    ("德州", "3714"),
    ("聊城", "3715"),
    ("滨州", "3716"),
    ("菏泽", "3717"),
)
CITY_NAMES: tuple[str, ...] = tuple(name for name, _ in CITIES)

#: Default completion-rate target per city for the ranking chart (a fraction).
DEFAULT_CITY_TARGET = 0.8

#: Days without any activity after which an unfinished cadre counts as idle.
IDLE_DAYS = 7

#: The at-risk rule, as stated on the dashboards; `at_risk` applies exactly this.
AT_RISK_RULE = (
    f"课程尚未全部完成且已连续 {IDLE_DAYS} 天没有任何学习活动（未提交作业、未完成课时），"
    "或有作业已过截止时间仍未提交的学员，列为“需关注”。"
)

#: How the rates are defined, as stated on the dashboards.
RATE_NOTE = (
    "完成率 = 已完成的课时和已提交的作业 ÷ 报名学员应完成的全部课时和作业；"
    "通过率 = 达到及格分的作业 ÷ 报名学员应完成的全部作业；"
    "平均得分率 = 已提交作业的得分 ÷ 满分的平均值。"
)

PROGRESS_COLUMNS: tuple[str, ...] = (
    "user_id",
    "name",
    "city",
    "city_code",
    "union_name",
    "phone",
    "course_id",
    "course_title",
    "item_type",
    "item_id",
    "item_title",
    "due",
    "deadline",
    "max_score",
    "pass_mark",
    "submitted",
    "submitted_at",
    "score",
    "needs_grading",
    "passed",
    "late",
    "overdue",
    "completed_at",
    "done",
    "activity_at",
)

_ROSTER_SQL = """
SELECT p.user_id, p.name, p.city, p.city_code, p.union_name, p.phone, e.course_id
FROM people AS p JOIN enrollments AS e ON e.user_id = p.user_id
WHERE p.role = 'cadre'
"""

_LESSONS_SQL = """
SELECT user_id, course_id, lesson_id AS item_id, completed_at
FROM lesson_completions
"""

# One row per submitted assignment. Grade score as nbgrader's Grade.score: manual over
# auto, plus extra credit; a submission with no grade rows scores 0.
_SUBMISSIONS_SQL = """
SELECT sa.student_id AS user_id,
       a.name        AS item_id,
       sa.timestamp  AS submitted_at,
       sa.extension  AS extension,
       COALESCE(g.score, 0.0)            AS score,
       COALESCE(g.needs_grading, 0)      AS needs_grading
FROM submitted_assignment AS sa
JOIN assignment AS a ON a.id = sa.assignment_id
LEFT JOIN (
    SELECT sn.assignment_id AS submission_id,
           SUM(CASE WHEN gr.manual_score IS NOT NULL
                    THEN gr.manual_score + COALESCE(gr.extra_credit, 0.0)
                    WHEN gr.auto_score IS NOT NULL
                    THEN gr.auto_score + COALESCE(gr.extra_credit, 0.0)
                    ELSE 0.0 END)      AS score,
           MAX(gr.needs_manual_grade)  AS needs_grading
    FROM submitted_notebook AS sn JOIN grade AS gr ON gr.notebook_id = sn.id
    GROUP BY sn.assignment_id
) AS g ON g.submission_id = sa.id
"""

_EPOCH = pd.Timestamp("1970-01-01")


# --- reading ----------------------------------------------------------------------------


def _connect_ro(path: Path) -> sqlite3.Connection:
    """A read-only connection: dashboards never write, and may lack write permission."""
    return sqlite3.connect(f"file:{Path(path)}?mode=ro", uri=True, timeout=30)


def _utc(values: pd.Series) -> pd.Series:
    """Parse stored timestamps to aware UTC; naive values (nbgrader's) are UTC already."""
    return pd.to_datetime(values, utc=True, format="ISO8601")


def read_roster(platform_db: Path, user_id: str | None = None) -> pd.DataFrame:
    """Enrolled cadres: one row per cadre × course (only `user_id`'s rows if given)."""
    sql, params = _ROSTER_SQL, ()
    if user_id is not None:
        sql, params = sql + " AND p.user_id = ?", (user_id,)
    with closing(_connect_ro(platform_db)) as conn:
        return pd.read_sql(sql, conn, params=params)


def read_lesson_completions(platform_db: Path, user_id: str | None = None) -> pd.DataFrame:
    sql, params = _LESSONS_SQL, ()
    if user_id is not None:
        sql, params = sql + " WHERE user_id = ?", (user_id,)
    with closing(_connect_ro(platform_db)) as conn:
        lessons = pd.read_sql(sql, conn, params=params)
    lessons["completed_at"] = _utc(lessons["completed_at"])
    return lessons


def _empty_submissions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "user_id": pd.Series(dtype="str"),
            "item_id": pd.Series(dtype="str"),
            "submitted_at": pd.Series(dtype="datetime64[us, UTC]"),
            "extension": pd.Series(dtype="timedelta64[us]"),
            "score": pd.Series(dtype="float"),
            "needs_grading": pd.Series(dtype="bool"),
        }
    )


def read_submissions(gradebook: Path, user_id: str | None = None) -> pd.DataFrame:
    """Submitted assignments of one gradebook with their total score (empty if no gradebook)."""
    if not Path(gradebook).is_file():
        return _empty_submissions()
    sql, params = _SUBMISSIONS_SQL, ()
    if user_id is not None:
        sql, params = sql + " WHERE sa.student_id = ?", (user_id,)
    with closing(_connect_ro(gradebook)) as conn:
        subs = pd.read_sql(sql, conn, params=params)
    subs["submitted_at"] = _utc(subs["submitted_at"])
    # SQLAlchemy stores an Interval on SQLite as a datetime counted from the epoch.
    ext = pd.to_datetime(subs["extension"], format="ISO8601")
    subs["extension"] = (ext - _EPOCH).fillna(pd.Timedelta(0))
    subs["needs_grading"] = subs["needs_grading"].astype(bool)
    subs["score"] = subs["score"].astype(float)
    return subs


def course_items(courses: Sequence[Course]) -> pd.DataFrame:
    """The catalog as a table: one row per lesson and assignment, in course order."""
    rows = []
    for course in courses:
        for order, lesson in enumerate(course.lessons):
            rows.append(
                dict(
                    course_id=course.id,
                    course_title=course.title,
                    item_type="lesson",
                    item_id=lesson.id,
                    item_title=lesson.title,
                    item_order=order,
                    due=pd.NaT,
                    max_score=float("nan"),
                    pass_mark=float("nan"),
                )
            )
        for order, assignment in enumerate(course.assignments):
            rows.append(
                dict(
                    course_id=course.id,
                    course_title=course.title,
                    item_type="assignment",
                    item_id=assignment.id,
                    item_title=assignment.title,
                    item_order=100 + order,
                    due=pd.Timestamp(assignment.due).tz_convert("UTC"),
                    max_score=float(assignment.points),
                    pass_mark=float(assignment.pass_mark),
                )
            )
    items = pd.DataFrame(
        rows,
        columns=[
            "course_id",
            "course_title",
            "item_type",
            "item_id",
            "item_title",
            "item_order",
            "due",
            "max_score",
            "pass_mark",
        ],
    )
    items["due"] = pd.to_datetime(items["due"], utc=True)
    return items


# --- the table --------------------------------------------------------------------------


def build_progress(
    platform_db: Path,
    courses: Sequence[Course],
    gradebooks: Mapping[str, Path],
    now: dt.datetime,
    user_id: str | None = None,
) -> pd.DataFrame:
    """The tidy progress table (see the module docstring for its columns).

    `gradebooks` maps a course id to its ``gradebook.db``; a missing file means "nothing
    submitted yet". Cadres enrolled in a course that is not in `courses` are left out.
    With `user_id`, only that cadre's rows are read (the "my progress" page).
    """
    now_ts = pd.Timestamp(now).tz_convert("UTC")
    items = course_items(courses)
    roster = read_roster(platform_db, user_id)
    roster = roster[roster["course_id"].isin(items["course_id"].unique())]
    table = roster.merge(items, on="course_id", how="inner")

    subs = []
    for course in courses:
        part = read_submissions(gradebooks.get(course.id, Path("/nonexistent")), user_id)
        if not part.empty:
            part.insert(0, "course_id", course.id)
            subs.append(part)
    submissions = pd.concat(subs, ignore_index=True) if subs else pd.DataFrame()
    if submissions.empty:
        submissions = _empty_submissions()
        submissions.insert(0, "course_id", pd.Series(dtype="str"))
    submissions["item_type"] = "assignment"
    submissions["submitted"] = True

    lessons = read_lesson_completions(platform_db, user_id)
    lessons["item_type"] = "lesson"

    keys = ["user_id", "course_id", "item_type", "item_id"]
    table = table.merge(submissions, on=keys, how="left")
    table = table.merge(lessons, on=keys, how="left")

    is_assignment = table["item_type"].eq("assignment")
    table["submitted"] = table["submitted"].eq(True) & is_assignment
    table["needs_grading"] = table["needs_grading"].eq(True) & table["submitted"]
    table["score"] = table["score"].where(table["submitted"])
    table["deadline"] = table["due"] + table["extension"].fillna(pd.Timedelta(0))
    table["late"] = table["submitted"] & (table["submitted_at"] > table["deadline"])
    table["overdue"] = overdue_at(table, now_ts)
    completed = table["completed_at"].notna() & ~is_assignment
    table["passed"] = (table["submitted"] & (table["score"] >= table["pass_mark"])) | completed
    table["done"] = table["submitted"] | completed
    table["activity_at"] = table["submitted_at"].fillna(table["completed_at"])
    for col in ("late", "overdue", "passed", "done"):
        table[col] = table[col].fillna(False).astype(bool)

    table = table.sort_values(["course_id", "user_id", "item_order"], kind="stable")
    return table.loc[:, list(PROGRESS_COLUMNS)].reset_index(drop=True)


def _course_from_toml(folder: Path) -> Course:
    """A course from its ``course.toml`` alone, without the source-notebook checks of
    `load_course` — for the public copy, which has no ``source/``."""
    meta = tomllib.loads((folder / "course.toml").read_text(encoding="utf-8"))
    try:
        lessons = tuple(
            Lesson(str(x["id"]), str(x["title"]), str(x.get("notebook", ""))) for x in meta.get("lessons", [])
        )
        assignments = tuple(
            Assignment(
                str(x["id"]),
                str(x["title"]),
                x["due"],
                float(x["points"]),
                float(x["pass_mark"]),
                str(x.get("kind", "homework")),
            )
            for x in meta.get("assignments", [])
        )
        if any(not isinstance(a.due, dt.datetime) or a.due.tzinfo is None for a in assignments):
            raise CatalogError(f"{folder / 'course.toml'}: every 'due' needs a UTC offset")
        return Course(
            str(meta["id"]),
            str(meta["title"]),
            str(meta.get("description", "")),
            str(meta.get("audience", "")),
            folder,
            lessons,
            assignments,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise CatalogError(f"{folder / 'course.toml'}: cannot read the course ({exc})") from None


def overdue_at(table: pd.DataFrame, now: dt.datetime) -> pd.Series:
    """Assignments past their deadline at `now` and still not submitted."""
    now_ts = pd.Timestamp(now).tz_convert("UTC")
    overdue = table["item_type"].eq("assignment") & ~table["submitted"].astype(bool)
    return (overdue & (table["deadline"] < now_ts)).fillna(False).astype(bool)


# --- cache --------------------------------------------------------------------------------

_COMPACT = (
    "user_id",
    "name",
    "city",
    "city_code",
    "union_name",
    "phone",
    "course_id",
    "course_title",
    "item_type",
    "item_id",
    "item_title",
)


def compact(table: pd.DataFrame) -> pd.DataFrame:
    """Repeated text columns as categoricals: a fraction of the memory, fast to pickle."""
    return table.astype({c: "category" for c in _COMPACT if c in table.columns})


def source_signature(platform_db: Path, courses: Sequence[Course], gradebooks: Mapping[str, Path]) -> str:
    """Changes whenever a source of the table may have changed: size and mtime of the
    platform DB and every gradebook (and their WAL files), and the catalog's items."""
    parts = []
    paths = [Path(platform_db)] + [Path(gradebooks.get(c.id, "")) for c in courses]
    for path in paths:
        for p in (path, path.with_name(path.name + "-wal")):
            try:
                st = p.stat()
                parts.append(f"{p}:{st.st_size}:{st.st_mtime_ns}")
            except OSError:
                parts.append(f"{p}:-")
    parts.append(course_items(courses).to_json(orient="records", date_format="iso"))
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:24]


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "airclass"


class ProgressCache:
    """On-disk cache of the progress table and of views derived from it, private to the
    account that runs the dashboards (folder 0700, files 0600).

    The table is rebuilt whenever `source_signature` changes (a submission, a grade, a
    lesson completion, a roster import or a catalog change), so it is never stale;
    time-dependent columns (``overdue``) are recomputed for `now` on every load. Derived
    views (a dashboard's first screen) also expire after `max_age` seconds, since the
    at-risk rule depends on the clock.
    """

    def __init__(self, folder: Path | None = None):
        self.folder = Path(folder) if folder else default_cache_dir()

    def _write(self, path: Path, value) -> None:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)

    def _read(self, path: Path):
        try:
            with open(path, "rb") as fh:
                return pickle.load(fh)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
            return None

    def _prune(self, prefix: str, keep: int = 6) -> None:
        """Keep the `keep` most recently written files of a kind (several scopes and course
        sets share the folder)."""
        files = sorted(self.folder.glob(f"{prefix}-*.pkl"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in files[keep:]:
            old.unlink(missing_ok=True)

    def table(
        self,
        platform_db: Path,
        courses: Sequence[Course],
        gradebooks: Mapping[str, Path],
        now: dt.datetime,
    ) -> pd.DataFrame:
        signature = source_signature(platform_db, courses, gradebooks)
        path = self.folder / f"progress-{signature}.pkl"
        table = self._read(path)
        if not isinstance(table, pd.DataFrame):
            table = compact(build_progress(platform_db, courses, gradebooks, now))
            try:
                self._write(path, table)
                self._prune("progress")
            except OSError:
                pass  # a cache we cannot write is only slower
        table = table.copy(deep=False)
        table["overdue"] = overdue_at(table, now)
        return table

    def derived(
        self,
        key: str,
        platform_db: Path,
        courses: Sequence[Course],
        gradebooks: Mapping[str, Path],
        now: dt.datetime,
        compute: Callable[[], Any],
        max_age: float = 600,
    ) -> tuple[Any, dt.datetime]:
        """`compute()` cached under `key` for the current sources, at most `max_age` seconds
        old. Returns the value and the time it was computed."""
        signature = source_signature(platform_db, courses, gradebooks)
        digest = hashlib.sha256(f"{signature}:{key}".encode()).hexdigest()[:24]
        path = self.folder / f"view-{digest}.pkl"
        hit = self._read(path)
        now_ts = pd.Timestamp(now).tz_convert("UTC")
        if isinstance(hit, dict) and 0 <= (now_ts - hit["made"]).total_seconds() <= max_age:
            return hit["value"], hit["made"].to_pydatetime()
        value = compute()
        try:
            self._write(path, {"made": now_ts, "value": value})
            self._prune("view", keep=64)
        except OSError:
            pass
        return value, now_ts.to_pydatetime()


def deployed_courses(settings) -> list[Course]:
    """The courses deployed under the data root, read from each course's ``course.toml``.

    The nbgrader course root is tried first (fully validated by `load_course`); when it
    cannot be read — the dashboard account may only read the gradebook — the public
    ``course.toml`` is read as is.
    """
    ids: set[str] = set()
    for parent in (settings.courses_dir, settings.public_dir):
        try:
            ids.update(p.name for p in parent.iterdir() if (p / "course.toml").is_file())
        except OSError:
            continue
    courses, problems = [], []
    for course_id in sorted(ids):
        try:
            courses.append(load_course(settings.course_root(course_id)))
            continue
        except (CatalogError, OSError) as exc:
            first = str(exc)
        try:
            courses.append(_course_from_toml(settings.public_dir / course_id))
        except (CatalogError, OSError, tomllib.TOMLDecodeError):
            problems.append(first)
    if problems and not courses:
        raise CatalogError("\n".join(problems))
    return courses


def gradebook_paths(settings, courses: Iterable[Course]) -> dict[str, Path]:
    return {c.id: settings.course_root(c.id) / "gradebook.db" for c in courses}


def load_progress(
    settings,
    now: dt.datetime | None = None,
    courses: Sequence[Course] | None = None,
    user_id: str | None = None,
    cache: ProgressCache | None = None,
) -> pd.DataFrame:
    """`build_progress` for the deployed courses named by `settings` (through `cache`
    when given; a single user's rows are always read directly)."""
    courses = list(courses) if courses is not None else deployed_courses(settings)
    now = now or dt.datetime.now(dt.UTC)
    books = gradebook_paths(settings, courses)
    if cache is not None and user_id is None:
        return cache.table(settings.platform_db, courses, books, now)
    return build_progress(settings.platform_db, courses, books, now, user_id)


# --- filters ----------------------------------------------------------------------------


def filter_progress(
    df: pd.DataFrame,
    course: str | None = None,
    city: str | None = None,
    union: str | None = None,
) -> pd.DataFrame:
    mask = pd.Series(True, index=df.index)
    if course:
        mask &= df["course_id"].eq(course)
    if city:
        mask &= df["city"].eq(city)
    if union:
        mask &= df["union_name"].eq(union)
    return df[mask]


def within_period(df: pd.DataFrame, start: dt.datetime | None, end: dt.datetime | None) -> pd.DataFrame:
    """Only count what happened in [start, end): activity outside the period is reset to
    "not done", while every enrolled cadre's items stay in the denominators."""
    if start is None and end is None:
        return df
    at = df["activity_at"]
    outside = pd.Series(False, index=df.index)
    if start is not None:
        outside |= at < pd.Timestamp(start).tz_convert("UTC")
    if end is not None:
        outside |= at >= pd.Timestamp(end).tz_convert("UTC")
    outside &= at.notna()
    if not outside.any():
        return df
    out = df.copy()
    for col in ("submitted", "needs_grading", "passed", "late", "done"):
        out.loc[outside, col] = False
    for col in ("submitted_at", "completed_at", "activity_at"):
        out.loc[outside, col] = pd.NaT
    out.loc[outside, "score"] = float("nan")
    return out


# --- aggregates -------------------------------------------------------------------------


def _rate(num: pd.Series | float, den: pd.Series | float):
    if isinstance(den, pd.Series):
        return (num / den.where(den > 0)).astype(float)
    return float(num) / den if den else float("nan")


def _score_pct(df: pd.DataFrame) -> pd.Series:
    return df["score"] / df["max_score"].where(df["max_score"] > 0)


def rates_by(df: pd.DataFrame, by: str | list[str]) -> pd.DataFrame:
    """Completion and pass rates per group, enrolled cadres as denominators.

    Columns: enrolled (distinct cadres), items, done, completion_rate, assignments,
    passed, pass_rate, submitted, mean_score_pct (mean of score ÷ max over submissions).
    """
    by = [by] if isinstance(by, str) else list(by)
    work = df.assign(
        is_assignment=df["item_type"].eq("assignment"),
        passed_assignment=df["passed"] & df["item_type"].eq("assignment"),
        score_pct=_score_pct(df),
    )
    grouped = work.groupby(by, sort=True, observed=True)
    out = pd.DataFrame(
        {
            "enrolled": grouped["user_id"].nunique(),
            "items": grouped.size(),
            "done": grouped["done"].sum(),
            "assignments": grouped["is_assignment"].sum(),
            "submitted": grouped["submitted"].sum(),
            "passed": grouped["passed_assignment"].sum(),
            "mean_score_pct": grouped["score_pct"].mean(),
        }
    )
    out["completion_rate"] = _rate(out["done"], out["items"])
    out["pass_rate"] = _rate(out["passed"], out["assignments"])
    cols = [
        "enrolled",
        "items",
        "done",
        "completion_rate",
        "assignments",
        "submitted",
        "passed",
        "pass_rate",
        "mean_score_pct",
    ]
    return out.loc[:, cols].reset_index()


def course_status(df: pd.DataFrame) -> pd.DataFrame:
    """One row per cadre × course: items, done, all passed, last activity, overdue items."""
    grouped = df.groupby(["user_id", "course_id"], sort=True, observed=True)
    status = pd.DataFrame(
        {
            "items": grouped.size(),
            "done": grouped["done"].sum(),
            "all_passed": grouped["passed"].all(),
            "last_activity": grouped["activity_at"].max(),
        }
    )
    overdue = df[df["overdue"]].sort_values("item_id", kind="stable")
    overdue = overdue.assign(item_id=overdue["item_id"].astype("str"))
    joined = overdue.groupby(["user_id", "course_id"], sort=False, observed=True)["item_id"].agg("、".join)
    status["overdue_items"] = joined.reindex(status.index).fillna("").astype("str")
    return status.reset_index()


def completed_cadres(df: pd.DataFrame) -> pd.Index:
    """Cadres who passed every item of every course they are enrolled in (within `df`)."""
    if df.empty:
        return pd.Index([], dtype="str")
    per_user = df.groupby("user_id")["passed"].all()
    return per_user.index[per_user]


def kpis(df: pd.DataFrame, now: dt.datetime) -> dict[str, float | int]:
    """KPI tiles: enrolled, active in the last 7 days, completed, pass rate, mean score."""
    now_ts = pd.Timestamp(now).tz_convert("UTC")
    since = now_ts - pd.Timedelta(days=IDLE_DAYS)
    recent = df["activity_at"].between(since, now_ts, inclusive="right")
    assignments = df[df["item_type"].eq("assignment")]
    submitted = assignments[assignments["submitted"]]
    return {
        "enrolled": int(df["user_id"].nunique()),
        "active_7d": int(df.loc[recent, "user_id"].nunique()),
        "completed": int(len(completed_cadres(df))),
        "completion_rate": _rate(df["done"].sum(), len(df)),
        "pass_rate": _rate(assignments["passed"].sum(), len(assignments)),
        "mean_score_pct": float(_score_pct(submitted).mean()) if len(submitted) else float("nan"),
    }


def city_ranking(
    df: pd.DataFrame,
    targets: Mapping[str, float] | float = DEFAULT_CITY_TARGET,
    cities: Sequence[str] = CITY_NAMES,
) -> pd.DataFrame:
    """All 16 cities ranked by completion rate (cities with no enrolled cadre last).

    Columns: rank, city, enrolled, completed (cadres who finished everything), completion_rate,
    pass_rate, mean_score_pct, target, meets_target.
    """
    rates = rates_by(df, "city").set_index("city") if not df.empty else pd.DataFrame()
    done_users = completed_cadres(df)
    completed = (
        df[df["user_id"].isin(done_users)].groupby("city")["user_id"].nunique()
        if len(done_users)
        else pd.Series(dtype="int64")
    )
    out = pd.DataFrame(index=pd.Index(list(cities), name="city"))
    for col in ("enrolled", "completion_rate", "pass_rate", "mean_score_pct"):
        out[col] = rates[col] if col in rates else float("nan")
    out["enrolled"] = out["enrolled"].fillna(0).astype(int)
    out["completed"] = completed.reindex(out.index).fillna(0).astype(int)
    if isinstance(targets, Mapping):
        out["target"] = [float(targets.get(c, DEFAULT_CITY_TARGET)) for c in out.index]
    else:
        out["target"] = float(targets)
    out["meets_target"] = out["completion_rate"].ge(out["target"]).fillna(False).astype(bool)
    out = out.reset_index()
    out["_order"] = range(len(out))
    out = out.sort_values(
        ["completion_rate", "_order"], ascending=[False, True], na_position="last", kind="stable"
    )
    has_data = out["enrolled"] > 0
    out["rank"] = pd.array([pd.NA] * len(out), dtype="Int64")
    out.loc[has_data, "rank"] = range(1, int(has_data.sum()) + 1)
    cols = [
        "rank",
        "city",
        "enrolled",
        "completed",
        "completion_rate",
        "pass_rate",
        "mean_score_pct",
        "target",
        "meets_target",
    ]
    return out.loc[:, cols].reset_index(drop=True)


def weekly_progress(df: pd.DataFrame) -> pd.DataFrame:
    """Completion over time, by ISO week (weeks start on Monday, UTC+8 calendar).

    Columns: week (Monday date), done (items finished that week), passed (assignments
    passed that week), active (distinct cadres active), cumulative_done,
    cumulative_rate (cumulative_done ÷ all items of the enrolled cadres).
    """
    total = len(df)
    at = df.loc[df["done"], ["activity_at", "user_id", "passed", "item_type"]].dropna(subset=["activity_at"])
    cols = ["week", "done", "passed", "active", "cumulative_done", "cumulative_rate"]
    if at.empty:
        return pd.DataFrame(columns=cols)
    local = at["activity_at"].dt.tz_convert("Asia/Shanghai").dt.tz_localize(None)
    at = at.assign(week=local.dt.to_period("W-SUN").dt.start_time.dt.date)
    at["passed_assignment"] = at["passed"] & at["item_type"].eq("assignment")
    grouped = at.groupby("week")
    out = pd.DataFrame(
        {
            "done": grouped.size(),
            "passed": grouped["passed_assignment"].sum(),
            "active": grouped["user_id"].nunique(),
        }
    )
    weeks = pd.period_range(min(out.index), max(out.index), freq="W-SUN")
    out = out.reindex([p.start_time.date() for p in weeks], fill_value=0)
    out.index.name = "week"
    out["cumulative_done"] = out["done"].cumsum()
    out["cumulative_rate"] = out["cumulative_done"] / total if total else float("nan")
    return out.reset_index().loc[:, cols]


def score_distribution(df: pd.DataFrame, bins: int = 10) -> pd.DataFrame:
    """Histogram of score ÷ max (in %) over submitted assignments: bins of equal width."""
    pct = (_score_pct(df[df["submitted"]]) * 100).dropna().clip(0, 100)
    edges = [100 * i / bins for i in range(bins + 1)]
    labels = [f"{edges[i]:.0f}–{edges[i + 1]:.0f}" for i in range(bins)]
    counts = pd.cut(pct, edges, labels=labels, include_lowest=True, right=False)
    # 100% belongs in the last bin
    counts = counts.where(pct < 100, labels[-1])
    table = counts.value_counts(sort=False).reindex(labels, fill_value=0)
    return pd.DataFrame({"bin": labels, "count": table.to_numpy(dtype=int)})


def at_risk(df: pd.DataFrame, now: dt.datetime, idle_days: int = IDLE_DAYS) -> pd.DataFrame:
    """Apply `AT_RISK_RULE`: one row per cadre × course at risk, with contact fields.

    At risk when (not every item of the course is passed AND no activity in the course in
    the last `idle_days` days) OR (some assignment is past due and not submitted).
    Columns: user_id, name, city, union_name, phone, course_id, course_title, done, items,
    last_activity, overdue_items, reason.
    """
    cols = [
        "user_id",
        "name",
        "city",
        "union_name",
        "phone",
        "course_id",
        "course_title",
        "done",
        "items",
        "last_activity",
        "overdue_items",
        "reason",
    ]
    if df.empty:
        return pd.DataFrame(columns=cols)
    now_ts = pd.Timestamp(now).tz_convert("UTC")
    status = course_status(df)
    idle = ~status["all_passed"] & (
        status["last_activity"].isna() | (status["last_activity"] <= now_ts - pd.Timedelta(days=idle_days))
    )
    overdue = status["overdue_items"].ne("")
    status["reason"] = ""
    status.loc[idle, "reason"] = f"未完成且 {idle_days} 天未活动"
    status.loc[overdue & ~idle, "reason"] = "作业逾期未交"
    status.loc[overdue & idle, "reason"] = f"未完成且 {idle_days} 天未活动；作业逾期未交"
    flagged = status[idle | overdue]
    people = df.drop_duplicates(["user_id", "course_id"])[
        ["user_id", "course_id", "name", "city", "union_name", "phone", "course_title"]
    ]
    out = flagged.merge(people, on=["user_id", "course_id"], how="left")
    out = out.sort_values(["city", "union_name", "user_id", "course_id"], kind="stable")
    return out.loc[:, cols].reset_index(drop=True)


# --- trainer views ----------------------------------------------------------------------

_QUEUE_SQL = """
SELECT sa.student_id AS user_id, a.name AS assignment, nb.name AS notebook,
       sa.timestamp AS submitted_at, COUNT(*) AS cells_to_grade
FROM grade AS g
JOIN submitted_notebook AS sn ON sn.id = g.notebook_id
JOIN notebook AS nb ON nb.id = sn.notebook_id
JOIN submitted_assignment AS sa ON sa.id = sn.assignment_id
JOIN assignment AS a ON a.id = sa.assignment_id
WHERE g.needs_manual_grade = 1
GROUP BY sn.id
"""

_QUESTIONS_SQL = """
SELECT a.name AS assignment, nb.name AS notebook, bc.name AS question,
       COALESCE(gc.max_score, tc.max_score, 0.0) AS max_score,
       COUNT(*) AS graded,
       AVG(CASE WHEN g.manual_score IS NOT NULL THEN g.manual_score + COALESCE(g.extra_credit, 0.0)
                ELSE g.auto_score + COALESCE(g.extra_credit, 0.0) END) AS mean_score
FROM grade AS g
JOIN base_cell AS bc ON bc.id = g.cell_id
LEFT JOIN grade_cells AS gc ON gc.id = g.cell_id
LEFT JOIN task_cells AS tc ON tc.id = g.cell_id
JOIN notebook AS nb ON nb.id = bc.notebook_id
JOIN assignment AS a ON a.id = nb.assignment_id
WHERE g.needs_manual_grade = 0 AND (g.manual_score IS NOT NULL OR g.auto_score IS NOT NULL)
GROUP BY g.cell_id
"""


def grading_queue(gradebook: Path, course_id: str) -> pd.DataFrame:
    """Submitted notebooks with cells still needing manual grading, oldest first."""
    cols = ["course_id", "user_id", "assignment", "notebook", "submitted_at", "cells_to_grade"]
    if not Path(gradebook).is_file():
        return pd.DataFrame(columns=cols)
    with closing(_connect_ro(gradebook)) as conn:
        queue = pd.read_sql(_QUEUE_SQL, conn)
    queue.insert(0, "course_id", course_id)
    queue["submitted_at"] = _utc(queue["submitted_at"])
    queue = queue.sort_values(["submitted_at", "user_id", "assignment", "notebook"], kind="stable")
    return queue.loc[:, cols].reset_index(drop=True)


def question_stats(gradebook: Path, course_id: str) -> pd.DataFrame:
    """Per question (graded cell): graded count, mean score, max, mean ÷ max (difficulty)."""
    cols = [
        "course_id",
        "assignment",
        "notebook",
        "question",
        "graded",
        "mean_score",
        "max_score",
        "mean_pct",
    ]
    if not Path(gradebook).is_file():
        return pd.DataFrame(columns=cols)
    with closing(_connect_ro(gradebook)) as conn:
        stats = pd.read_sql(_QUESTIONS_SQL, conn)
    stats.insert(0, "course_id", course_id)
    stats["mean_pct"] = stats["mean_score"] / stats["max_score"].where(stats["max_score"] > 0)
    stats = stats.sort_values(["assignment", "notebook", "question"], kind="stable")
    return stats.loc[:, cols].reset_index(drop=True)


def feedback_available(course_root: Path, user_id: str, assignment_id: str) -> bool:
    """Whether nbgrader has generated feedback for this submission (``feedback/<u>/<a>/``)."""
    folder = Path(course_root) / "feedback" / user_id / assignment_id
    return folder.is_dir() and any(folder.glob("*.html"))
