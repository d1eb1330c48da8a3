"""Synthetic progress for the demo, so every dashboard chart shows something on first start.

`seed_progress` writes, for every enrolled cadre but the demo's hands-on cadre
(``cadre01``), lesson completions into the platform DB and graded submissions into each
deployed course's gradebook — through nbgrader's own `Gradebook` API (a few hundred rows,
so the per-object API is fine here). Cadres get a deterministic profile:

    diligent — every lesson, every assignment on time, high scores
    steady   — most lessons, some assignments, mixed scores, written answers awaiting grading
    late     — submits after the due time (when a due time has already passed)
    idle     — a lesson long ago at most, then nothing

Real data always wins: a submission that already exists for a student and assignment is
skipped, and lesson completions keep their first time (INSERT OR IGNORE). Running it twice
adds nothing. All people and scores are synthetic.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

from airclass.core.catalog import Course
from airclass.core.platform_db import PlatformDB

HANDS_ON_CADRE = "cadre01"
PROFILES = (("diligent", 0.35), ("steady", 0.30), ("late", 0.15), ("idle", 0.20))
SEED_DAYS = 42  # the demo's course started six weeks before `now`


def _alembic_on_path() -> None:
    """nbgrader's Gradebook shells out to `alembic` by name."""
    bin_dir = str(Path(sys.executable).parent)
    path = os.environ.get("PATH", "")
    if bin_dir not in path.split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + path


def _profile(rng: random.Random) -> str:
    roll, acc = rng.random(), 0.0
    for name, share in PROFILES:
        acc += share
        if roll < acc:
            return name
    return PROFILES[-1][0]


def _ensure_assignment(gb, course_root: Path, assignment) -> None:
    """Make sure the gradebook knows the assignment (normally `release` has done it)."""
    try:
        gb.find_assignment(assignment.id)
        return
    except MissingEntry:
        pass
    due = assignment.due.astimezone(dt.UTC).replace(tzinfo=None)
    gb.add_assignment(assignment.id, duedate=due)
    for path in sorted((course_root / "source" / assignment.id).glob("*.ipynb")):
        gb.add_notebook(path.stem, assignment.id)
        for cell in json.loads(path.read_text(encoding="utf-8")).get("cells", []):
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if not meta.get("grade_id"):
                continue
            kind = "code" if cell.get("cell_type") == "code" else "markdown"
            if meta.get("task"):
                gb.add_task_cell(
                    meta["grade_id"],
                    path.stem,
                    assignment.id,
                    max_score=float(meta.get("points", 0)),
                    cell_type="markdown",
                )
            elif meta.get("grade"):
                gb.add_grade_cell(
                    meta["grade_id"],
                    path.stem,
                    assignment.id,
                    max_score=float(meta.get("points", 0)),
                    cell_type=kind,
                )


def _submission_time(
    rng: random.Random, profile: str, due: dt.datetime, start: dt.datetime, now: dt.datetime
) -> dt.datetime | None:
    if due <= now:
        if profile == "late" or (profile == "steady" and rng.random() < 0.2):
            when = due + dt.timedelta(hours=rng.uniform(2, 24 * 5))
        else:
            when = due - dt.timedelta(hours=rng.uniform(6, 24 * 9))
    else:
        when = now - dt.timedelta(hours=rng.uniform(2, 24 * 30))
    when = max(when, start + dt.timedelta(hours=1))
    return min(when, now - dt.timedelta(minutes=5))


def _fill_grades(gb, submission, rng: random.Random, profile: str) -> None:
    low = {"diligent": 0.7, "late": 0.4}.get(profile, 0.2)
    for notebook in submission.notebooks:
        for grade in notebook.grades:
            max_score = float(grade.max_score or 0)
            value = round(max_score * rng.uniform(low, 1.0) * 2) / 2
            if grade.cell_type == "code" and grade.cell.__class__.__name__ == "GradeCell":
                grade.auto_score = value
                grade.needs_manual_grade = False
            elif profile == "steady" and rng.random() < 0.5:
                grade.needs_manual_grade = True  # waits in the trainer's queue
            else:
                grade.manual_score = value
                grade.needs_manual_grade = False
    gb.db.commit()


def seed_progress(
    settings,
    courses: Sequence[Course],
    now: dt.datetime,
    rng_seed: int = 2019,
    skip: Sequence[str] = (HANDS_ON_CADRE,),
) -> dict[str, int]:
    """Seed demo progress (see the module docstring). Returns counts of what was written:
    submissions, skipped (already there), lessons."""
    _alembic_on_path()
    now = now.astimezone(dt.UTC)
    start = now - dt.timedelta(days=SEED_DAYS)
    counts: Counter[str] = Counter()
    with PlatformDB(settings.platform_db_url) as db:
        cadres = [p for p in db.people("cadre") if p["user_id"] not in set(skip)]
        profiles = {p["user_id"]: _profile(random.Random(f"{rng_seed}:{p['user_id']}")) for p in cadres}
        existing = {(u, c, lesson) for u, c, lesson, _at in db.completions()}
        for course in courses:
            for person in cadres:
                if course.id not in person["courses"]:
                    continue
                uid = person["user_id"]
                rng = random.Random(f"{rng_seed}:{uid}:{course.id}:lessons")
                share = {"diligent": 1.0, "steady": 0.7, "late": 0.6}.get(profiles[uid], 0.0)
                for i, lesson in enumerate(course.lessons):
                    idle_one = profiles[uid] == "idle" and i == 0 and rng.random() < 0.5
                    if not (rng.random() < share or idle_one):
                        continue
                    days = (
                        rng.uniform(SEED_DAYS - 10, SEED_DAYS) if idle_one else rng.uniform(1, SEED_DAYS - 1)
                    )
                    if (uid, course.id, lesson.id) in existing:
                        continue
                    db.record_completion(uid, course.id, lesson.id, now - dt.timedelta(days=days))
                    counts["lessons"] += 1

    for course in courses:
        if not settings.course_root(course.id).is_dir() or not course.assignments:
            continue
        with Gradebook(settings.gradebook_url(course.id), course_id=course.id) as gb:
            for assignment in course.assignments:
                _ensure_assignment(gb, settings.course_root(course.id), assignment)
            for person in cadres:
                if course.id not in person["courses"]:
                    continue
                uid, profile = person["user_id"], profiles[person["user_id"]]
                if profile == "idle":
                    continue
                try:
                    gb.find_student(uid)
                except MissingEntry:
                    gb.add_student(uid, first_name=person["name"])
                for assignment in course.assignments:
                    rng = random.Random(f"{rng_seed}:{uid}:{course.id}:{assignment.id}")
                    chance = {"diligent": 1.0, "late": 0.8}.get(profile, 0.6)
                    if rng.random() >= chance:
                        continue
                    try:
                        gb.find_submission(assignment.id, uid)
                        counts["skipped"] += 1
                        continue
                    except MissingEntry:
                        pass
                    when = _submission_time(rng, profile, assignment.due, start, now)
                    submission = gb.add_submission(assignment.id, uid, timestamp=when)
                    _fill_grades(gb, submission, rng, profile)
                    counts["submissions"] += 1
    return {k: counts.get(k, 0) for k in ("submissions", "skipped", "lessons")}
