"""A fourth course, made by following courses/README.md and nothing else.

The fixture reads the guide's examples (the blocks marked `<!-- example: NAME -->`): its
course.toml template, the opening, quick-check and closing cells of a lesson, and the answer
and test cells of an assignment. It marks cells the way the guide's Create Assignment table
says (tests.nbcells writes the same metadata the toolbar writes). The course then

- validates with `airclass course validate`,
- has its lessons executed in a real kernel (video fallback, quick check, 完成本课 gating),
- deploys with `airclass course deploy` and releases with `airclass course release`
  (real nbgrader as the course's grader account),
- grades through real nbgrader: the solution and a cadre's filled-in answer score full, the
  untouched release and a wrong answer score zero.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import tempfile
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_markdown_cell

from airclass.admin.cli import main as airclass
from airclass.core import names
from airclass.core.catalog import load_course
from airclass.core.settings import load
from airclass.system import accounts
from grader.selfcheck import check_assignment
from tests.nbcells import nbgrader_cell, python_notebook, write_notebook
from tests.paths import COURSES

GUIDE = COURSES / "README.md"
COURSE_ID = "cwfourth"  # unique to this test: deploy creates grader-cwfourth and ac-cwfourth
EXAMPLE_ID = "union-funds"  # the id the guide's examples use


def guide_examples() -> dict[str, str]:
    """name → code of every `<!-- example: NAME -->` block in the guide."""
    text = GUIDE.read_text(encoding="utf-8")
    blocks = re.findall(r"<!-- example: ([\w.-]+) -->\s*```\w*\n(.*?)```", text, flags=re.S)
    return {name: code.replace(EXAMPLE_ID, COURSE_ID).rstrip("\n") for name, code in blocks}


# The guide's Create Assignment table: toolbar choice → nbgrader metadata flags.
READ_ONLY = {"locked": True}
AUTOGRADED_ANSWER = {"solution": True}
AUTOGRADER_TESTS = {"grade": True, "locked": True}


def build_course(root: Path) -> Path:
    ex = guide_examples()
    course = root / COURSE_ID
    (course / "lessons" / "videos").mkdir(parents=True)
    (course / "course.toml").write_text(ex["course.toml"] + "\n", encoding="utf-8")
    # "video_url = lessons/videos/01-funds.mp4": a local video file under the course folder.
    (course / "lessons" / "videos" / "01-funds.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42")

    howto = [
        new_markdown_cell("# 第0课：怎样在空中课堂学习和交作业"),
        new_code_cell(ex["lesson-open"].replace('"funds"', '"how-to"')),
        new_code_cell(ex["lesson-close"].replace('"funds", checks=[q1]', '"how-to"')),
    ]
    write_notebook(python_notebook(howto), course / "lessons" / "00-how-to.ipynb")
    funds = [
        new_markdown_cell("# 第一课：工会经费从哪里来\n（《工会法》第四十三条）"),
        new_code_cell(ex["lesson-open"]),
        new_code_cell(ex["lesson-check"]),
        new_code_cell(ex["lesson-close"]),
    ]
    write_notebook(python_notebook(funds), course / "lessons" / "01-funds.ipynb")

    a1 = [
        nbgrader_cell(
            new_markdown_cell("# 作业一：算一算工会经费\n工资总额 50 万元。"), "intro", **READ_ONLY
        ),
        nbgrader_cell(new_code_cell(ex["answer-cell"]), "answer_funds", **AUTOGRADED_ANSWER),
        nbgrader_cell(new_code_cell(ex["test-cell"]), "test_funds", points=3, **AUTOGRADER_TESTS),
    ]
    write_notebook(python_notebook(a1), course / "source" / "a1-funds" / "a1-funds.ipynb")
    practice = [
        nbgrader_cell(new_markdown_cell("# 练习：把 ... 换成 2"), "intro", **READ_ONLY),
        nbgrader_cell(
            new_code_cell("### BEGIN SOLUTION\nanswer = 2\n### END SOLUTION"), "answer", **AUTOGRADED_ANSWER
        ),
        nbgrader_cell(
            new_code_cell("from airclass.lessons import checks as ck\nck.number(answer, 2, what='练习题')"),
            "test_answer",
            points=1,
            **AUTOGRADER_TESTS,
        ),
    ]
    write_notebook(python_notebook(practice), course / "source" / "a0-practice" / "a0-practice.ipynb")
    return course


@pytest.fixture(scope="module")
def fourth(tmp_path_factory) -> Path:
    return build_course(tmp_path_factory.mktemp("catalog"))


def test_guide_has_every_example_the_fixture_follows():
    assert set(guide_examples()) >= {
        "course.toml",
        "lesson-open",
        "lesson-check",
        "lesson-close",
        "answer-cell",
        "test-cell",
    }


def test_fourth_course_validates(fourth, capsys):
    assert airclass(["course", "validate", str(fourth)]) == 0, capsys.readouterr().err
    course = load_course(fourth)
    assert [a.weight for a in course.assignments] == [0.0, 1.0]
    assert course.lessons[0].title.startswith("第0课")


def _execute(path: Path) -> nbformat.NotebookNode:
    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    return nb


def test_fourth_course_lessons_run(fourth):
    nb = _execute(fourth / "lessons" / "01-funds.ipynb")
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert all("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)


@pytest.fixture(scope="module")
def deployed(fourth):
    """`airclass course deploy` and `release` into a scratch data dir, as the guide says."""
    if os.geteuid() != 0:
        pytest.fail("deploying a course needs root (it creates the course's grader account)")
    lock = open("/run/lock/airclass-integration.lock", "w")  # noqa: SIM115 — unix accounts are machine-wide
    fcntl.flock(lock, fcntl.LOCK_EX)
    data_dir = Path(tempfile.mkdtemp(prefix="airclass-cw4-", dir="/tmp"))
    os.chmod(data_dir, 0o755)
    settings_file = data_dir / "airclass.toml"
    prefix = os.environ.get("AIRCLASS_RUNTIME_PREFIX", "/opt/airclass/env")
    settings_file.write_text(f'data_dir = "{data_dir}"\nruntime_prefix = "{prefix}"\n', encoding="utf-8")
    try:
        cli = ["--settings", str(settings_file), "course"]
        assert airclass([*cli, "deploy", COURSE_ID, "--courses", str(fourth.parent)]) == 0
        assert airclass([*cli, "release", COURSE_ID, "a1-funds"]) == 0
        yield load(settings_file)
    finally:
        accounts.delete_user(names.grader_account(COURSE_ID))
        if accounts.group_exists(names.course_group(COURSE_ID)):
            accounts._run(["groupdel", names.course_group(COURSE_ID)])
        shutil.rmtree(data_dir, ignore_errors=True)
        lock.close()


def test_fourth_course_deploys_and_releases(deployed):
    root = deployed.course_root(COURSE_ID)
    assert (root / "source" / "a1-funds" / "a1-funds.ipynb").is_file()
    assert (deployed.public_dir / COURSE_ID / "lessons" / "videos" / "01-funds.mp4").is_file()
    released = deployed.exchange_dir / COURSE_ID / "outbound" / "a1-funds" / "a1-funds.ipynb"
    text = released.read_text(encoding="utf-8")
    assert "BEGIN HIDDEN TESTS" not in text and "monthly_funds = 10000" not in text
    # The Chinese stub from the course's nbgrader config: the fill-in line above it still runs.
    assert "monthly_funds = ..." in text and "在这里作答" in text and "NotImplementedError" not in text


@pytest.mark.parametrize(
    "answer, full",
    [
        ("monthly_funds = 10000", True),
        ("monthly_funds = 500000 * 0.02", True),
        ("monthly_funds = 2500", False),
    ],
)
def test_fourth_course_grades_through_nbgrader(deployed, tmp_path, answer, full):
    root = deployed.course_root(COURSE_ID)
    work = tmp_path / "copy"
    shutil.copytree(root / "source", work / "source")
    shutil.copy2(root / "course.toml", work / "course.toml")
    nb_path = work / "source" / "a1-funds" / "a1-funds.ipynb"
    nb = nbformat.read(nb_path, as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "answer_funds")
    cell.source = re.sub(r"### BEGIN SOLUTION\n.*\n### END SOLUTION", answer, cell.source)
    nbformat.write(nb, nb_path)
    result = check_assignment(work, "a1-funds", tmp_path / "grading")
    assert result.solution.max_code_score == 3
    assert result.solution.code_score == (3 if full else 0)
    assert result.released.code_score == 0
    assert result.hidden_test_leaks == []
