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
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd
import sqlalchemy as sa

from airclass.core import databases
from airclass.core import platform_tables as platform
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


def _read(target: str | Path, query) -> pd.DataFrame:
    with databases.engine(target, read_only=True).connect() as conn:
        return pd.read_sql(query, conn)


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


def read_lesson_completions(platform_db: str | Path, user_id: str | None = None) -> pd.DataFrame:
    t = platform.lesson_completions
    query = sa.select(t.c.user_id, t.c.course_id, t.c.lesson_id.label("item_id"), t.c.completed_at)
    if user_id is not None:
        query = query.where(t.c.user_id == user_id)
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
            sub.timestamp.label("submitted_at"),
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
    platform_db: str | Path,
    courses: Sequence[Course],
    gradebooks: Mapping[str, str | Path],
    now: dt.datetime,
    user_id: str | None = None,
) -> pd.DataFrame:
    """The tidy progress table (see the module docstring for its columns).

    `platform_db` and the values of `gradebooks` (course id → gradebook) are database URLs
    or SQLite paths; a gradebook not created yet means "nothing submitted yet". Cadres
    enrolled in a course that is not in `courses` are left out.
    With `user_id`, only that cadre's rows are read (the "my progress" page).

    The repeated text columns are categoricals. The table is laid out directly in its
    final order (course, cadre, item) and submissions and lesson completions are put in
    place by position, not by merging on text keys: at 200k cadres the table has 7M rows
    and text merges would hold several copies of every name and id at once.
    """
    now_ts = pd.Timestamp(now).tz_convert("UTC")
    items = course_items(courses).sort_values(["course_id", "item_order"], kind="stable")
    items = items.reset_index(drop=True)
    roster = read_roster(platform_db, user_id)
    roster = roster[roster["course_id"].isin(items["course_id"])]
    roster = roster.drop_duplicates(["course_id", "user_id"]).sort_values(["course_id", "user_id"])
    layout = _Layout(roster.reset_index(drop=True), items)
    table = layout.frame()

    subs = {c.id: read_submissions(gradebooks.get(c.id, _NO_GRADEBOOK), user_id) for c in courses}
    at = layout.positions({c: (s["user_id"], s["item_id"]) for c, s in subs.items()}, "assignment")
    table["submitted"] = layout.flags(at)
    table["submitted_at"] = layout.spread(at, {c: s["submitted_at"] for c, s in subs.items()}, pd.NaT)
    extension = layout.spread(at, {c: s["extension"] for c, s in subs.items()}, pd.Timedelta(0))
    table["score"] = layout.spread(at, {c: s["score"] for c, s in subs.items()}, float("nan"))
    table["needs_grading"] = layout.spread(at, {c: s["needs_grading"] for c, s in subs.items()}, False)
    del subs

    lessons = read_lesson_completions(platform_db, user_id)
    by_course = dict(tuple(lessons.groupby("course_id", sort=False))) if len(lessons) else {}
    done_at = layout.positions({c: (g["user_id"], g["item_id"]) for c, g in by_course.items()}, "lesson")
    table["completed_at"] = layout.spread(
        done_at, {c: g["completed_at"] for c, g in by_course.items()}, pd.NaT
    )
    del lessons, by_course

    table["deadline"] = table["due"] + extension
    table["late"] = table["submitted"] & (table["submitted_at"] > table["deadline"]).fillna(False)
    table["overdue"] = overdue_at(table, now_ts)
    completed = table["completed_at"].notna()
    table["passed"] = (table["submitted"] & (table["score"] >= table["pass_mark"]).fillna(False)) | completed
    table["done"] = table["submitted"] | completed
    table["activity_at"] = table["submitted_at"].fillna(table["completed_at"])
    return table.loc[:, list(PROGRESS_COLUMNS)]


_NO_GRADEBOOK = Path("/nonexistent/gradebook.db")
_ROSTER_TEXT = ("user_id", "name", "city", "city_code", "union_name", "phone", "course_id")
_ITEM_TEXT = ("course_title", "item_type", "item_id", "item_title")


class _Layout:
    """Where each (course, cadre, item) row sits in the table: courses in id order, each a
    block of its enrolled cadres (by id) × the course's items (in catalog order)."""

    def __init__(self, roster: pd.DataFrame, items: pd.DataFrame):
        self.roster, self.items = roster, items
        per_course = items.groupby("course_id", sort=False).size()
        self.n_items = per_course.to_dict()
        self.first_item = (per_course.cumsum() - per_course).to_dict()
        counts = roster["course_id"].map(self.n_items).to_numpy(dtype="int64")
        self.size = int(counts.sum())
        self.row_of = np.repeat(np.arange(len(roster)), counts)  # table row → roster row
        row_start = np.cumsum(counts) - counts
        within = np.arange(self.size) - np.repeat(row_start, counts)
        first = roster["course_id"].map(self.first_item).to_numpy(dtype="int64")
        self.item_of = np.repeat(first, counts) + within  # table row → item row
        # per course: where its block starts and its cadres, for `positions`
        self.blocks: dict[str, tuple[int, pd.Index]] = {}
        for course_id, part in roster.groupby("course_id", sort=False):
            start = int(row_start[part.index[0]])
            self.blocks[str(course_id)] = (start, pd.Index(part["user_id"].to_numpy()))

    def frame(self) -> pd.DataFrame:
        roster = self.roster.astype({c: "category" for c in _ROSTER_TEXT})
        items = self.items.astype({c: "category" for c in _ITEM_TEXT})
        left = roster.iloc[self.row_of].reset_index(drop=True)
        right = items.drop(columns="course_id").iloc[self.item_of].reset_index(drop=True)
        return pd.concat([left, right], axis=1)

    def positions(self, keys: Mapping[str, tuple[pd.Series, pd.Series]], item_type: str) -> dict:
        """For each course, the table row of each (cadre, item) key, or -1 when the cadre is
        not enrolled (or not a cadre) or the item is not in the catalog."""
        out = {}
        for course_id, (users, item_ids) in keys.items():
            if course_id not in self.blocks or len(users) == 0:
                continue
            start, cadres = self.blocks[course_id]
            ours = self.items[self.items["course_id"].eq(course_id)].reset_index(drop=True)
            ours = ours[ours["item_type"].eq(item_type)]
            item_pos = pd.Series(ours.index.to_numpy(), index=ours["item_id"].to_numpy())
            cadre_pos = cadres.get_indexer(users.to_numpy())
            within = item_pos.reindex(item_ids.to_numpy()).to_numpy(dtype="float64")
            found = (cadre_pos >= 0) & ~np.isnan(within)
            rows = np.full(len(users), -1, dtype="int64")
            n = self.n_items[course_id]
            rows[found] = start + cadre_pos[found] * n + within[found].astype("int64")
            out[course_id] = rows
        return out

    def flags(self, positions: Mapping[str, np.ndarray]) -> pd.Series:
        hit = np.zeros(self.size, dtype=bool)
        for rows in positions.values():
            hit[rows[rows >= 0]] = True
        return pd.Series(hit)

    def spread(
        self, positions: Mapping[str, np.ndarray], values: Mapping[str, pd.Series], missing
    ) -> pd.Series:
        """A column holding `values` at `positions` and `missing` everywhere else (NaT for
        times, which come back as UTC; a zero Timedelta; NaN; False)."""
        if missing is pd.NaT:
            out = np.full(self.size, np.datetime64("NaT"), dtype="datetime64[us]")
            convert = lambda v: v.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy("datetime64[us]")  # noqa: E731
        elif isinstance(missing, pd.Timedelta):
            out = np.zeros(self.size, dtype="timedelta64[us]")
            convert = lambda v: v.to_numpy("timedelta64[us]")  # noqa: E731
        else:
            out = np.full(self.size, missing, dtype=bool if isinstance(missing, bool) else "float64")
            convert = lambda v: v.to_numpy(out.dtype)  # noqa: E731
        for course_id, rows in positions.items():
            keep = rows >= 0
            out[rows[keep]] = convert(values[course_id])[keep]
        column = pd.Series(out)
        return column.dt.tz_localize("UTC") if missing is pd.NaT else column


def overdue_at(table: pd.DataFrame, now: dt.datetime) -> pd.Series:
    """Assignments past their deadline at `now` and still not submitted."""
    now_ts = pd.Timestamp(now).tz_convert("UTC")
    overdue = table["item_type"].eq("assignment") & ~table["submitted"].astype(bool)
    return (overdue & (table["deadline"] < now_ts)).fillna(False).astype(bool)


# --- deployed courses -------------------------------------------------------------------


def deployed_courses(settings) -> list[Course]:
    """The courses deployed under the data root, read from each course's ``course.toml``.

    The nbgrader course root is tried first; when it cannot be read — the dashboard account
    may only read the gradebook — the public ``course.toml``. Only the catalog is read:
    the notebooks were checked when the course was deployed, and checking them again here
    would cost every dashboard render and API call seconds (nbgrader's validator).
    """
    ids: set[str] = set()
    for parent in (settings.courses_dir, settings.public_dir):
        try:
            ids.update(p.name for p in parent.iterdir() if (p / "course.toml").is_file())
        except OSError:
            continue
    courses, problems = [], []
    for course_id in sorted(ids):
        first = ""
        for folder in (settings.course_root(course_id), settings.public_dir / course_id):
            try:
                course = load_course(folder, check_notebooks=False)
            except (CatalogError, OSError) as exc:
                first = first or str(exc)
                continue
            if course.id != course_id:
                where = folder / "course.toml"
                first = first or f"{where}: id '{course.id}' differs from its folder '{course_id}'"
                continue
            courses.append(course)
            break
        else:
            problems.append(first)
    if problems and not courses:
        raise CatalogError("\n".join(problems))
    return courses


def gradebook_urls(settings, courses: Iterable[Course]) -> dict[str, str]:
    """Each course's gradebook (SQLite file or PostgreSQL schema), from the settings."""
    return {c.id: settings.gradebook_url(c.id) for c in courses}


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
