"""The grading service's choice of what to grade: new inbound submissions of assignments
with instant feedback (course.toml `instant_feedback = false` for exams)."""

from __future__ import annotations

import dataclasses

import pytest

from airclass.core.catalog import CatalogError, course_toml, load_course
from airclass.core.settings import Settings, validate
from airclass.services.grading_service import instant_assignments, pending
from tests.paths import FIXTURE_COURSES

STAMP = "2026-11-29 08:00:00.000000 UTC"
LATER = "2026-11-29 09:30:00.000000 UTC"


@pytest.fixture
def settings(tmp_path):
    return Settings(validate({"data_dir": str(tmp_path)}), None)


def inbound(settings, *names):
    folder = settings.exchange_dir / "c1" / "inbound"
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).mkdir()


def collected(settings, student, assignment, stamp):
    folder = settings.course_root("c1") / "submitted" / student / assignment
    folder.mkdir(parents=True)
    (folder / "timestamp.txt").write_text(stamp)


def test_new_submissions_of_instant_assignments_only(settings):
    inbound(
        settings,
        f"cadre01+hw1+{STAMP}+abc",  # not collected yet
        f"cadre02+hw1+{STAMP}+abd",  # collected, nothing newer
        f"cadre03+hw1+{STAMP}+abe",
        f"cadre03+hw1+{LATER}+abf",  # resubmitted after collection
        f"cadre04+exam+{STAMP}+abg",  # instant feedback off
        "not-a-submission",
        f"Root+hw1+{STAMP}+x",  # not a valid account name
    )
    collected(settings, "cadre02", "hw1", STAMP)
    collected(settings, "cadre03", "hw1", STAMP)
    tried: dict = {}
    assert pending(settings, "c1", {"hw1"}, tried) == {"hw1": ["cadre01", "cadre03"]}
    assert pending(settings, "c1", {"hw1"}, tried) == {}, "a submission is tried once"
    assert pending(settings, "c1", {"hw1", "exam"}, {}) == {
        "exam": ["cadre04"],
        "hw1": ["cadre01", "cadre03"],
    }


def test_course_toml_switches_instant_feedback_off_per_assignment(settings, tmp_path):
    course = load_course(FIXTURE_COURSES / "basics")
    exam = dataclasses.replace(course.assignments[0], instant_feedback=False)
    root = settings.course_root("basics")
    root.mkdir(parents=True)
    (root / "course.toml").write_text(course_toml(dataclasses.replace(course, assignments=(exam,))))
    assert instant_assignments(settings, "basics") == set()
    (root / "course.toml").write_text(course_toml(course))
    assert instant_assignments(settings, "basics") == {course.assignments[0].id}
    (root / "course.toml").write_text(
        course_toml(course).replace("instant_feedback = true", 'instant_feedback = "no"')
    )
    with pytest.raises(CatalogError, match="instant_feedback"):
        load_course(root, check_notebooks=False)
