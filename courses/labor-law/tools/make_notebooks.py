"""Writes the `labor-law` course notebooks and data files (no outputs, no execution counts).

Run again after editing: `/opt/airclass/env/bin/python courses/labor-law/tools/make_notebooks.py`.
The lesson texts live in lessons_text.py; the assignments in assignments_text.py.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
COURSE = HERE.parent
sys.path.insert(0, str(HERE))

import assignments_text  # noqa: E402
import lessons_text  # noqa: E402

KERNEL = {"name": "python3", "display_name": "Python 3", "language": "python"}


def notebook(cells: list) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": KERNEL,
                                                         "language_info": {"name": "python"}})
    for cell in nb.cells:
        cell.pop("id", None)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nb.nbformat_minor = 4
    return nb


def write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


def main() -> None:
    for name, cells in lessons_text.LESSONS.items():
        path = COURSE / "lessons" / name
        nbformat.write(notebook(cells()), path)
    for folder, name, cells in assignments_text.ASSIGNMENTS:
        path = COURSE / "source" / folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook(cells()), path)
    for relpath, (header, rows) in {**lessons_text.DATA, **assignments_text.DATA}.items():
        write_csv(COURSE / relpath, header, rows)


if __name__ == "__main__":
    main()
