"""Helpers shared by the enrollment course generators (notebook cells, synthetic IDs)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell

COURSE = Path(__file__).resolve().parent.parent
REPO = COURSE.parent.parent
for extra in (COURSE / "lessons", REPO):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

import enrollkit as ek  # noqa: E402

from tests.nbcells import nbgrader_cell, python_notebook, write_notebook  # noqa: E402

# The course's short names for the shared notebook helpers (lessons.py, assignments.py).
nbg = nbgrader_cell
notebook = python_notebook
write = write_notebook  # stable cell ids keep rebuild diffs quiet


def md(text: str) -> nbformat.NotebookNode:
    return new_markdown_cell(text.strip("\n"))


def code(text: str) -> nbformat.NotebookNode:
    return new_code_cell(text.strip("\n"))


def sid(area: str, y: int, m: int, d: int, seq: int) -> str:
    """A synthetic, well-formed resident ID number (never a real person's)."""
    return ek.make_synthetic_id(area, dt.date(y, m, d), seq)


def with_x(area: str, y: int, m: int, d: int) -> str:
    """The first synthetic number for that area and birthday whose check character is X."""
    for seq in range(1000):
        number = sid(area, y, m, d, seq)
        if number.endswith("X"):
            return number
    raise ValueError("no X in range")


def wrong_check(number: str) -> str:
    """Same number with a wrong check character."""
    good = number[17]
    bad = "0" if good != "0" else "1"
    return number[:17] + bad
