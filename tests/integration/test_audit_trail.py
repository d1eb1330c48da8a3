"""A trainer's manual grade in the formgrader lands in the audit trail with who and when;
the trainer sees it on their page, an admin with `airclass audit`."""

import subprocess
import sys

import pytest

from airclass.core import audit
from airclass.core.platform_db import PlatformDB
from tests.integration.test_assignment_loop import set_cell
from tests.integration.test_dashboards_hub import in_page

pytestmark = pytest.mark.integration


def test_manual_grade_is_recorded_with_who_and_when(classroom, login):
    cadre = login("it-rel")
    cadre.start_server()
    fetched = cadre.server(
        "POST", "assignments/fetch", data={"course_id": "itbasics", "assignment_id": "hw1"}
    )
    assert fetched.json()["success"], fetched.text
    path = "api/contents/itbasics/hw1/dues.ipynb"
    notebook = cadre.server("GET", path).json()["content"]
    set_cell(notebook, "why_dues", "量力负担。")
    cadre.server("PUT", path, json={"type": "notebook", "format": "json", "content": notebook})
    submitted = cadre.server(
        "POST", "assignments/submit", data={"course_id": "itbasics", "assignment_id": "hw1"}
    )
    assert submitted.json()["success"], submitted.text
    settings_file = str(classroom.settings.source)
    graded = subprocess.run(
        [sys.executable, "-m", "airclass.admin.cli", "--settings", settings_file, "grade", "itbasics", "hw1"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert graded.returncode == 0, graded.stderr

    trainer = login("it-trainer-a")
    api = "services/itbasics/formgrader/api"
    notebooks = trainer.api("GET", f"{api}/submitted_notebooks/hw1/dues").json()
    mine = next(s for s in notebooks if s["student"] == "it-rel")
    grades = trainer.api("GET", f"{api}/grades?submission_id={mine['id']}").json()
    written = next(g for g in grades if g["name"] == "why_dues")
    put = trainer.api("PUT", f"{api}/grade/{written['id']}", json={"manual_score": 1})
    assert put.status_code == 200, put.text

    with PlatformDB(classroom.settings.platform_db_url) as db:
        entries = db.audit_entries(course_ids=["itbasics"], action=audit.GRADE_MANUAL)
    entry = next(e for e in entries if e["target"] == "it-rel")
    assert entry["actor"] == "it-trainer-a"
    assert entry["detail"]["cell"] == "why_dues" and entry["detail"]["assignment"] == "hw1"
    assert entry["detail"]["after"]["manual_score"] == 1
    assert entry["at"]

    page = trainer.browse("services/learning/voila/render/trainer.ipynb")
    assert page.status_code == 200
    assert all(in_page(text, page.text) for text in ("操作记录", "it-trainer-a", "人工评分"))

    listed = subprocess.run(
        [
            sys.executable,
            "-m",
            "airclass.admin.cli",
            "--settings",
            settings_file,
            "audit",
            "--action",
            "grade.manual",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert listed.returncode == 0 and "it-trainer-a" in listed.stdout and "it-rel" in listed.stdout

    # Only a course's formgrader service may write entries; a cadre's token may not.
    forged = cadre.api(
        "POST",
        "services/airclass-api/audit",
        json={"actor": "it-trainer-a", "target": "it-rel", "detail": {}},
    )
    assert forged.status_code == 403
