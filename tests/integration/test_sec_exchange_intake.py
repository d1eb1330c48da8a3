"""Issue 9, finding 4, as the attacks were made: forged submissions in the exchange inbox.

it-cadre2 files work in it-cadre1's name (with a 2099 timestamp so it wins as "latest"),
and backdates its own; it-locked, not enrolled in itbasics, plants work there. Grading
must collect none of it, and the trainer must see why.
"""

import json
import subprocess

import pytest

from airclass.core.catalog import load_course
from airclass.system import accounts
from grader import grading
from tests.integration.test_sec_formgrader_xss import submit_answer

pytestmark = pytest.mark.integration

FORGED = "伪造的提交"
QUARANTINE = "quarantine"  # grader.intake.QUARANTINE (a literal, so this test runs on old code too)


def plant(settings, account: str, folder: str) -> None:
    """As `account`, make inbound/<folder>/dues.ipynb holding the forged marker."""
    notebook = {"cells": [], "metadata": {"note": FORGED}, "nbformat": 4, "nbformat_minor": 5}
    target = settings.exchange_dir / "itbasics" / "inbound" / folder
    made = subprocess.run(
        ["runuser", "-u", account, "--", "sh", "-c", 'mkdir "$1" && cat > "$1/dues.ipynb"', "-", str(target)],
        input=json.dumps(notebook),
        capture_output=True,
        text=True,
    )
    assert made.returncode == 0, made.stderr


def test_forged_unenrolled_and_backdated_submissions_are_quarantined(classroom, login):
    settings = classroom.settings
    submit_answer(login("it-cadre2"), lambda nb: None)  # a genuine submission
    accounts.ensure_user("it-locked", settings["accounts"]["unix_group"])
    attacks = {
        "it-cadre1+hw1+2099-01-01 00:00:00.000000 UTC+forged": "it-cadre2",  # another cadre's name
        "it-locked+hw1+2026-01-01 00:00:00.000000 UTC+planted": "it-locked",  # not enrolled
        "it-cadre2+hw1+2020-01-01 00:00:00.000000 UTC+backdated": "it-cadre2",  # backdated
        "it-cadre2+hw1+2099-01-01 00:00:00.000000 UTC+future": "it-cadre2",  # from the future
    }
    for folder, account in attacks.items():
        plant(settings, account, folder)

    summary = grading.grade(settings, load_course(settings.course_root("itbasics")), "hw1")

    root = settings.course_root("itbasics")
    collected = list((root / "submitted").glob("*/hw1/dues.ipynb"))
    assert any(p.parts[-3] == "it-cadre2" for p in collected), "the genuine submission is graded"
    assert not [p for p in collected if FORGED in p.read_text(encoding="utf-8")], "forged work was collected"
    assert "it-locked" not in [o.student for o in summary.outcomes]
    quarantined = {p.name for p in (root / QUARANTINE).iterdir() if p.is_dir()}
    assert set(attacks) <= quarantined
    reasons = (root / QUARANTINE / "it-cadre1+hw1+2099-01-01 00:00:00.000000 UTC+forged.原因.txt").read_text()
    assert "it-cadre2" in reasons
    table = summary.table()
    assert all(folder in table for folder in attacks), table
    assert "未选修" in table and "晚于当前时间" in table and "倒填" in table


def test_the_formgrader_collect_button_screens_too(classroom, login):
    """The same forgery, collected by the trainer's Collect button (as the grader account)."""
    settings = classroom.settings
    folder = "it-cadre1+hw1+2099-06-01 00:00:00.000000 UTC+viaformgrader"
    plant(settings, "it-cadre2", folder)
    trainer = login("it-trainer-a")
    done = trainer.api("POST", "services/itbasics/formgrader/api/assignment/hw1/collect")
    assert done.status_code == 200 and done.json()["success"], done.text
    root = settings.course_root("itbasics")
    assert (root / QUARANTINE / folder).is_dir()
    collected = (root / "submitted").glob("*/hw1/dues.ipynb")
    assert not [p for p in collected if FORGED in p.read_text(encoding="utf-8")]
