"""The trainer's pipeline: release an assignment; collect, autograde and return feedback.

nbgrader's steps run as the course's grader account (`grader-<course>`), never as root;
the cadres' code itself runs only in the sandbox pool (grader/sandbox.py), driven by
grader/batch.py. A failing nbgrader command stops the pipeline with its own output in
the error; a failing submission is reported and never stops the others.
"""

from __future__ import annotations

import csv
import io
import pwd
from pathlib import Path

from airclass.core import names
from airclass.core.catalog import Course
from airclass.core.settings import Settings
from airclass.system import accounts, childproc
from airclass.system.safe_fs import handoff_file
from grader import intake
from grader.batch import BatchSummary, grade_submissions


class GradingError(RuntimeError):
    pass


def run_as_grader(settings: Settings, course_id: str, args: list[str]) -> str:
    """Run `nbgrader <args>` in the course root as grader-<course>; return its output."""
    accounts.require_root("Running nbgrader for a course")
    user = names.grader_account(course_id)
    root = settings.course_root(course_id)
    if not (root / "nbgrader_config.py").is_file():
        raise GradingError(
            f"course '{course_id}' is not deployed under {root}; run `airclass course deploy` first"
        )
    nbgrader = settings.runtime_bin("nbgrader")
    proc = childproc.run_as(user, [nbgrader, *args], childproc.child_env(settings, user), cwd=root)
    output = proc.stdout + proc.stderr
    if proc.returncode != 0:
        raise GradingError(f"nbgrader {' '.join(args)} (course {course_id}) failed:\n{output}")
    return output


def sync_students(settings: Settings, course_id: str, students: list[dict]) -> None:
    """Register the course's cadres in its gradebook, so non-submitters show up too."""
    if not students:
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["id", "last_name", "first_name", "email"])
    writer.writerows([s["user_id"], s["name"], "", ""] for s in students)
    # Never written into the course root: the grader account could have planted a link
    # there for root to write through (airclass.system.safe_fs).
    grader_uid = pwd.getpwnam(names.grader_account(course_id)).pw_uid
    with handoff_file(buffer.getvalue(), grader_uid, "students.csv") as csv_path:
        run_as_grader(settings, course_id, ["db", "student", "import", str(csv_path)])


def release(settings: Settings, course: Course, assignment_id: str) -> Path:
    """Record the due date, generate the student version and put it in the exchange."""
    assignment = course.assignment(assignment_id)
    run_as_grader(
        settings,
        course.id,
        ["db", "assignment", "add", assignment_id, f"--duedate={assignment.due.isoformat()}"],
    )
    run_as_grader(settings, course.id, ["generate_assignment", assignment_id, "--force"])
    run_as_grader(settings, course.id, ["release_assignment", assignment_id, "--force"])
    released = settings.exchange_dir / course.id / "outbound" / assignment_id
    if not released.is_dir():
        raise GradingError(f"nbgrader reported success but {released} does not exist")
    return released


def collect(
    settings: Settings, course_id: str, assignment_id: str, students: list[str] | None = None
) -> list[intake.Refusal]:
    """Copy the newest submissions from the exchange into the course's submitted/ folder
    (all cadres, or `students`), as grader-<course>. Forged, unenrolled or backdated inbox
    entries are quarantined first (grader/intake.py); returns them."""
    refused = intake.screen_inbound(settings, course_id)
    if students is None:
        run_as_grader(settings, course_id, ["collect", assignment_id, "--update"])
        return refused
    for student in students:
        run_as_grader(settings, course_id, ["collect", assignment_id, "--update", f"--student={student}"])
    return refused


def grade(
    settings: Settings,
    course: Course,
    assignment_id: str,
    *,
    workers: int | None = None,
    force: bool = False,
    progress: bool = False,
) -> BatchSummary:
    """Collect new submissions from the exchange, then grade every submission not yet graded
    (all with `force`) in the sandbox pool, and return feedback to each cadre."""
    course.assignment(assignment_id)  # clear error for an unknown assignment
    refused = collect(settings, course.id, assignment_id)
    summary = grade_submissions(
        settings, course.id, assignment_id, workers=workers, force=force, progress=progress
    )
    summary.refused = refused
    return summary
