"""A real course to grade: scratch data dir, grader account, sandbox pool (root only).

    course = gradable("labor-law", "a1-calculators")     # factory fixture
    course.submit("cadre01", "wrong")                     # or notebooks → JSON
    summary = course.grade(workers=2)

Unix accounts are named for this process (grader-gt<pid>…, acg<pid>-N) and removed at the end.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from airclass.core import names
from airclass.core.settings import Settings, validate
from airclass.system import accounts
from airclass.system.layout import fix_course_permissions
from grader import sandbox
from grader.batch import grade_submissions
from tests.grader.coursework import course_root, place, variant
from tests.paths import COURSES

POOL_PREFIX = f"acg{os.getpid() % 100000}"


@dataclass
class GradableCourse:
    settings: Settings
    course_id: str
    assignment_id: str
    root: Path

    def submit(self, student: str, kind_or_notebooks, extra=None) -> Path:
        notebooks = (
            variant(self.root, self.assignment_id, kind_or_notebooks)
            if isinstance(kind_or_notebooks, str)
            else kind_or_notebooks
        )
        dest = place(self.root, self.assignment_id, student, notebooks, extra)
        fix_course_permissions(self.settings, self.course_id)
        return dest

    def variant(self, kind: str) -> dict:
        return variant(self.root, self.assignment_id, kind)

    def grade(self, **kwargs):
        return grade_submissions(self.settings, self.course_id, self.assignment_id, **kwargs)


@pytest.fixture(scope="session")
def grading_data_dir():
    if os.geteuid() != 0:
        pytest.fail("grading tests need root (grader and sandbox accounts); run scripts/test.sh")
    data_dir = Path(tempfile.mkdtemp(prefix="airclass-gt-", dir="/tmp"))
    os.chmod(data_dir, 0o755)
    settings = Settings(
        validate(
            {
                "data_dir": str(data_dir),
                "runtime_prefix": sys.prefix,
                "nbgrader": {"execute_timeout": 20},
                "grading": {"sandbox_accounts": POOL_PREFIX, "notebook_timeout": 60},
            }
        ),
        None,
    )
    made: list[str] = []
    yield settings, made
    sandbox.delete_pool(settings, 4)
    for course_id in made:
        accounts.delete_user(names.grader_account(course_id))
        if accounts.group_exists(names.course_group(course_id)):
            accounts._run(["groupdel", names.course_group(course_id)])
    shutil.rmtree(data_dir, ignore_errors=True)


def make_gradable(settings: Settings, made: list[str], course: str, assignment_id: str) -> GradableCourse:
    course_id = f"gt{os.getpid() % 100000}x{len(made)}"
    made.append(course_id)
    group = names.course_group(course_id)
    accounts.ensure_group(group)
    accounts.ensure_user(names.grader_account(course_id), settings["accounts"]["unix_group"], (group,))
    root = course_root(settings.data_dir, COURSES / course, assignment_id, course_id, settings)
    fix_course_permissions(settings, course_id)
    return GradableCourse(settings, course_id, assignment_id, root)


@pytest.fixture
def gradable(grading_data_dir):
    """Factory: gradable(course, assignment) → a fresh GradableCourse."""
    settings, made = grading_data_dir
    return lambda course, assignment_id: make_gradable(settings, made, course, assignment_id)
