"""The formgrader's Autograde button through the real hub: the cadre's code runs in the
grading sandbox, never as grader-<course> (the account owning the gradebook and solutions).

Plain nbgrader runs it inside the formgrader, as that account (nbgrader #483); the probe
below printed `grader-itbasics` there."""

import json
import pwd
import time

import pytest

from tests.integration.test_grading_instant import CORRECT, set_cell

pytestmark = pytest.mark.integration

CADRE = "it-cadre4"


def probe(classroom) -> str:
    """Prints the account it runs as and whether it may write the course root."""
    root = str(classroom.settings.course_root("itbasics"))
    return f"import os\nprint('RUNAS', os.geteuid(), os.access({root!r}, os.W_OK))\n"


def autograded(classroom):
    return classroom.settings.course_root("itbasics") / "autograded" / CADRE / "hw1" / "dues.ipynb"


def autograded_runs_as(classroom) -> tuple[str, str]:
    notebook = json.loads(autograded(classroom).read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            text = "".join(output.get("text", ""))
            if "RUNAS" in text:
                _, uid, writable = text.split()[:3]
                return pwd.getpwuid(int(uid)).pw_name, writable
    raise AssertionError("the probe printed nothing")


def test_autograde_button_runs_the_submission_in_the_sandbox(classroom, login):
    cadre = login(CADRE)
    cadre.start_server()
    hw1 = {"course_id": "itbasics", "assignment_id": "hw1"}
    fetched = cadre.server("POST", "assignments/fetch", data=hw1)
    assert fetched.json()["success"], fetched.text
    path = "api/contents/itbasics/hw1/dues.ipynb"
    notebook = cadre.server("GET", path).json()["content"]
    set_cell(notebook, "dues", probe(classroom) + CORRECT)
    saved = cadre.server("PUT", path, json={"type": "notebook", "format": "json", "content": notebook})
    assert saved.status_code == 200, saved.text
    reply = cadre.server("POST", "assignments/submit", data=hw1)
    assert reply.json()["success"], reply.text

    trainer = login("it-trainer-a")
    formgrader = "services/itbasics/formgrader/api"
    # The grading service collects and grades it first (instant feedback); it-cadre4 may have
    # older graded work from other tests, so wait for this submission's own autograded copy.
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if autograded(classroom).is_file() and "RUNAS" in autograded(classroom).read_text(encoding="utf-8"):
            break
        time.sleep(1)
    before = autograded(classroom).stat().st_mtime_ns
    started = time.monotonic()
    reply = trainer.api("POST", f"{formgrader}/submission/hw1/{CADRE}/autograde")
    assert reply.status_code == 200, reply.text
    result = reply.json()
    assert result["success"], result
    assert "沙箱" in result["log"] and "2 / 4" in result["log"], result["log"]
    print(f"Autograde button → answer: {time.monotonic() - started:.1f} s")
    assert autograded(classroom).stat().st_mtime_ns != before, "the button graded the submission again"

    account, writable = autograded_runs_as(classroom)
    assert account != "grader-itbasics" and account != "root"
    assert account.startswith(classroom.settings["grading"]["sandbox_accounts"] + "-")
    assert writable == "False", "the sandbox cannot write the course root"

    bogus = trainer.api("POST", f"{formgrader}/submission/no-such-hw/{CADRE}/autograde").json()
    assert not bogus["success"] and "没有作业" in bogus["error"]
