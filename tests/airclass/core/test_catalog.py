"""course.toml and notebook validation, and `airclass course validate`."""

import json
import shutil
from pathlib import Path

import pytest

from airclass.admin.cli import main
from airclass.core.catalog import CatalogError, load_course
from tests.paths import COURSES, FIXTURE_COURSES

BASICS = FIXTURE_COURSES / "basics"


@pytest.fixture
def course(tmp_path) -> Path:
    return Path(shutil.copytree(BASICS, tmp_path / "basics"))


def test_fixture_course_loads(course):
    loaded = load_course(course)
    assert loaded.title == "入门练习"
    assert [a.id for a in loaded.assignments] == ["hw1"]
    assert loaded.assignments[0].points == 4 and loaded.assignments[0].due.utcoffset().seconds == 28800


@pytest.mark.parametrize(
    "old, new, message",
    [
        ("points = 4", "points = 5", "points = 5 but the notebooks' nbgrader cells add up to 4"),
        ("pass_mark = 2", "pass_mark = 9", "pass_mark 9 must lie between 0 and points 4"),
        ("due = 2030-12-31T23:59:00+08:00", "due = 2030-12-31T23:59:00", "'due' needs a UTC offset"),
        ('id = "basics"', 'id = "Basics!"', "id 'Basics!' must be an ASCII slug"),
        ('title = "入门练习"\n', "", "missing field 'title'"),
        (
            'notebook = "lessons/01-dues.ipynb"',
            'notebook = "lessons/none.ipynb"',
            "notebook 'lessons/none.ipynb' not found",
        ),
        ('id = "hw1"', 'id = "hw2"', "no notebooks in"),
        ("[[assignments]]", "[[assignments]\n", "not valid TOML"),
    ],
)
def test_broken_course_toml_is_named(course, old, new, message):
    toml = course / "course.toml"
    text = toml.read_text(encoding="utf-8")
    assert old in text
    toml.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        load_course(course)
    assert str(toml) in str(err.value) and message in str(err.value)


def test_notebook_without_nbgrader_metadata_is_refused(course):
    nb_path = course / "source" / "hw1" / "dues.ipynb"
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        cell["metadata"].pop("nbgrader", None)
    nb_path.write_text(json.dumps(nb), encoding="utf-8")
    with pytest.raises(CatalogError, match="没有评分单元格.*Create Assignment"):
        load_course(course)


def _edit_cell(course: Path, grade_id: str, change) -> Path:
    nb_path = course / "source" / "hw1" / "dues.ipynb"
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == grade_id)
    change(cell)
    nb_path.write_text(json.dumps(nb), encoding="utf-8")
    return nb_path


@pytest.mark.parametrize(
    "grade_id, change, chinese, english",
    [
        ("test_dues", lambda c: c["metadata"]["nbgrader"].pop("points"), "缺少分值", "does not have points"),
        (
            "why_dues",
            lambda c: c["metadata"]["nbgrader"].update(solution=False),
            "Manually graded answer",
            "is not marked as a solution cell",
        ),
        ("dues", lambda c: c["metadata"]["nbgrader"].update(grade_id="test_dues"), "同一个 ID", "Duplicate"),
        ("dues", lambda c: c["metadata"]["nbgrader"].update(schema_version=1), "nbgrader update", "Outdated"),
        ("test_dues", lambda c: c["metadata"]["nbgrader"].update(points="two"), "分值不是数字", "two"),
        (
            "test_dues",
            lambda c: c["metadata"]["nbgrader"].update(checksum="0" * 32),
            "学员版本的副本",
            "",
        ),
        (
            "test_dues",
            lambda c: c.update(source="".join(c["source"]).replace("### END HIDDEN TESTS", "")),
            "必须成对出现",
            "",
        ),
    ],
)
def test_nbgrader_metadata_problems_name_file_cell_and_fix(course, grade_id, change, chinese, english):
    """nbgrader's own validator finds the problem; the message names file, cell and fix."""
    nb_path = _edit_cell(course, grade_id, change)
    with pytest.raises(CatalogError) as err:
        load_course(course)
    message = str(err.value)
    assert str(nb_path) in message and "个单元格" in message or "同一个 ID" in message
    assert chinese in message and english in message


def test_lesson_with_a_graded_cell_is_refused(course):
    nb_path = course / "lessons" / "01-dues.ipynb"
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    nb["cells"][0]["metadata"]["nbgrader"] = {
        "grade": True,
        "grade_id": "oops",
        "locked": False,
        "points": 1,
        "schema_version": 3,
        "solution": True,
        "task": False,
    }
    nb_path.write_text(json.dumps(nb), encoding="utf-8")
    with pytest.raises(CatalogError, match="课程讲义不评分"):
        load_course(course)


def test_unreadable_notebook_is_one_message(course):
    (course / "source" / "hw1" / "dues.ipynb").write_text("{not json", encoding="utf-8")
    with pytest.raises(CatalogError, match="不是可以打开的 Jupyter 笔记本"):
        load_course(course)


def test_cli_validate_reports_and_exits_nonzero(course, capsys):
    assert main(["course", "validate", str(course)]) == 0
    assert "✔ basics: 入门练习" in capsys.readouterr().out
    (course / "course.toml").write_text("id = 1\n", encoding="utf-8")
    assert main(["course", "validate", str(course)]) == 1
    err = capsys.readouterr().err
    assert "field 'id' has the wrong type" in err and "missing field 'title'" in err


def test_repository_courses_validate(capsys):
    repo_courses = COURSES
    dirs = sorted(str(p) for p in repo_courses.iterdir() if (p / "course.toml").exists())
    assert {Path(d).name for d in dirs} >= {"enrollment", "labor-law", "union-data"}
    assert main(["course", "validate", *dirs]) == 0, capsys.readouterr().err


def test_course_toml_round_trips(course):
    from airclass.core.catalog import course_toml

    loaded = load_course(course)
    (course / "course.toml").write_text(course_toml(loaded), encoding="utf-8")
    again = load_course(course)
    assert again == loaded


def test_quick_check_the_platform_cannot_read_is_refused(course):
    """完成本课 is checked against the lesson's quick checks, read without running the lesson."""
    nb_path = course / "lessons" / "02-funds.ipynb"
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if "quick_check" in "".join(c["source"]))
    cell["source"] = "".join(cell["source"]).replace("answer=1", "answer=RIGHT")
    nb_path.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CatalogError, match="随堂小测的题目和 answer 要直接写成文字和整数"):
        load_course(course)
