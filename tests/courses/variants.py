"""Grade several answers to one assignment through real nbgrader, in one scratch course.

Each variant names replacement sources for solution cells (by grade_id) of the source
notebook; cells not named keep the reference solution. The scratch course runs
`nbgrader generate_assignment` once and `nbgrader autograde` once for all variants, and
returns each variant's autograded score (and per-cell scores, to see which test judged it).

    scores = grade_variants(COURSE, "a1-calculators", {"decimal": {"a1-overtime": "def ..."}}, tmp_path)
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook

from grader.selfcheck import nbgrader_env


@dataclass(frozen=True)
class Graded:
    score: float
    max_score: float
    by_cell: dict[str, float]  # grade_id of each autograded test cell → points given


def _nbgrader(args: list[str], root: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args, "--log-level=WARN"],
        cwd=root,
        capture_output=True,
        text=True,
        env=nbgrader_env(),
    )
    assert proc.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}"


def _apply(notebook: nbformat.NotebookNode, replacements: dict[str, str]) -> nbformat.NotebookNode:
    nb = nbformat.from_dict(notebook)
    found = set()
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in replacements:
            cell.source = replacements[grade_id]
            found.add(grade_id)
    missing = set(replacements) - found
    assert not missing, f"no cells with grade_id {sorted(missing)}"
    return nb


def grade_variants(
    course_dir: Path, assignment_id: str, variants: dict[str, dict[str, str]], workdir: Path
) -> dict[str, Graded]:
    """Autograde each variant (name → {grade_id: source}) of the assignment's source notebook."""
    src = Path(course_dir) / "source" / assignment_id
    root = Path(workdir)
    shutil.copytree(src, root / "source" / assignment_id)
    (root / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(root)!r}\n"
        f"c.CourseDirectory.course_id = {Path(course_dir).name!r}\n"
        "c.ExecutePreprocessor.timeout = 120\n",
        encoding="utf-8",
    )
    _nbgrader(["generate_assignment", assignment_id, "--force", "--create"], root)
    for name, replacements in variants.items():
        target = root / "submitted" / name / assignment_id
        shutil.copytree(src, target)
        used: set[str] = set()
        for nb_path in target.glob("*.ipynb"):
            nb = nbformat.read(nb_path, as_version=4)
            mine = {k: v for k, v in replacements.items() if _has(nb, k)}
            nbformat.write(_apply(nb, mine), nb_path)
            used |= set(mine)
        assert used == set(replacements), f"{name}: no cells with grade_id {sorted(set(replacements) - used)}"
        _nbgrader(["db", "student", "add", name], root)
    _nbgrader(["autograde", assignment_id, "--force"], root)
    results = {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for name in variants:
            sub = gb.find_submission(assignment_id, name)
            by_cell = {
                grade.name: grade.score
                for nb in sub.notebooks
                for grade in nb.grades
                if grade.cell_type == "code" and not grade.cell.max_score == 0
            }
            results[name] = Graded(sub.code_score, sub.max_code_score, by_cell)
    return results


def _has(nb: nbformat.NotebookNode, grade_id: str) -> bool:
    return any(c.metadata.get("nbgrader", {}).get("grade_id") == grade_id for c in nb.cells)
