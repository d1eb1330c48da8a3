"""The progress table: one tidy table of cadre × course × item, and its filters.

`build_progress` joins three sources with SQL read straight into pandas — never
nbgrader's per-student `Gradebook` loops, so it stays fast at provincial scale:

- the roster (platform DB: people + enrollments, cadres only),
- every course's nbgrader ``gradebook.db`` (submitted_assignment → submitted_notebook →
  grade; a grade's score is ``manual_score`` when set, else ``auto_score``, plus
  ``extra_credit`` — exactly nbgrader's ``Grade.score``),
- lesson completions (platform DB).

One row per enrolled cadre × course item (assignment or lesson) in the course catalog,
whether or not anything happened, so every rate built on it has the enrolled cadres as its
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
The figures built on the table are in `airclass.progress.analytics`, its on-disk cache in
`airclass.progress.cache`, the trainer's gradebook views in `airclass.progress.trainer_stats`.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from contextlib import closing
from pathlib import Path
from typing import Protocol

import pandas as pd

from airclass.core.catalog import CatalogError, Course, load_course
from airclass.core.cities import CITY_CODES

#: Shandong's 16 cities in division-code order, as (name, code) pairs (from airclass.core.cities).
CITIES: tuple[tuple[str, str], ...] = tuple(CITY_CODES.items())
CITY_NAMES: tuple[str, ...] = tuple(CITY_CODES)

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


def overdue_at(table: pd.DataFrame, now: dt.datetime) -> pd.Series:
    """Assignments past their deadline at `now` and still not submitted."""
    now_ts = pd.Timestamp(now).tz_convert("UTC")
    overdue = table["item_type"].eq("assignment") & ~table["submitted"].astype(bool)
    return (overdue & (table["deadline"] < now_ts)).fillna(False).astype(bool)


# --- deployed courses -------------------------------------------------------------------


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
            courses.append(load_course(settings.public_dir / course_id, check_notebooks=False))
        except (CatalogError, OSError):
            problems.append(first)
    if problems and not courses:
        raise CatalogError("\n".join(problems))
    return courses


def gradebook_paths(settings, courses: Iterable[Course]) -> dict[str, Path]:
    return {c.id: settings.course_root(c.id) / "gradebook.db" for c in courses}


class CachedTables(Protocol):
    """What `load_progress` needs of a cache (airclass.progress.cache.ProgressCache)."""

    def table(self, platform_db, courses, books, now) -> pd.DataFrame: ...


def load_progress(
    settings,
    now: dt.datetime | None = None,
    courses: Sequence[Course] | None = None,
    user_id: str | None = None,
    cache: CachedTables | None = None,
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
