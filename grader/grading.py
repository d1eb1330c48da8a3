"""The trainer's pipeline: release an assignment; collect, autograde and return feedback.

Every nbgrader step runs as the course's grader account (`grader-<course>`), never as
root: autograding executes cadres' code, and the grader account can touch only its own
course. Each step is a real nbgrader command; a failing step stops the pipeline with
nbgrader's own output in the error.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

from airclass.core import names
from airclass.core.catalog import Course
from airclass.core.settings import Settings
from airclass.system import accounts, childproc


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
    csv_path = settings.course_root(course_id) / "students.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "last_name", "first_name", "email"])
        writer.writerows([s["user_id"], s["name"], "", ""] for s in students)
    accounts.chown_tree(csv_path, names.grader_account(course_id), names.course_group(course_id))
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


@dataclass(frozen=True)
class GradeSummary:
    course_id: str
    assignment_id: str
    graded: dict[str, float]  # student -> score
    max_score: float
    needs_manual: list[str]

    def table(self) -> str:
        lines = [f"{self.course_id}/{self.assignment_id}: {len(self.graded)} 份提交，满分 {self.max_score:g}"]
        for student, score in sorted(self.graded.items()):
            flag = "（待人工评分）" if student in self.needs_manual else ""
            lines.append(f"  {student}: {score:g}{flag}")
        return "\n".join(lines)


def grade(settings: Settings, course: Course, assignment_id: str) -> GradeSummary:
    """Collect every submission, autograde, generate and release feedback."""
    course.assignment(assignment_id)  # clear error for an unknown assignment
    run_as_grader(settings, course.id, ["collect", assignment_id, "--update"])
    submitted = settings.course_root(course.id) / "submitted"
    students = (
        sorted(p.name for p in submitted.iterdir() if (p / assignment_id).is_dir())
        if submitted.is_dir()
        else []
    )
    if students:
        run_as_grader(settings, course.id, ["autograde", assignment_id])
        run_as_grader(settings, course.id, ["generate_feedback", assignment_id, "--force"])
        run_as_grader(settings, course.id, ["release_feedback", assignment_id])
    return summarize(settings, course.id, assignment_id, students)


def summarize(settings: Settings, course_id: str, assignment_id: str, students: list[str]) -> GradeSummary:
    db = settings.course_root(course_id) / "gradebook.db"
    graded: dict[str, float] = {}
    needs_manual: list[str] = []
    max_score = 0.0
    with Gradebook(f"sqlite:///{db}", course_id) as gb:
        max_score = gb.find_assignment(assignment_id).max_score
        for student in students:
            try:
                sub = gb.find_submission(assignment_id, student)
            except MissingEntry:
                continue
            graded[student] = sub.score
            if sub.needs_manual_grade:
                needs_manual.append(student)
    return GradeSummary(course_id, assignment_id, graded, max_score, needs_manual)
