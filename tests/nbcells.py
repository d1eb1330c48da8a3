"""Small helpers for the scripts that generate course notebooks (lessons and nbgrader sources).

    from tests.nbcells import nbgrader_cell, python_notebook, write_notebook

    cell = nbgrader_cell(new_code_cell("assert f(1) == 2"), "test_f", grade=True, points=1, locked=True)
    write_notebook(python_notebook([cell]), Path("source/a1/a1.ipynb"))

Notebooks are committed without outputs; `write_notebook` makes sure of that and gives the
cells stable ids, so rebuilding without changes leaves git clean.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import nbformat
from nbformat.v4 import new_notebook

KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


def nbgrader_cell(
    cell: nbformat.NotebookNode,
    grade_id: str,
    *,
    points: float = 0,
    grade: bool = False,
    solution: bool = False,
    locked: bool = False,
    task: bool = False,
) -> nbformat.NotebookNode:
    """Mark `cell` for nbgrader (cell metadata schema 3) and return it.

    The usual kinds: read-only text `locked=True`; the student's answer `solution=True`;
    autograded tests `grade=True, locked=True, points=n`; a manually graded written answer
    `grade=True, solution=True, points=n`; a manually graded task `task=True, points=n`.
    `grade_id` must be unique within the notebook.
    """
    cell.metadata["nbgrader"] = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "points": points,
        "schema_version": 3,
        "solution": solution,
        "task": task,
    }
    return cell


def python_notebook(
    cells: Iterable[nbformat.NotebookNode], *, language_info: bool = False
) -> nbformat.NotebookNode:
    """A notebook of `cells` for the python3 kernel (`language_info`: also name the language)."""
    metadata: dict = {"kernelspec": dict(KERNELSPEC)}
    if language_info:
        metadata["language_info"] = {"name": "python"}
    return new_notebook(cells=list(cells), metadata=metadata)


def write_notebook(nb: nbformat.NotebookNode, path: Path, *, cell_ids: bool = True) -> None:
    """Validate and write `nb` to `path` (creating folders) with no outputs or execution counts.

    cell_ids=True numbers the cells `cell-00`, `cell-01`, ... (nbformat 4.5), so a rebuild
    does not churn random ids; cell_ids=False drops ids and writes nbformat 4.4.
    """
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        if cell_ids:
            cell.id = f"cell-{index:02d}"
        else:
            cell.pop("id", None)
    nb.nbformat_minor = max(nb.nbformat_minor, 5) if cell_ids else min(nb.nbformat_minor, 4)
    nbformat.validate(nb)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
