"""The trainer's views of one course's nbgrader gradebook: the manual-grading queue,
per-question statistics, and whether feedback has been released."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from airclass.progress.table import _read, _utc, has_gradebook, nbgrader_models


def grading_queue_query() -> sa.Select:
    """Submitted notebooks with cells whose `Grade.needs_manual_grade` is still set."""
    nb = nbgrader_models()
    sa_, sn = nb.SubmittedAssignment, nb.SubmittedNotebook
    return (
        sa.select(
            sa_.student_id.label("user_id"),
            nb.Assignment.name.label("assignment"),
            nb.Notebook.name.label("notebook"),
            sa_.timestamp.label("submitted_at"),
            sa.func.count(nb.Grade.id).label("cells_to_grade"),
        )
        .join(sn, sn.id == nb.Grade.notebook_id)
        .join(nb.Notebook, nb.Notebook.id == sn.notebook_id)
        .join(sa_, sa_.id == sn.assignment_id)
        .join(nb.Assignment, nb.Assignment.id == sa_.assignment_id)
        .where(nb.Grade.needs_manual_grade)
        .group_by(sn.id, sa_.student_id, nb.Assignment.name, nb.Notebook.name, sa_.timestamp)
    )


def question_stats_query() -> sa.Select:
    """Per graded cell: how many grades are final and their mean `Grade.score`."""
    nb = nbgrader_models()
    cell, grade_cells, task_cells = nb.BaseCell.__table__, nb.GradeCell.__table__, nb.TaskCell.__table__
    max_score = sa.func.coalesce(grade_cells.c.max_score, task_cells.c.max_score, 0.0)
    return (
        sa.select(
            nb.Assignment.name.label("assignment"),
            nb.Notebook.name.label("notebook"),
            cell.c.name.label("question"),
            max_score.label("max_score"),
            sa.func.count(nb.Grade.id).label("graded"),
            sa.func.avg(nb.Grade.score).label("mean_score"),
        )
        .select_from(nb.Grade)
        .join(cell, cell.c.id == nb.Grade.cell_id)
        .outerjoin(grade_cells, grade_cells.c.id == nb.Grade.cell_id)
        .outerjoin(task_cells, task_cells.c.id == nb.Grade.cell_id)
        .join(nb.Notebook, nb.Notebook.id == cell.c.notebook_id)
        .join(nb.Assignment, nb.Assignment.id == nb.Notebook.assignment_id)
        .where(
            ~nb.Grade.needs_manual_grade,
            sa.or_(nb.Grade.manual_score.is_not(None), nb.Grade.auto_score.is_not(None)),
        )
        .group_by(nb.Grade.cell_id, nb.Assignment.name, nb.Notebook.name, cell.c.name, max_score)
    )


def grading_queue(gradebook: str | Path, course_id: str) -> pd.DataFrame:
    """Submitted notebooks with cells still needing manual grading, oldest first."""
    cols = ["course_id", "user_id", "assignment", "notebook", "submitted_at", "cells_to_grade"]
    if not has_gradebook(gradebook):
        return pd.DataFrame(columns=cols)
    queue = _read(gradebook, grading_queue_query())
    queue.insert(0, "course_id", course_id)
    queue["submitted_at"] = _utc(queue["submitted_at"])
    queue = queue.sort_values(["submitted_at", "user_id", "assignment", "notebook"], kind="stable")
    return queue.loc[:, cols].reset_index(drop=True)


def question_stats(gradebook: str | Path, course_id: str) -> pd.DataFrame:
    """Per question (graded cell): graded count, mean score, max, mean ÷ max (difficulty)."""
    cols = [
        "course_id",
        "assignment",
        "notebook",
        "question",
        "graded",
        "mean_score",
        "max_score",
        "mean_pct",
    ]
    if not has_gradebook(gradebook):
        return pd.DataFrame(columns=cols)
    stats = _read(gradebook, question_stats_query())
    stats.insert(0, "course_id", course_id)
    stats["mean_score"] = stats["mean_score"].astype(float)
    stats["max_score"] = stats["max_score"].astype(float)
    stats["mean_pct"] = stats["mean_score"] / stats["max_score"].where(stats["max_score"] > 0)
    stats = stats.sort_values(["assignment", "notebook", "question"], kind="stable")
    return stats.loc[:, cols].reset_index(drop=True)


def feedback_available(course_root: Path, user_id: str, assignment_id: str) -> bool:
    """Whether nbgrader has generated feedback for this submission (``feedback/<u>/<a>/``)."""
    folder = Path(course_root) / "feedback" / user_id / assignment_id
    return folder.is_dir() and any(folder.glob("*.html"))
