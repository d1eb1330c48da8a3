"""Hostile submissions, each graded alongside an honest one: contained, flagged, honest unharmed.

One course (labor-law a1-calculators, 15 autograded points) for the module; each test
grades its own hostile cadre and a fresh honest cadre together with two workers, then
checks the honest cadre got every autograded point and no sandbox process is left.
"""

from __future__ import annotations

import json
import os
import pwd
import socket
import threading

import pytest
from nbgrader.api import Gradebook

from grader import integrity, sandbox
from grader.lane import NOT_A_NOTEBOOK
from tests.grader.conftest import make_gradable
from tests.grader.coursework import hidden_lines, nbgrader, set_cell
from tests.grader.test_batch import plain_copy, pool_processes

pytestmark = pytest.mark.slow
ASSIGNMENT = "a1-calculators"
NOTEBOOK = "calculators.ipynb"
FULL = 15.0


@pytest.fixture(scope="module")
def course(grading_data_dir):
    settings, made = grading_data_dir
    return make_gradable(settings, made, "labor-law", ASSIGNMENT)


_count = iter(range(1000))


def first_answer_id(nb: dict) -> str:
    return next(c["metadata"]["nbgrader"]["grade_id"] for c in nb["cells"] if _is_answer_code(c))


def _is_answer_code(cell) -> bool:
    meta = cell["metadata"].get("nbgrader", {})
    return meta.get("solution") and cell["cell_type"] == "code"


def with_code(course, code: str, kind: str = "solution") -> dict:
    """The `kind` submission with `code` put before the first answer."""
    nb = course.variant(kind)[NOTEBOOK]
    answer = next(c for c in nb["cells"] if _is_answer_code(c))
    answer["source"] = code + "\n" + "".join(answer["source"])
    return {NOTEBOOK: nb}


def grade_with_honest(course, hostile_student: str, notebooks, extra=None):
    honest = f"honest{next(_count)}"
    course.submit(honest, "solution")
    course.submit(hostile_student, notebooks, extra)
    summary = course.grade(workers=2, students=[hostile_student, honest])
    assert not summary.failed, summary.failed[0].error
    by_student = {o.student: o for o in summary.outcomes}
    with Gradebook(f"sqlite:///{course.root / 'gradebook.db'}") as gb:
        code = {s: gb.find_submission(ASSIGNMENT, s).code_score for s in (honest, hostile_student)}
    assert code[honest] == FULL, "the honest cadre graded alongside gets every point"
    assert not by_student[honest].flags
    assert not pool_processes(course.settings), "every process the notebooks started is gone"
    return by_student[hostile_student], code[hostile_student]


def autograded_text(course, student) -> str:
    return (course.root / "autograded" / student / ASSIGNMENT / NOTEBOOK).read_text(encoding="utf-8")


def test_infinite_loop_times_out_and_keeps_the_points_of_what_ran(course):
    outcome, code = grade_with_honest(course, "h-loop", with_code(course, "while True:\n    pass"))
    assert sandbox.CELL_TIMEOUT in outcome.flags
    assert 0 < code < FULL, "the looping answer loses its points, the other answers keep theirs"


def test_fork_bomb_hits_the_process_limit(course):
    bomb = "import os\nwhile True:\n    os.fork()"
    outcome, code = grade_with_honest(course, "h-fork", with_code(course, bomb))
    assert outcome.flags, "the submission is flagged for the trainer"
    assert code < FULL


def test_allocating_4_gib_hits_the_memory_limit(course):
    outcome, code = grade_with_honest(course, "h-mem", with_code(course, "hog = bytearray(4 * 1024**3)"))
    assert sandbox.MEMORY in outcome.flags
    assert 0 < code < FULL


# Each child stays under the per-process address-space limit (2 GiB); together they hold
# 6 GiB. Only the account's cgroup sees the sum.
SPLIT_HOG = """import subprocess, sys
hog = "import time; hog = b'x' * (1536 * 1024**2); time.sleep(5)"
kids = [subprocess.Popen([sys.executable, "-c", hog]) for _ in range(4)]
print([kid.wait() for kid in kids])
"""


def test_memory_split_over_child_processes_hits_the_limit_of_the_whole_run(course):
    assert course.settings["grading"]["memory_mb"] == 2048
    outcome, _ = grade_with_honest(course, "h-splitmem", with_code(course, SPLIT_HOG))
    assert sandbox.MEMORY in outcome.flags


def test_writing_the_gradebook_is_impossible(course):
    db = course.root / "gradebook.db"
    before = db.stat().st_size
    code = (
        "import sqlite3\n"
        f"for path in [{str(db)!r}, 'gradebook.db']:\n"
        "    con = sqlite3.connect(path)\n"
        "    con.execute('create table if not exists hacked (x)')\n"
        '    con.execute("update grade set manual_score = 999")\n'
        "    con.commit()\n"
    )
    outcome, _ = grade_with_honest(course, "h-db", with_code(course, code))
    with Gradebook(f"sqlite:///{db}") as gb:
        assert all(g.manual_score is None for s in gb.assignment_submissions(ASSIGNMENT) for nb in s.notebooks
                   for g in nb.grades)  # fmt: skip
    assert db.stat().st_size >= before


def test_reading_sources_hidden_tests_and_other_cadres_finds_nothing(course):
    course.submit("h-victim", "solution")
    victim_answer = "hourly = monthly_wage / 21.75 / 8"
    targets = [
        course.root / "source" / ASSIGNMENT / NOTEBOOK,
        course.root / "gradebook.db",
        course.root / "submitted" / "h-victim" / ASSIGNMENT / NOTEBOOK,
        course.root / "release" / ASSIGNMENT / NOTEBOOK,
        course.settings.data_dir / "exchange",
        "/home",
        "/work",
        "/root",
    ]
    code = (
        "import os, glob\n"
        f"for path in {[str(t) for t in targets]!r}:\n"
        "    try:\n"
        "        print(open(path).read() if os.path.isfile(path) else os.listdir(path))\n"
        "    except Exception as exc:\n"
        "        print('BLOCKED', type(exc).__name__)\n"
        "print('FOUND', glob.glob('/tmp/**/*.ipynb', recursive=True))\n"
        "print('ROOT', sorted(os.listdir('/')))\n"
    )
    grade_with_honest(course, "h-read", with_code(course, code))
    text = autograded_text(course, "h-read")
    printed = "".join(
        "".join(o.get("text", "")) for c in json.loads(text)["cells"] for o in c.get("outputs", [])
    )
    assert printed.count("BLOCKED") == len(targets), "every path is missing or refused inside the sandbox"
    assert victim_answer not in text.replace(victim_answer, "", 1), "another cadre's answer never appears"
    for line in hidden_lines(course.root, ASSIGNMENT)["calculators"]:
        assert line not in printed
    assert "FOUND []" in printed, "no notebook anywhere but its own (given on stdin, not a file)"
    root_listing = next(line for line in printed.splitlines() if line.startswith("ROOT"))
    for absent in ("home", "root", "srv", "work", "var"):
        assert f"'{absent}'" not in root_listing, root_listing


def test_socket_to_the_hub_gets_no_network(course):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(0.5)
    port = server.getsockname()[1]
    accepted = []

    def accept():
        try:
            accepted.append(server.accept())
        except OSError:
            pass

    waiter = threading.Thread(target=accept)
    waiter.start()
    code = (
        "import socket\n"
        "try:\n"
        f"    socket.create_connection(('127.0.0.1', {port}), timeout=3)\n"
        "    print('CONNECTED')\n"
        "except OSError as exc:\n"
        "    print('NO NETWORK', type(exc).__name__)\n"
    )
    try:
        grade_with_honest(course, "h-net", with_code(course, code))
    finally:
        waiter.join()
        server.close()
    assert not accepted, "nothing reached the listener on the host's loopback"
    assert "NO NETWORK" in autograded_text(course, "h-net")


def test_kill_everything_ends_only_its_own_run(course):
    code = "import os, signal\nos.kill(-1, signal.SIGKILL)"
    outcome, code_score = grade_with_honest(course, "h-killall", with_code(course, code))
    assert outcome.flags and code_score == 0


def test_killing_the_parent_ends_only_its_own_run(course):
    code = "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)"
    outcome, code_score = grade_with_honest(course, "h-parent", with_code(course, code))
    assert sandbox.INTERRUPTED in outcome.flags or sandbox.KERNEL_DIED in outcome.flags
    assert code_score == 0


def test_detached_child_does_not_outlive_grading(course):
    code = (
        "import subprocess, os\n"
        "subprocess.Popen(['sleep', '600'], start_new_session=True)\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    if os.fork() == 0:\n"
        "        import time; time.sleep(600)\n"
        "    os._exit(0)\n"
    )
    outcome, code_score = grade_with_honest(course, "h-daemon", with_code(course, code))
    assert code_score == FULL, "starting processes is no offence; they just end with the run"
    assert not pool_processes(course.settings)


# Every later cell (answers, tests, whatever style the tests are written in) runs as `pass`,
# so nothing can fail and plain nbgrader gives every test's points.
SWALLOW_PATCH = """ip = get_ipython()
real_run_cell = ip.run_cell
def run_cell(raw_cell, *args, **kwargs):
    return real_run_cell("pass", *args, **kwargs)
ip.run_cell = run_cell
"""


def test_kernel_patched_to_swallow_failures_scores_full_under_nbgrader_and_zero_here(course, tmp_path):
    notebooks = with_code(course, SWALLOW_PATCH, kind="blank")
    course.submit("h-patch", notebooks)
    plain = plain_copy(course.root, tmp_path / "plain")
    nbgrader(["autograde", ASSIGNMENT, "--student", "h-patch"], plain)
    with Gradebook(f"sqlite:///{plain / 'gradebook.db'}") as gb:
        assert gb.find_submission(ASSIGNMENT, "h-patch").code_score == FULL, (
            "the attack works on plain nbgrader"
        )
    outcome, code_score = grade_with_honest(course, "h-patch", notebooks)
    assert integrity.TAMPERING in outcome.flags
    assert code_score == 0 and outcome.needs_manual, "0 automatic points until a trainer looks"
    with Gradebook(f"sqlite:///{course.root / 'gradebook.db'}") as gb:
        comments = [c.auto_comment or "" for nb in gb.find_submission(ASSIGNMENT, "h-patch").notebooks
                    for c in nb.comments]  # fmt: skip
    assert any(integrity.TAMPERING in c for c in comments), "the trainer sees why in the formgrader"


def test_notebook_that_is_not_json_scores_zero_and_is_flagged(course):
    outcome, code_score = grade_with_honest(course, "h-junk", {NOTEBOOK: b"\x00\xffthis is not a notebook"})
    assert NOT_A_NOTEBOOK in outcome.flags and code_score == 0


def test_deleted_test_cells_are_flagged_and_zeroed(course):
    nb = course.variant("solution")[NOTEBOOK]
    nb["cells"] = [c for c in nb["cells"] if not _is_test(c)]
    outcome, code_score = grade_with_honest(course, "h-deleted", {NOTEBOOK: nb})
    assert integrity.TESTS_DELETED in outcome.flags and code_score == 0 and outcome.needs_manual


def test_edited_test_cells_are_restored(course):
    nb = course.variant("wrong")[NOTEBOOK]
    for cell in nb["cells"]:
        if _is_test(cell):
            cell["source"] = "pass"
    outcome, code_score = grade_with_honest(course, "h-edited", {NOTEBOOK: nb})
    assert integrity.TESTS_EDITED in outcome.flags
    assert code_score == 0, "the tests ran as written by the trainer, so wrong answers still fail"
    nb = course.variant("solution")[NOTEBOOK]
    test_id = next(c["metadata"]["nbgrader"]["grade_id"] for c in nb["cells"] if _is_test(c))
    set_cell(nb, test_id, "assert False")
    outcome, code_score = grade_with_honest(course, "h-edited2", {NOTEBOOK: nb})
    assert code_score == FULL and integrity.TESTS_EDITED in outcome.flags


def _is_test(cell) -> bool:
    meta = cell["metadata"].get("nbgrader", {})
    return meta.get("grade") and not meta.get("solution") and cell["cell_type"] == "code"


def test_sandbox_never_runs_as_root_grader_or_cadre(course):
    code = "import os\nprint('IDS', os.getuid(), os.geteuid(), os.getgid(), os.getgroups())"
    grade_with_honest(course, "h-ids", with_code(course, code))
    text = autograded_text(course, "h-ids")
    ids = json.loads(text)
    shown = next(
        o["text"] for c in ids["cells"] for o in c.get("outputs", []) if "IDS" in "".join(o.get("text", ""))
    )
    uid = int("".join(shown).split()[1])
    name = pwd.getpwuid(uid).pw_name
    assert uid != 0 and name.startswith(course.settings["grading"]["sandbox_accounts"] + "-")
    assert os.stat(course.root).st_uid != uid
