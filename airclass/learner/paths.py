"""Where a cadre's things are, relative to the cadre's server root (the home folder)."""

from __future__ import annotations

from urllib.parse import quote

# Lessons are copied into ~/空中课堂/<course>/ by the spawner.
from airclass.hub.spawner import LESSONS_FOLDER

__all__ = ["LESSONS_FOLDER"]
ASSIGNMENTS_PAGE = "airclass/assignments"


def lesson_path(course_id: str, notebook: str) -> str:
    return f"{LESSONS_FOLDER}/{course_id}/{notebook}"


def lesson_page_url(server_url: str, course_id: str, notebook: str) -> str:
    """The lesson as a Voila page in the cadre's own server (text, widgets, no code)."""
    return server_url.rstrip("/") + "/voila/render/" + quote(lesson_path(course_id, notebook))


def lesson_lab_url(server_url: str, course_id: str, notebook: str) -> str:
    return server_url.rstrip("/") + "/lab/tree/" + quote(lesson_path(course_id, notebook))


def assignment_folder(course_id: str, assignment_id: str) -> str:
    """Where nbgrader fetches an assignment (Exchange.path_includes_course = True)."""
    return f"{course_id}/{assignment_id}"
