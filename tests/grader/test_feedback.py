"""Feedback leaks no hidden test: every assignment of every course, right and wrong answers.

Real nbgrader (autograde, generate_feedback with the production course config) in a
scratch course; the feedback HTML is read as text (tags stripped, entities decoded).
"""

from __future__ import annotations

import json

import pytest
from nbformat import from_dict

from grader.feedback import (
    HIDDEN_PLACEHOLDER,
    hidden_secrets,
    html_text,
    public_source,
    verdict,
)
from tests.grader.coursework import course_root, hidden_lines, nbgrader, place, variant
from tests.paths import COURSES, FIXTURE_COURSES

ASSIGNMENTS = [
    (course, a.name)
    for course in sorted(p for p in COURSES.iterdir() if (p / "source").is_dir())
    for a in sorted((course / "source").iterdir())
    if a.is_dir()
]
KINDS = ("solution", "blank", "wrong", "erroring")


def feedback_texts(root, assignment_id, student):
    folder = root / "feedback" / student / assignment_id
    pages = sorted(folder.glob("*.html"))
    assert pages, f"no feedback in {folder}"
    return {page.stem: html_text(page.read_text(encoding="utf-8")) for page in pages}


def grade_all(root, assignment_id, kinds=KINDS, extra_args=()):
    for kind in kinds:
        place(root, assignment_id, f"c-{kind}", variant(root, assignment_id, kind))
    nbgrader(["autograde", assignment_id, "--force"], root)
    nbgrader(["generate_feedback", assignment_id, "--force", *extra_args], root)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("course", "assignment_id"), ASSIGNMENTS, ids=[f"{c.name}/{a}" for c, a in ASSIGNMENTS]
)
def test_feedback_of_every_assignment_leaks_no_hidden_line(tmp_path, course, assignment_id):
    root = course_root(tmp_path, course, assignment_id)
    secret_lines = hidden_lines(root, assignment_id)
    assert any(secret_lines.values()), "the assignment has hidden tests to protect"
    grade_all(root, assignment_id)
    for kind in KINDS:
        for notebook, text in feedback_texts(root, assignment_id, f"c-{kind}").items():
            leaked = [line for line in secret_lines[notebook] if line in text]
            assert not leaked, f"{kind} feedback of {notebook} shows hidden lines: {leaked[:3]}"
            assert HIDDEN_PLACEHOLDER in text, "the cadre sees where hidden tests were"
            if kind == "solution":
                assert "✔ 通过" in text and "未通过" not in text
            else:
                assert "未通过" in text, f"{kind}: the cadre sees which check failed"
            if kind == "solution" and "Written response" in text:
                assert "待培训师评阅" in text, "an unscored written answer waits for the trainer"


@pytest.mark.slow
def test_plain_nbgrader_feedback_shows_hidden_tests_and_ours_does_not(tmp_path):
    """The control: without LeakFreeFeedback the same check finds the hidden line, even
    though syntax highlighting splits it across tags in the raw HTML."""
    root = course_root(tmp_path, FIXTURE_COURSES / "basics", "hw1")
    grade_all(
        root,
        "hw1",
        kinds=("wrong",),
        extra_args=["--GenerateFeedback.preprocessors=['nbgrader.preprocessors.GetGrades']"],
    )
    raw = (root / "feedback" / "c-wrong" / "hw1" / "dues.html").read_text(encoding="utf-8")
    assert "monthly_dues(5123)" not in raw, "highlighting splits the line in the raw page"
    assert "monthly_dues(5123)" in html_text(raw), "…and the text check still finds it"
    nbgrader(["generate_feedback", "hw1", "--force"], root)
    ours = html_text((root / "feedback" / "c-wrong" / "hw1" / "dues.html").read_text(encoding="utf-8"))
    assert "monthly_dues(5123)" not in ours
    assert "assert monthly_dues(4000) == 20.0" in ours, "visible tests stay visible"
    assert "第 1 行的检查没有通过" in ours, "the failing visible line is named"


def test_public_source_folds_hidden_region():
    src = "assert f(1) == 2\n### BEGIN HIDDEN TESTS\nassert f(5) == 9\nassert f(6) == 7\n"
    src += "### END HIDDEN TESTS\nx = 1"
    assert public_source(src) == f"assert f(1) == 2\n{HIDDEN_PLACEHOLDER}\nx = 1"


def test_hidden_secrets_are_lines_and_literals_not_visible_elsewhere():
    src = "assert f('公开的值') == 1\n### BEGIN HIDDEN TESTS\n"
    src += "assert f('37010219650409017') == '公开的值'\n### END HIDDEN TESTS"
    secrets = hidden_secrets([src])
    assert "assert f('37010219650409017') == '公开的值'" in secrets
    assert "37010219650409017" in secrets
    assert "公开的值" not in secrets, "a literal also written in the visible part is public"


def _error(line: int, ename="AssertionError", evalue="expected 25.62"):
    return from_dict(
        {
            "output_type": "error",
            "ename": ename,
            "evalue": evalue,
            "traceback": [f"\x1b[0;32mCell In[4], line {line}\x1b[0m", "assert secret()"],
        }
    )


def test_verdict_names_visible_line_and_hides_hidden_one():
    src = "assert f(1) == 2\n### BEGIN HIDDEN TESTS\nassert f(5) == 9\n### END HIDDEN TESTS"
    visible = verdict(src, [_error(1, evalue="f(1) 返回了 3")], 0, 2)
    assert "第 1 行" in visible and "assert f(1) == 2" in visible and "返回了 3" in visible
    hidden = verdict(src, [_error(3)], 0, 2)
    assert "隐藏测试中的检查没有通过" in hidden
    assert "f(5)" not in hidden and "25.62" not in hidden and "0 / 2" in hidden
    assert verdict(src, [], 2, 2).startswith("✔ 通过")
    timeout = verdict(src, [_error(3, ename="CellTimeoutError")], 0, 2)
    assert "超时" in timeout


def test_verdict_after_hidden_region_shows_no_message():
    src = "### BEGIN HIDDEN TESTS\nEXPECTED = 42\n### END HIDDEN TESTS\nassert f() == EXPECTED"
    text = verdict(src, [_error(4, evalue="42 != 41")], 0, 1)
    assert "assert f() == EXPECTED" in text and "42" not in text.replace("assert f() == EXPECTED", "")


def test_placeholder_json_round_trip():
    # The placeholder is plain text a notebook can hold.
    assert json.loads(json.dumps(HIDDEN_PLACEHOLDER, ensure_ascii=False)) == HIDDEN_PLACEHOLDER
