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
    with pytest.raises(CatalogError, match="no cell carries nbgrader metadata"):
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
