"""The completion service checks quick-check answers against the deployed lesson itself."""

from __future__ import annotations

import shutil

from airclass.core.course_notebooks import lesson_quick_checks
from airclass.services.completion_api import lesson_notebook, unanswered
from tests.paths import COURSES, FIXTURE_COURSES

QUESTION = "工资总额 50 万元的单位每月拨缴工会经费多少？"


def test_right_options_are_read_from_the_lesson(tmp_path):
    public = tmp_path / "public"
    shutil.copytree(FIXTURE_COURSES / "basics", public / "basics")
    notebook = lesson_notebook(public, "basics", "funds")
    assert notebook == public / "basics" / "lessons" / "02-funds.ipynb"
    assert lesson_notebook(public, "basics", "nope") is None
    assert lesson_notebook(public, "other", "funds") is None
    assert [m[:8] for m in unanswered(notebook, {})] == ["第1题：工资总额"]
    assert unanswered(notebook, {QUESTION: 0}) != []
    assert unanswered(notebook, {QUESTION: 1}) == []
    assert unanswered(lesson_notebook(public, "basics", "dues"), {}) == []  # a lesson without checks


def test_every_quick_check_in_the_courses_is_readable_by_the_platform():
    """Each lesson's quick checks have literal questions and answers the service can read."""
    for notebook in sorted(COURSES.glob("*/lessons/*.ipynb")):
        text = notebook.read_text(encoding="utf-8")
        assert len(lesson_quick_checks(notebook)) == text.count("quick_check("), notebook
