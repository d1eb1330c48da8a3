"""Feedback read from a page rendered with nbgrader's own feedback template."""

from __future__ import annotations

import os

import nbformat
import nbgrader
from nbconvert.exporters import HTMLExporter
from traitlets.config import Config

from airclass.learner.feedback import parse_feedback
from tests.nbcells import nbgrader_cell, python_notebook


def _graded(cell, score, points, comment=None):
    cell.metadata.nbgrader["score"] = score
    cell.metadata.nbgrader["points"] = points
    if comment is not None:
        cell.metadata.nbgrader["comment"] = comment
    return cell


def render_feedback(nb) -> str:
    """nbgrader's feedback template, as GenerateFeedback configures it."""
    root = os.path.dirname(nbgrader.__file__)
    c = Config()
    c.HTMLExporter.template_name = "feedback"
    c.HTMLExporter.extra_template_basedirs = [
        os.path.join(root, "server_extensions", "formgrader", "templates")
    ]
    c.HTMLExporter.extra_template_paths = [
        os.path.join(
            root, "server_extensions", "formgrader", "static", "node_modules", "bootstrap", "dist", "css"
        )
    ]
    resources = {"nbgrader": {"notebook": "dues", "score": 3.0, "max_score": 6.0, "late_penalty": 0}}
    body, _ = HTMLExporter(config=c).from_notebook_node(nb, resources=resources)
    return body


def test_scores_labels_and_comments_without_any_cell_text(tmp_path):
    code, markdown = nbformat.v4.new_code_cell, nbformat.v4.new_markdown_cell
    answer = nbgrader_cell(code("def monthly_dues(w):\n    return w * 0.005"), "dues", solution=True)
    check1 = nbgrader_cell(code("assert monthly_dues(4000) == 20.0\nSECRET_ONE = 1"), "test_dues", grade=True)
    check2 = nbgrader_cell(code("assert monthly_dues(0) == 0\nSECRET_TWO = 1"), "test_zero", grade=True)
    written = nbgrader_cell(markdown("会费用于……"), "why", grade=True, solution=True)
    _graded(check1, 2, 2)
    _graded(check2, 0, 2)
    _graded(written, 1, 2, comment="思路对，但要引用《工会法》条文。")
    nb = python_notebook([answer, check1, check2, written])
    released = tmp_path / "dues.ipynb"
    nbformat.write(nb, str(released))

    fb = parse_feedback(render_feedback(nb), released)

    assert (fb.score, fb.max_score) == (3.0, 6.0)
    assert [(i.label, i.score, i.points) for i in fb.items] == [
        ("第 1 项检查", 2.0, 2.0),
        ("第 2 项检查", 0.0, 2.0),
        ("书面回答 1", 1.0, 2.0),
    ]
    assert [i.label for i in fb.failed_checks] == ["第 2 项检查"]
    assert fb.comments == [("书面回答 1", "思路对，但要引用《工会法》条文。")]
    text = repr(fb)
    assert "SECRET" not in text and "assert" not in text
