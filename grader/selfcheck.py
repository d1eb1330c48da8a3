"""Run one assignment through real nbgrader in a scratch course, as a trainer would check it.

`check_assignment` generates the student version, then autogrades two submissions:
the source notebooks (the solutions) and the released notebooks (untouched). A good
assignment gives full autograded points to the first and zero to the second, and its
release carries no hidden-test text.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from nbgrader.api import Gradebook

HIDDEN_BEGIN = "### BEGIN HIDDEN TESTS"


class SelfCheckError(RuntimeError):
    pass


@dataclass(frozen=True)
class Scores:
    code_score: float
    max_code_score: float
    written_max: float


@dataclass(frozen=True)
class SelfCheck:
    solution: Scores
    released: Scores
    release_dir: Path
    hidden_test_leaks: list[str]


def nbgrader_env() -> dict[str, str]:
    """Environment for an nbgrader subprocess: nbgrader shells out to `alembic` by name,
    so the interpreter's bin folder must be on PATH."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def run_nbgrader(args: list[str], cwd: Path) -> str:
    """Plain `nbgrader <args>` in `cwd` with this interpreter; its output, or SelfCheckError."""
    proc = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args, "--log-level=WARN"],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=nbgrader_env(),
    )
    if proc.returncode != 0:
        raise SelfCheckError(f"nbgrader {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout + proc.stderr


def _scores(root: Path, assignment_id: str, student: str) -> Scores:
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        sub = gb.find_submission(assignment_id, student)
        written_max = sum(nb.max_written_score for nb in sub.notebooks)
        return Scores(sub.code_score, sub.max_code_score, written_max)


def _write_config(root: Path, course_id: str) -> None:
    (root / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(root)!r}\n"
        f"c.CourseDirectory.course_id = {course_id!r}\n"
        "c.ExecutePreprocessor.timeout = 120\n",
        encoding="utf-8",
    )


def check_assignment(course_dir: Path, assignment_id: str, workdir: Path | None = None) -> SelfCheck:
    """Generate, then autograde the solution and the untouched release of one assignment."""
    course_dir = Path(course_dir)
    src = course_dir / "source" / assignment_id
    if not src.is_dir():
        raise SelfCheckError(f"{src}: no such assignment source folder")
    root = Path(workdir or tempfile.mkdtemp(prefix="airclass-selfcheck-"))
    shutil.copytree(src, root / "source" / assignment_id, dirs_exist_ok=True)
    _write_config(root, course_dir.name)
    run_nbgrader(["generate_assignment", assignment_id, "--force", "--create"], root)

    release = root / "release" / assignment_id
    leaks = [
        str(nb.relative_to(root))
        for nb in release.rglob("*.ipynb")
        if HIDDEN_BEGIN in nb.read_text(encoding="utf-8")
    ]
    for student, origin in (("solution", src), ("released", release)):
        shutil.copytree(origin, root / "submitted" / student / assignment_id, dirs_exist_ok=True)
        run_nbgrader(["db", "student", "add", student], root)
        run_nbgrader(["autograde", assignment_id, "--student", student, "--force"], root)
    return SelfCheck(
        _scores(root, assignment_id, "solution"),
        _scores(root, assignment_id, "released"),
        release,
        leaks,
    )


def locked_cell_ids(notebook: Path) -> list[str]:
    """grade_ids of the cells nbgrader marks read-only in a released notebook."""
    nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
    return [
        c["metadata"]["nbgrader"]["grade_id"]
        for c in nb["cells"]
        if c.get("metadata", {}).get("nbgrader", {}).get("locked")
    ]
