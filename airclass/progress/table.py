"""The progress table: one tidy table of cadre × course × item, and its filters.

`build_progress` joins three sources, each one query read straight into pandas — never
nbgrader's per-student `Gradebook` loops, so it stays fast at provincial scale — on SQLite
or PostgreSQL alike:

- the roster (platform DB: people + enrollments, cadres only),
- every course's nbgrader gradebook, queried through nbgrader's own models (`Grade.score`,
  `Grade.needs_manual_grade`, see `submissions_query`),
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
import functools
import importlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd
import sqlalchemy as sa

from airclass.core import databases
from airclass.core import platform_tables as platform
from airclass.core.catalog import Course
from airclass.core.cities import CITY_CODES
from airclass.core.deployed import deployed_courses, gradebook_urls

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

_EPOCH = pd.Timestamp("1970-01-01")


# --- reading ----------------------------------------------------------------------------
#
# Every read is a SQLAlchemy select on the owning package's own models — the platform DB's
# tables (airclass.core.platform_tables) and nbgrader's (nbgrader.api) — handed to
# pandas.read_sql, so it runs unchanged on SQLite and PostgreSQL and follows nbgrader's
# schema and scoring rules instead of restating them.


@functools.cache
def nbgrader_models():
    """nbgrader's SQLAlchemy models (`nbgrader.api`), loaded on first use: importing the
    nbgrader package costs about a second (it loads nbconvert and its server extensions),
    which a dashboard render from a warm cache — it never reads a gradebook — must not pay."""
    return importlib.import_module("nbgrader.api")


def _read(target: str | Path, query: sa.Select) -> pd.DataFrame:
    """`query`'s rows as a DataFrame, fetched from the driver's cursor as plain tuples.

    SQLAlchemy's result processing runs per row and per column; here it runs only for the
    columns whose type has a processor for what the driver returned (nbgrader's `Interval`,
    stored as a date on SQLite), the rest are typed by the caller in one go (`_utc`,
    astype) — a third of a province-scale build was SQLAlchemy building rows."""
    with databases.engine(target, read_only=True).connect() as conn:
        dialect = conn.dialect
        result = conn.execute(query)
        columns = list(result.keys())
        driver_types = [d[1] for d in result.cursor.description]
        rows = result.cursor.fetchall()
        result.close()
    frame = pd.DataFrame.from_records(rows, columns=columns)
    for name, column, driver_type in zip(columns, query.selected_columns, driver_types, strict=True):
        process = column.type.dialect_impl(dialect).result_processor(dialect, driver_type)
        if process is not None:
            frame[name] = [None if pd.isna(v) else process(v) for v in frame[name]]
    return frame


def _utc(values: pd.Series) -> pd.Series:
    """Parse stored timestamps to aware UTC; naive values (nbgrader's) are UTC already."""
    return pd.to_datetime(values, utc=True, format="ISO8601")


def read_roster(platform_db: str | Path, user_id: str | None = None) -> pd.DataFrame:
    """Enrolled cadres: one row per cadre × course (only `user_id`'s rows if given)."""
    p, e = platform.people, platform.enrollments
    query = (
        sa.select(p.c.user_id, p.c.name, p.c.city, p.c.city_code, p.c.union_name, p.c.phone, e.c.course_id)
        .join_from(p, e, e.c.user_id == p.c.user_id)
        .where(p.c.role == "cadre")
    )
    if user_id is not None:
        query = query.where(p.c.user_id == user_id)
    return _read(platform_db, query)


def read_lesson_completions(
    platform_db: str | Path, user_id: str | None = None, course_id: str | None = None
) -> pd.DataFrame:
    t = platform.lesson_completions
    query = sa.select(t.c.user_id, t.c.course_id, t.c.lesson_id.label("item_id"), t.c.completed_at)
    if user_id is not None:
        query = query.where(t.c.user_id == user_id)
    if course_id is not None:
        query = query.where(t.c.course_id == course_id)
    lessons = _read(platform_db, query)
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


def submissions_query(user_id: str | None = None) -> sa.Select:
    """One row per submitted assignment with nbgrader's total: the sum of `Grade.score`
    (manual over auto, plus extra credit; 0 without grades — `SubmittedAssignment.score`)
    and whether any `Grade.needs_manual_grade` (`SubmittedAssignment.needs_manual_grade`).

    The sums are grouped once over all grades rather than taken through those two
    per-row correlated subqueries, which is the same rule at a fraction of the cost for
    a whole province."""
    nb = nbgrader_models()
    per_submission = (
        sa.select(
            nb.SubmittedNotebook.assignment_id.label("submission_id"),
            sa.func.sum(nb.Grade.score).label("score"),
            sa.func.max(sa.case((nb.Grade.needs_manual_grade, 1), else_=0)).label("needs_grading"),
        )
        .join(nb.Grade, nb.Grade.notebook_id == nb.SubmittedNotebook.id)
        .group_by(nb.SubmittedNotebook.assignment_id)
        .subquery()
    )
    sub = nb.SubmittedAssignment
    query = (
        sa.select(
            sub.student_id.label("user_id"),
            nb.Assignment.name.label("item_id"),
            # as stored: SQLite keeps text, which pandas parses in one go (`_utc`);
            # SQLAlchemy's per-row DateTime parsing took a quarter of a 200k build
            sa.type_coerce(sub.timestamp, sa.String).label("submitted_at"),
            sub.extension.label("extension"),
            sa.func.coalesce(per_submission.c.score, 0.0).label("score"),
            sa.func.coalesce(per_submission.c.needs_grading, 0).label("needs_grading"),
        )
        .join(nb.Assignment, nb.Assignment.id == sub.assignment_id)
        .outerjoin(per_submission, per_submission.c.submission_id == sub.id)
    )
    if user_id is not None:
        query = query.where(sub.student_id == user_id)
    return query


def has_gradebook(gradebook: str | Path) -> bool:
    """Whether nbgrader has created the course's gradebook yet (file or schema with tables)."""
    if not databases.exists(gradebook):
        return False
    with databases.engine(gradebook, read_only=True).connect() as conn:
        return sa.inspect(conn).has_table(nbgrader_models().SubmittedAssignment.__tablename__)


def read_submissions(gradebook: str | Path, user_id: str | None = None) -> pd.DataFrame:
    """Submitted assignments of one gradebook with their total score (empty if no gradebook)."""
    if not has_gradebook(gradebook):
        return _empty_submissions()
    subs = _read(gradebook, submissions_query(user_id))
    subs["submitted_at"] = _utc(subs["submitted_at"])
    subs["extension"] = pd.to_timedelta(subs["extension"]).fillna(pd.Timedelta(0))
    subs["needs_grading"] = subs["needs_grading"].astype(bool)
    subs["score"] = subs["score"].astype(float)
    return subs


def course_items(courses: Sequence[Course], include_practice: bool = False) -> pd.DataFrame:
    """The catalog as a table: one row per lesson and assignment, in course order.
    Practice assignments (`weight = 0` in course.toml, "不计成绩") count for nothing —
    not completion, pass rates, at-risk or certificates — so they are left out unless
    `include_practice` (a cadre's own page still shows their status)."""
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
            if assignment.practice and not include_practice:
                continue
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
    platform_db: str | Path,
    courses: Sequence[Course],
    gradebooks: Mapping[str, str | Path],
    now: dt.datetime,
    user_id: str | None = None,
    include_practice: bool = False,
) -> pd.DataFrame:
    """The tidy progress table (see the module docstring for its columns).

    `platform_db` and the values of `gradebooks` (course id → gradebook) are database URLs
    or SQLite paths; a gradebook not created yet means "nothing submitted yet". Cadres
    enrolled in a course that is not in `courses` are left out.
    With `user_id`, only that cadre's rows are read (the "my progress" page).
    Practice assignments (weight 0) are left out unless `include_practice` (`course_items`).

    The repeated text columns are categoricals. The table is laid out directly in its
    final order (course, cadre, item) and submissions and lesson completions are put in
    place by position, not by merging on text keys: at 200k cadres the table has 7M rows
    and text merges would hold several copies of every name and id at once.
    """
    now_ts = pd.Timestamp(now).tz_convert("UTC")
    items = course_items(courses, include_practice).sort_values(["course_id", "item_order"], kind="stable")
    items = items.reset_index(drop=True)
    roster = read_roster(platform_db, user_id)
    roster = roster[roster["course_id"].isin(items["course_id"])]
    roster = roster.drop_duplicates(["course_id", "user_id"]).sort_values(["course_id", "user_id"])
    layout = _Layout(roster.reset_index(drop=True), items)
    del roster
    columns = layout.text_columns()
    columns["due"] = layout.item_column("due")
    columns["max_score"] = layout.item_column("max_score")
    columns["pass_mark"] = layout.item_column("pass_mark")

    # One course at a time, so only one course's submissions are held as text at once.
    submitted = np.zeros(layout.size, dtype=bool)
    submitted_at = np.full(layout.size, np.datetime64("NaT"), dtype="datetime64[us]")
    extension = np.zeros(layout.size, dtype="timedelta64[us]")
    score = np.full(layout.size, np.nan)
    needs_grading = np.zeros(layout.size, dtype=bool)
    completed_at = np.full(layout.size, np.datetime64("NaT"), dtype="datetime64[us]")
    for course in courses:
        subs = read_submissions(gradebooks.get(course.id, _NO_GRADEBOOK), user_id)
        rows, found = layout.rows(course.id, subs["user_id"], subs["item_id"], "assignment")
        submitted[rows] = True
        submitted_at[rows] = _naive_utc(subs["submitted_at"])[found]
        extension[rows] = subs["extension"].to_numpy("timedelta64[us]")[found]
        score[rows] = subs["score"].to_numpy("float64")[found]
        needs_grading[rows] = subs["needs_grading"].to_numpy(bool)[found]
        del subs
        lessons = read_lesson_completions(platform_db, user_id, course.id)
        rows, found = layout.rows(course.id, lessons["user_id"], lessons["item_id"], "lesson")
        completed_at[rows] = _naive_utc(lessons["completed_at"])[found]
        del lessons

    columns["submitted"] = pd.Series(submitted)
    columns["submitted_at"] = pd.Series(submitted_at).dt.tz_localize("UTC")
    columns["score"] = pd.Series(score)
    columns["needs_grading"] = pd.Series(needs_grading)
    columns["completed_at"] = pd.Series(completed_at).dt.tz_localize("UTC")
    columns["deadline"] = columns["due"] + pd.Series(extension)
    del extension
    columns["late"] = columns["submitted"] & (columns["submitted_at"] > columns["deadline"])
    columns["overdue"] = _overdue(columns["item_type"], columns["submitted"], columns["deadline"], now_ts)
    completed = columns["completed_at"].notna()
    passed = columns["submitted"] & (columns["score"] >= columns["pass_mark"])
    columns["passed"] = passed | completed
    columns["done"] = columns["submitted"] | completed
    columns["activity_at"] = columns["submitted_at"].fillna(columns["completed_at"])
    return pd.DataFrame({name: columns.pop(name) for name in PROGRESS_COLUMNS}, copy=False)


_NO_GRADEBOOK = Path("/nonexistent/gradebook.db")
_ROSTER_TEXT = ("user_id", "name", "city", "city_code", "union_name", "phone", "course_id")
_ITEM_TEXT = ("course_title", "item_type", "item_id", "item_title")


def _naive_utc(times: pd.Series) -> np.ndarray:
    return times.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy("datetime64[us]")


class _Layout:
    """Where each (course, cadre, item) row sits in the table: courses in id order, each a
    block of its enrolled cadres (by id) × the course's items (in catalog order).

    The roster's text is kept only as categorical codes: at 200k cadres its 600k rows of
    names, unions and phones as Python strings would otherwise be held to the end."""

    def __init__(self, roster: pd.DataFrame, items: pd.DataFrame):
        self.items = items
        self.roster_text = {name: pd.Categorical(roster[name]) for name in _ROSTER_TEXT}
        per_course = items.groupby("course_id", sort=False).size()
        self.n_items = per_course.to_dict()
        first_item = (per_course.cumsum() - per_course).to_dict()
        counts = roster["course_id"].map(self.n_items).to_numpy(dtype="int64")
        self.size = int(counts.sum())
        self.row_of = np.repeat(np.arange(len(roster), dtype="int32"), counts)  # table row → roster row
        row_start = np.cumsum(counts) - counts
        within = np.arange(self.size, dtype="int64") - np.repeat(row_start, counts)
        first = roster["course_id"].map(first_item).to_numpy(dtype="int64")
        self.item_of = (np.repeat(first, counts) + within).astype("int32")  # table row → item row
        del within
        # per course: where its block starts, and each cadre's place in it (by user code)
        users = self.roster_text["user_id"]
        self.blocks: dict[str, tuple[int, np.ndarray]] = {}
        for course_id, part in roster.groupby("course_id", sort=False).indices.items():
            place = np.full(len(users.categories), -1, dtype="int64")
            place[users.codes[part]] = np.arange(len(part))
            self.blocks[str(course_id)] = (int(row_start[part[0]]), place)

    def text_columns(self) -> dict[str, pd.Series]:
        """The roster's and the catalog's text, repeated down the table as categoricals."""
        out = {}
        for name, values in self.roster_text.items():
            out[name] = pd.Series(pd.Categorical.from_codes(values.codes[self.row_of], dtype=values.dtype))
        for name in _ITEM_TEXT:
            values = pd.Categorical(self.items[name])
            out[name] = pd.Series(pd.Categorical.from_codes(values.codes[self.item_of], dtype=values.dtype))
        return out

    def item_column(self, name: str) -> pd.Series:
        return self.items[name].take(self.item_of).reset_index(drop=True)

    def rows(self, course_id: str, users: pd.Series, item_ids: pd.Series, item_type: str):
        """The table rows of (cadre, item) keys of one course, and which keys have one (a
        cadre not enrolled, or not a cadre, or an item not in the catalog has none)."""
        if course_id not in self.blocks or len(users) == 0:
            return np.zeros(0, dtype="int64"), np.zeros(len(users), dtype=bool)
        start, place = self.blocks[course_id]
        ours = self.items[self.items["course_id"].eq(course_id)].reset_index(drop=True)
        ours = ours[ours["item_type"].eq(item_type)]
        item_pos = pd.Series(ours.index.to_numpy(), index=ours["item_id"].to_numpy())
        code = self.roster_text["user_id"].categories.get_indexer(users.to_numpy())
        cadre_pos = np.where(code >= 0, place[code], -1)
        within = item_pos.reindex(item_ids.to_numpy()).to_numpy(dtype="float64")
        found = (cadre_pos >= 0) & ~np.isnan(within)
        rows = (
            start + cadre_pos[found].astype("int64") * self.n_items[course_id] + within[found].astype("int64")
        )
        return rows, found


def overdue_at(table: pd.DataFrame, now: dt.datetime) -> pd.Series:
    """Assignments past their deadline at `now` and still not submitted."""
    return _overdue(table["item_type"], table["submitted"], table["deadline"], now)


def _overdue(item_type: pd.Series, submitted: pd.Series, deadline: pd.Series, now: dt.datetime) -> pd.Series:
    now_ts = pd.Timestamp(now).tz_convert("UTC")
    overdue = item_type.eq("assignment") & ~submitted.astype(bool)
    return (overdue & (deadline < now_ts)).fillna(False).astype(bool)


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
    books = gradebook_urls(settings, courses)
    if cache is not None and user_id is None:
        return cache.table(settings.platform_db_url, courses, books, now)
    return build_progress(settings.platform_db_url, courses, books, now, user_id)


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
