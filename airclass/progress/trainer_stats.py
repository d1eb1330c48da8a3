"""The trainer's views of one course's nbgrader gradebook: the manual-grading queue,
per-question statistics, and whether feedback has been released."""

from __future__ import annotations

from contextlib import closing
from pathlib import Path

import pandas as pd

from airclass.progress.table import _connect_ro, _utc

_QUEUE_SQL = """
SELECT sa.student_id AS user_id, a.name AS assignment, nb.name AS notebook,
       sa.timestamp AS submitted_at, COUNT(*) AS cells_to_grade
FROM grade AS g
JOIN submitted_notebook AS sn ON sn.id = g.notebook_id
JOIN notebook AS nb ON nb.id = sn.notebook_id
JOIN submitted_assignment AS sa ON sa.id = sn.assignment_id
JOIN assignment AS a ON a.id = sa.assignment_id
WHERE g.needs_manual_grade = 1
GROUP BY sn.id
"""

_QUESTIONS_SQL = """
SELECT a.name AS assignment, nb.name AS notebook, bc.name AS question,
       COALESCE(gc.max_score, tc.max_score, 0.0) AS max_score,
       COUNT(*) AS graded,
       AVG(CASE WHEN g.manual_score IS NOT NULL THEN g.manual_score + COALESCE(g.extra_credit, 0.0)
                ELSE g.auto_score + COALESCE(g.extra_credit, 0.0) END) AS mean_score
FROM grade AS g
JOIN base_cell AS bc ON bc.id = g.cell_id
LEFT JOIN grade_cells AS gc ON gc.id = g.cell_id
LEFT JOIN task_cells AS tc ON tc.id = g.cell_id
JOIN notebook AS nb ON nb.id = bc.notebook_id
JOIN assignment AS a ON a.id = nb.assignment_id
WHERE g.needs_manual_grade = 0 AND (g.manual_score IS NOT NULL OR g.auto_score IS NOT NULL)
GROUP BY g.cell_id
"""


def grading_queue(gradebook: Path, course_id: str) -> pd.DataFrame:
    """Submitted notebooks with cells still needing manual grading, oldest first."""
    cols = ["course_id", "user_id", "assignment", "notebook", "submitted_at", "cells_to_grade"]
    if not Path(gradebook).is_file():
        return pd.DataFrame(columns=cols)
    with closing(_connect_ro(gradebook)) as conn:
        queue = pd.read_sql(_QUEUE_SQL, conn)
    queue.insert(0, "course_id", course_id)
    queue["submitted_at"] = _utc(queue["submitted_at"])
    queue = queue.sort_values(["submitted_at", "user_id", "assignment", "notebook"], kind="stable")
    return queue.loc[:, cols].reset_index(drop=True)


def question_stats(gradebook: Path, course_id: str) -> pd.DataFrame:
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
    if not Path(gradebook).is_file():
        return pd.DataFrame(columns=cols)
    with closing(_connect_ro(gradebook)) as conn:
        stats = pd.read_sql(_QUESTIONS_SQL, conn)
    stats.insert(0, "course_id", course_id)
    stats["mean_pct"] = stats["mean_score"] / stats["max_score"].where(stats["max_score"] > 0)
    stats = stats.sort_values(["assignment", "notebook", "question"], kind="stable")
    return stats.loc[:, cols].reset_index(drop=True)


def feedback_available(course_root: Path, user_id: str, assignment_id: str) -> bool:
    """Whether nbgrader has generated feedback for this submission (``feedback/<u>/<a>/``)."""
    folder = Path(course_root) / "feedback" / user_id / assignment_id
    return folder.is_dir() and any(folder.glob("*.html"))
