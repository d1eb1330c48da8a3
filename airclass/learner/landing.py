"""我的入口: what the hub home page shows each person, computed in the hub process (root).

Per course a cadre sees its lessons (done or not, opened as pages) and its assignments
(title, due date in Beijing time, status, score); trainers and managers see the way to
their pages. Nothing here starts a server: every link does that when it is followed.
Wired in by hub_config/jupyterhub_config.py as a callable JupyterHub template variable.
"""

from __future__ import annotations

import datetime as dt
import logging
import pwd
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nbgrader.utils import notebook_hash

from airclass.core import deployed, timefmt
from airclass.core.platform_db import PlatformDB
from airclass.core.settings import Settings
from airclass.learner import paths
from airclass.learner.status import assignment_status, score_text
from airclass.progress import table as progress

log = logging.getLogger("airclass.landing")


def _latest_submission(inbound: Path, user: str, assignment_id: str) -> Path | None:
    """The cadre's newest folder in the exchange inbound (named user+assignment+timestamp[+random])."""
    found = []
    for folder in inbound.glob(f"{user}+{assignment_id}+*"):
        parts = folder.name.split("+")
        if len(parts) >= 3 and parts[0] == user and parts[1] == assignment_id:
            found.append((parts[2], folder))
    return max(found)[1] if found else None


def feedback_returned(exchange_course: Path, submission: Path) -> bool:
    """Feedback released for this submission (nbgrader names it by the submission's secret)."""
    secret_file = submission / "submission_secret.txt"
    notebooks = sorted(submission.glob("*.ipynb"))
    if not secret_file.is_file() or not notebooks:
        return False
    secret = secret_file.read_text()
    return all(
        (exchange_course / "feedback" / f"{notebook_hash(secret=secret, notebook_id=nb.stem)}.html").is_file()
        for nb in notebooks
    )


def _home(user: str) -> Path | None:
    try:
        return Path(pwd.getpwnam(user).pw_dir)
    except KeyError:
        return None


def cadre_courses(settings: Settings, user: str, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Each of the cadre's courses with lessons and assignments, as the home page lists them."""
    now = now or dt.datetime.now(dt.UTC)
    with PlatformDB(settings.platform_db_url) as db:
        person = db.person(user)
    if person is None:
        return []
    courses = [c for c in deployed.deployed_courses(settings) if c.id in person["courses"]]
    rows = progress.build_progress(
        settings.platform_db_url, courses, deployed.gradebook_urls(settings, courses), now, user,
        include_practice=True,
    )  # fmt: skip
    by_item = {(r.course_id, r.item_type, r.item_id): r for r in rows.itertuples()}
    home = _home(user)
    server = f"user/{user}"
    result = []
    for course in courses:
        exchange = settings.exchange_dir / course.id
        lessons = []
        for lesson in course.lessons:
            row = by_item.get((course.id, "lesson", lesson.id))
            lessons.append(
                {
                    "title": lesson.title,
                    "done": bool(row is not None and row.done),
                    "page_url": paths.lesson_page_url(server, course.id, lesson.notebook),
                    "lab_url": paths.lesson_lab_url(server, course.id, lesson.notebook),
                }
            )
        assignments = []
        for item in course.assignments:
            row = by_item.get((course.id, "assignment", item.id))
            latest = _latest_submission(exchange / "inbound", user, item.id)
            in_gradebook = bool(row is not None and row.submitted)
            graded = in_gradebook and not bool(row.needs_grading)
            fetched = home is not None and (home / paths.assignment_folder(course.id, item.id)).is_dir()
            state = assignment_status(
                released=(exchange / "outbound" / item.id).is_dir(),
                fetched=fetched,
                submitted=latest is not None or in_gradebook,
                graded=graded,
                returned=latest is not None and feedback_returned(exchange, latest),
            )
            score = ""
            if in_gradebook:
                score = score_text(row.score, row.max_score, row.pass_mark if graded else None)
                if not graded:
                    score += "（书面回答待培训师评阅）"
            assignments.append(
                {
                    "title": item.title,
                    "due": timefmt.deadline(item.due),
                    "overdue": state in ("未领取", "已领取") and item.due < now,
                    "status": state,
                    "score": score,
                }
            )
        practice = [a.id for a in course.assignments if a.practice]  # not needed for the certificate
        is_practice = rows["item_type"].eq("assignment") & rows["item_id"].isin(practice)
        course_rows = rows[rows["course_id"].eq(course.id) & ~is_practice]
        earned = bool(len(course_rows)) and bool(
            (course_rows["passed"] & ~course_rows["needs_grading"]).all()
        )
        result.append(
            {
                "id": course.id,
                "title": course.title,
                "lessons": lessons,
                "assignments": assignments,
                "certificate": earned,
            }
        )
    return result


class Entry:
    """One person's 我的入口, computed only when a template reads it: JupyterHub evaluates
    template variables for every hub page, and only the home page needs this."""

    def __init__(self, settings: Settings, user_name: str):
        self._settings = settings
        self._user = user_name
        self._data: dict[str, Any] | None = None

    def _load(self) -> dict[str, Any]:
        if self._data is None:
            try:
                with PlatformDB(self._settings.platform_db_url) as db:
                    person = db.person(self._user)
                if person is None:
                    self._data = {"role": "", "name": self._user, "courses": [], "error": False}
                else:
                    courses = cadre_courses(self._settings, self._user) if person["role"] == "cadre" else []
                    self._data = {
                        "role": person["role"],
                        "name": person["name"],
                        "courses": courses,
                        "error": False,
                    }
            except Exception:  # the home page must render even if one course is broken
                log.exception("airclass: could not build 我的入口 for %s", self._user)
                self._data = {"role": "", "name": self._user, "courses": [], "error": True}
        return self._data

    @property
    def role(self) -> str:
        return self._load()["role"]

    @property
    def name(self) -> str:
        return self._load()["name"]

    @property
    def courses(self) -> list[dict[str, Any]]:
        return self._load()["courses"]

    @property
    def error(self) -> bool:
        return self._load()["error"]


def entry_for(settings: Settings) -> Callable[[Any], Entry | None]:
    """The template variable `airclass_entry`: called by JupyterHub with the current user."""

    def airclass_entry(user: Any) -> Entry | None:
        return None if user is None else Entry(settings, user.name)

    return airclass_entry
