"""`grade_submissions`: same scores as plain `nbgrader autograde`, resumable, interruptible.

Real nbgrader, real sandbox (bubblewrap as pool accounts), real grader account; root only.
"""

from __future__ import annotations

import dataclasses
import json
import pwd
import shutil
import signal
import subprocess
import sys
import time

import pytest
from nbgrader.api import Gradebook, MissingEntry

from airclass.core import names
from airclass.core.catalog import course_toml, load_course
from airclass.system import accounts
from grader import sandbox
from grader.batch import read_marker
from tests.grader.coursework import VARIANTS, nbgrader
from tests.paths import COURSES

pytestmark = pytest.mark.slow
FULL_CODE = 15.0  # labor-law a1-calculators: autograded points (3 more are a written answer)


def cell_scores(root, assignment_id):
    """student → {grade cell: auto score} from a course's gradebook."""
    scores = {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for sub in gb.assignment_submissions(assignment_id):
            scores[sub.student.id] = {
                (nb.name, g.name): g.auto_score for nb in sub.notebooks for g in nb.grades
            }
    return scores


def plain_copy(root, dest):
    """The same course and submissions, for plain nbgrader (no sandbox, no airclass)."""
    shutil.copytree(root, dest)
    config = (dest / "nbgrader_config.py").read_text()
    (dest / "nbgrader_config.py").write_text(config.replace(str(root), str(dest)))
    return dest


@pytest.mark.parametrize(
    ("course_name", "assignment_id"), [("labor-law", "a1-calculators"), ("union-data", "a1-coverage")]
)
def test_scores_equal_plain_nbgrader_autograde(gradable, tmp_path, course_name, assignment_id):
    course = gradable(course_name, assignment_id)
    for kind in VARIANTS:
        course.submit(f"c-{kind}", kind)
    plain = plain_copy(course.root, tmp_path / "plain")
    nbgrader(["autograde", assignment_id], plain)

    summary = course.grade(workers=2)
    assert not summary.failed, summary.failed[0].error
    assert not summary.flagged, {o.student: o.flags for o in summary.flagged}
    ours, theirs = cell_scores(course.root, assignment_id), cell_scores(plain, assignment_id)
    assert set(ours) == {f"c-{k}" for k in VARIANTS}
    assert ours == theirs
    totals = {o.student: o.score for o in summary.outcomes}
    assert totals["c-solution"] > totals["c-partly"] > totals["c-wrong"] == totals["c-blank"] == 0
    # feedback for each cadre, leak-free (tested in depth in test_feedback.py)
    for kind in VARIANTS:
        assert list((course.root / "feedback" / f"c-{kind}" / assignment_id).glob("*.html"))


def test_rerun_skips_graded_and_force_regrades(gradable):
    course = gradable("labor-law", "a1-calculators")
    course.submit("c-one", "solution")
    first = course.grade(workers=1)
    assert [o.student for o in first.graded] == ["c-one"]
    again = course.grade(workers=1)
    assert again.graded == [] and [o.student for o in again.skipped] == ["c-one"]
    assert again.outcomes[0].score == first.outcomes[0].score
    forced = course.grade(workers=1, force=True)
    assert [o.student for o in forced.graded] == ["c-one"]
    # a new submission (new timestamp) is graded again without --force
    stamp = course.root / "submitted" / "c-one" / "a1-calculators" / "timestamp.txt"
    stamp.write_text("2026-11-02 09:00:00.000000 UTC")
    assert [o.student for o in course.grade(workers=1).graded] == ["c-one"]


def _settings_file(course, path):
    grading = course.settings["grading"]
    path.write_text(
        f'data_dir = "{course.settings.data_dir}"\nruntime_prefix = "{sys.prefix}"\n'
        f"[nbgrader]\nexecute_timeout = {course.settings['nbgrader']['execute_timeout']}\n"
        f'[grading]\nsandbox_accounts = "{grading["sandbox_accounts"]}"\n',
        encoding="utf-8",
    )
    return path


GRADE_SCRIPT = """
import json, sys
from airclass.core.settings import load
from grader.batch import grade_submissions
s = grade_submissions(load(sys.argv[1]), sys.argv[2], sys.argv[3], workers=2)
print(json.dumps(s.as_json()))
"""


def test_interrupt_then_rerun_grades_each_submission_exactly_once(gradable, tmp_path):
    course = gradable("labor-law", "a1-calculators")
    students = [f"c-{i:02d}" for i in range(8)]
    for i, student in enumerate(students):
        course.submit(student, VARIANTS[i % len(VARIANTS)])
    settings_file = _settings_file(course, tmp_path / "airclass.toml")
    cmd = [sys.executable, "-c", GRADE_SCRIPT, str(settings_file), course.course_id, "a1-calculators"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def graded_now():
        return [s for s in students if read_marker(course.settings, course.course_id, "a1-calculators", s)]

    deadline = time.monotonic() + 300
    while len(graded_now()) < 2 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)  # what Ctrl-C sends
    out, err = proc.communicate(timeout=120)
    first = json.loads(out)
    assert first["interrupted"], err
    done = set(first["graded"])
    assert 2 <= len(done) < len(students), first
    assert set(graded_now()) == done, "every submission reported as graded is complete, no other is"
    with Gradebook(f"sqlite:///{course.root / 'gradebook.db'}") as gb:
        for student in set(students) - done:
            with pytest.raises(MissingEntry):
                gb.find_submission("a1-calculators", student)  # no half-written rows
    assert not pool_processes(course.settings), "no sandbox process outlives the run"

    second = json.loads(subprocess.run(cmd, capture_output=True, text=True, timeout=600).stdout)
    assert not second["interrupted"]
    assert set(second["graded"]) == set(students) - done, "the rerun grades exactly the rest"
    assert set(second["skipped"]) == done
    plain = plain_copy(course.root, tmp_path / "plain")
    shutil.rmtree(plain / "autograded")
    (plain / "gradebook.db").unlink()
    nbgrader(["db", "assignment", "add", "a1-calculators"], plain)
    nbgrader(["generate_assignment", "a1-calculators", "--force"], plain)
    nbgrader(["autograde", "a1-calculators"], plain)
    assert cell_scores(course.root, "a1-calculators") == cell_scores(plain, "a1-calculators")


def pool_processes(settings) -> list[int]:
    """Live processes of any pool account of these settings."""
    pids = []
    for slot in range(1, 9):
        try:
            uid = pwd.getpwnam(sandbox.pool_account(settings, slot)).pw_uid
        except KeyError:
            continue
        pids += sandbox.uid_processes(uid)
    return pids


def test_cli_grade_json_workers_force(gradable, tmp_path):
    """`airclass grade COURSE ASSIGNMENT --workers N --json [--force]` on a deployed course."""
    course = gradable("labor-law", "a1-calculators")
    full = load_course(COURSES / "labor-law", check_notebooks=False)
    meta = dataclasses.replace(full, lessons=(), assignments=(full.assignment("a1-calculators"),))
    toml = course_toml(meta).replace('id = "labor-law"', f'id = "{course.course_id}"', 1)
    (course.root / "course.toml").write_text(toml, encoding="utf-8")
    exchange = course.settings.exchange_dir
    (exchange / course.course_id / "inbound").mkdir(parents=True)
    for folder, mode in ((exchange, 0o1777), (exchange / course.course_id, 0o755)):
        folder.chmod(mode)
    (exchange / course.course_id / "inbound").chmod(0o2733)  # as nbgrader's release lays it out
    grader = names.grader_account(course.course_id)
    accounts.chown_tree(exchange / course.course_id, grader, names.course_group(course.course_id))
    course.submit("c-a", "solution")
    course.submit("c-b", "erroring")
    settings_file = _settings_file(course, tmp_path / "airclass.toml")

    def cli(*extra):
        cmd = [sys.executable, "-m", "airclass.admin.cli", "--settings", str(settings_file), "grade"]
        return subprocess.run(
            [*cmd, course.course_id, "a1-calculators", *extra], capture_output=True, text=True
        )

    first = cli("--workers", "2", "--json")
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert sorted(report["graded"]) == ["c-a", "c-b"] and report["workers"] == 2
    assert report["scores"]["c-a"]["score"] == FULL_CODE and report["scores"]["c-b"]["score"] == 0
    again = cli("--json")
    assert json.loads(again.stdout)["graded"] == [] and sorted(json.loads(again.stdout)["skipped"]) == [
        "c-a",
        "c-b",
    ]
    table = cli("--force")
    assert table.returncode == 0 and "本次评分 2" in table.stdout and "c-a: 15（待人工评分）" in table.stdout
