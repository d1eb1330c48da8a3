"""The whole loop through the hub: fetch → edit → submit → `airclass grade` → feedback."""

import json
import re
import subprocess
import sys

import pytest

from grader.feedback import html_text

pytestmark = pytest.mark.integration

CORRECT_ANSWER = "def monthly_dues(wage):\n    return round(wage * 0.005, 2)\n"


def set_cell(notebook: dict, grade_id: str, source: str) -> None:
    for cell in notebook["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == grade_id:
            cell["source"] = source
            return
    raise AssertionError(f"no cell {grade_id}")


def airclass(classroom, *args: str) -> subprocess.CompletedProcess:
    """The trainer's command line, as a trainer (root on the server) runs it."""
    return subprocess.run(
        [sys.executable, "-m", "airclass.admin.cli", "--settings", str(classroom.settings.source), *args],
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_cadre_fetches_submits_and_reads_feedback(classroom, login):
    cadre = login("it-cadre1")
    cadre.start_server()

    listing = cadre.server("GET", "assignments?course_id=itbasics").json()
    assert listing["success"], listing
    assert [(a["assignment_id"], a["status"]) for a in listing["value"]] == [("hw1", "released")]

    fetched = cadre.server(
        "POST", "assignments/fetch", data={"course_id": "itbasics", "assignment_id": "hw1"}
    ).json()
    assert [a["status"] for a in fetched["value"]] == ["fetched"]
    path = "api/contents/itbasics/hw1/dues.ipynb"
    notebook = cadre.server("GET", path).json()["content"]
    assert "HIDDEN" not in str(notebook), "hidden tests must not reach the cadre"
    set_cell(notebook, "dues", CORRECT_ANSWER)
    set_cell(notebook, "why_dues", "按工资比例缴纳，收入不同负担相当，体现公平。")
    saved = cadre.server("PUT", path, json={"type": "notebook", "format": "json", "content": notebook})
    assert saved.status_code == 200, saved.text

    submitted = cadre.server(
        "POST", "assignments/submit", data={"course_id": "itbasics", "assignment_id": "hw1"}
    ).json()
    assert submitted["success"], submitted
    assert any(a["status"] == "submitted" for a in submitted["value"])

    graded = airclass(classroom, "grade", "itbasics", "hw1")
    assert graded.returncode == 0, graded.stderr
    # 2 autograded points of 2; the written answer (2 points) waits for the trainer.
    assert "it-cadre1: 2（待人工评分）" in graded.stdout
    assert "满分 4" in graded.stdout
    assert "warning" not in graded.stderr, graded.stderr  # dashboards' cache refreshed too

    after = cadre.server(
        "POST", "assignments/fetch_feedback", data={"course_id": "itbasics", "assignment_id": "hw1"}
    ).json()
    submission = next(a for a in after["value"] if a["status"] == "submitted")
    feedback_dir = submission["submissions"][0]["local_feedback_path"]
    html = cadre.server("GET", f"files/{feedback_dir}/dues.html").text
    assert re.search(r"Score: 2\.0 / 4\.0", html), "the cadre sees their score in the feedback"
    text = html_text(html)  # highlighting splits code across tags: read the page as text
    assert "monthly_dues(5123)" not in text, "hidden test text stays hidden in feedback"
    assert "assert monthly_dues(4000) == 20.0" in text, "visible tests stay visible"

    # The trainer grades the written answer in the course's formgrader (its REST API, with
    # the trainer's own token), then returns feedback again.
    trainer = login("it-trainer-a")
    formgrader = "services/itbasics/formgrader/api"
    submissions = trainer.api("GET", f"{formgrader}/submitted_notebooks/hw1/dues").json()
    mine = next(s for s in submissions if s["student"] == "it-cadre1")
    assert mine["needs_manual_grade"]
    grades = trainer.api("GET", f"{formgrader}/grades?submission_id={mine['id']}").json()
    written = next(g for g in grades if g["name"] == "why_dues")
    put = trainer.api("PUT", f"{formgrader}/grade/{written['id']}", json={"manual_score": 2})
    assert put.status_code == 200, put.text
    other_course = trainer.api("GET", "services/itother/formgrader/api/assignments")
    assert other_course.status_code == 403

    regraded = airclass(classroom, "grade", "itbasics", "hw1")
    assert regraded.returncode == 0, regraded.stderr
    assert "it-cadre1: 4\n" in regraded.stdout + "\n"
    cadre.server("POST", "assignments/fetch_feedback", data={"course_id": "itbasics", "assignment_id": "hw1"})
    html = cadre.server("GET", f"files/{feedback_dir}/dues.html").text
    assert re.search(r"Score: 4\.0 / 4\.0", html), "the trainer's grade reaches the cadre"


def test_lab_speaks_chinese(classroom, login):
    cadre = login("it-cadre2")
    cadre.start_server()
    plugin = cadre.server("GET", "lab/api/settings/@jupyterlab/translation-extension:plugin").json()
    assert plugin["schema"]["properties"]["locale"]["default"] == "zh_CN"
    langs = cadre.server("GET", "lab/api/translations").json()
    assert "zh_CN" in langs["data"], "the zh-CN language pack is installed"
    # Cadres get the assignment list, not the trainers' formgrader or authoring tools.
    assert cadre.server("GET", "formgrader").status_code == 404
    lab_page = cadre.server("GET", "lab").text
    page_config = json.loads(
        re.search(r'id="jupyter-config-data"[^>]*>(.*?)</script>', lab_page, re.S).group(1)
    )
    assert "@jupyter/nbgrader:formgrader" in page_config["disabledExtensions"]
    assert "@jupyter/nbgrader:assignment-list" not in page_config["disabledExtensions"]
    lessons = cadre.server("GET", "api/contents/空中课堂/itbasics/lessons").json()
    assert sorted(f["name"] for f in lessons["content"]) == ["01-dues.ipynb", "02-funds.ipynb"]
