"""Writes the `labor-law` course notebooks and data files (no outputs, no execution counts).

Run again after editing: `/opt/airclass/env/bin/python courses/labor-law/tools/make_notebooks.py`.
The lesson texts live in lessons_text.py; the assignments in assignments_text.py.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
COURSE = HERE.parent
sys.path[:0] = [str(HERE), str(COURSE.parent.parent)]  # the texts; this checkout's grader

import assignments_text  # noqa: E402
import lessons_text  # noqa: E402

from tests.nbcells import python_notebook, write_notebook  # noqa: E402


def write(cells: list, path: Path) -> None:
    """Python notebook without cell ids (nbformat 4.4), as this course has always been written."""
    write_notebook(python_notebook(cells, language_info=True), path, cell_ids=False)


def write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


def main() -> None:
    for name, cells in lessons_text.LESSONS.items():
        write(cells(), COURSE / "lessons" / name)
    for folder, name, cells in assignments_text.ASSIGNMENTS:
        write(cells(), COURSE / "source" / folder / name)
    for relpath, (header, rows) in {**lessons_text.DATA, **assignments_text.DATA}.items():
        write_csv(COURSE / relpath, header, rows)


if __name__ == "__main__":
    main()
