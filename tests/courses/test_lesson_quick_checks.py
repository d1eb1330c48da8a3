"""Every lesson's quick checks: a hint for the first wrong try that does not give the answer,
an explanation for afterwards, and literals the completion service can read."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest

from tests.paths import COURSES

LESSONS = sorted(COURSES.glob("*/lessons/*.ipynb"))


def _quick_checks(path: Path) -> list[dict]:
    found = []
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type != "code" or "quick_check(" not in cell.source:
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "quick_check":
                found.append(
                    {kw.arg: ast.literal_eval(kw.value) for kw in node.keywords}
                    | {
                        "question": ast.literal_eval(node.args[0]),
                        "options": ast.literal_eval(node.args[1]),
                    }
                )
    return found


@pytest.mark.parametrize("lesson", LESSONS, ids=[f"{p.parents[1].name}/{p.name}" for p in LESSONS])
def test_hint_explains_without_the_answer(lesson):
    checks = _quick_checks(lesson)
    assert checks
    for check in checks:
        right = check["options"][check["answer"]]
        assert check.get("hint"), check["question"]
        assert right not in check["hint"], (check["question"], "the hint gives the answer away")
        assert check.get("explanation"), check["question"]
