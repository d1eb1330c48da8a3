"""Instant feedback through the real hub: submit → the grading service grades in the sandbox →
the cadre fetches feedback with the score; a hostile submission first leaves hub and
formgrader up."""

import re
import time

import pytest

from grader.feedback import html_text

pytestmark = pytest.mark.integration

CORRECT = "def monthly_dues(wage):\n    return round(wage * 0.005, 2)\n"
HOSTILE = (
    "import os, signal\n"
    "for _ in range(50):\n"
    "    if os.fork() == 0:\n"
    "        os.setsid()\n"
    "        import time; time.sleep(600)\n"
    "os.kill(-1, signal.SIGKILL)\n"
)


def set_cell(notebook, grade_id, source):
    for cell in notebook["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == grade_id:
            cell["source"] = source
            return
    raise AssertionError(grade_id)


def submit(cadre, answer):
    path = "api/contents/itbasics/hw1/dues.ipynb"
    notebook = cadre.server("GET", path).json()["content"]
    set_cell(notebook, "dues", answer)
    set_cell(notebook, "why_dues", "按工资比例缴纳，体现公平。")
    saved = cadre.server("PUT", path, json={"type": "notebook", "format": "json", "content": notebook})
    assert saved.status_code == 200, saved.text
    reply = cadre.server("POST", "assignments/submit", data={"course_id": "itbasics", "assignment_id": "hw1"})
    assert reply.json()["success"], reply.text
    return time.monotonic()


def wait_for_feedback(cadre, timeout=120):
    """Fetch feedback until the latest submission has some; return its text."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        reply = cadre.server(
            "POST", "assignments/fetch_feedback", data={"course_id": "itbasics", "assignment_id": "hw1"}
        ).json()
        subs = [s for e in reply.get("value", []) if e.get("status") == "submitted" for s in e["submissions"]]
        latest = max(subs, key=lambda s: s["timestamp"], default=None)
        if latest and latest.get("local_feedback_path"):
            page = cadre.server("GET", f"files/{latest['local_feedback_path']}/dues.html")
            if page.status_code == 200:
                return html_text(page.content.decode("utf-8"))
        time.sleep(1)
    raise AssertionError("no feedback arrived")


def test_submission_is_graded_within_seconds_and_hostile_one_harms_nothing(classroom, login):
    cadre = login("it-cadre2")
    cadre.start_server()
    fetched = cadre.server(
        "POST", "assignments/fetch", data={"course_id": "itbasics", "assignment_id": "hw1"}
    )
    assert fetched.json()["success"], fetched.text

    submit(cadre, HOSTILE + CORRECT)
    hostile_text = wait_for_feedback(cadre)
    assert "Score: 0.0 / 4.0" in hostile_text, "what never ran scores nothing"
    trainer = login("it-trainer-a")
    assert trainer.api("GET", "services/itbasics/formgrader/api/assignments").status_code == 200
    assert cadre.server("GET", "api/status").status_code == 200, "the cadre's own server is untouched"

    started = submit(cadre, CORRECT)
    text = wait_for_feedback(cadre)
    latency = time.monotonic() - started
    print(f"submission → feedback with score: {latency:.1f} s")
    assert re.search(r"Score: 2\.0 / 4\.0", text)
    assert "待培训师评阅" in text, "the written answer waits for the trainer"
    assert "monthly_dues(5123)" not in text
    assert latency < 90
