"""The lesson-completion service records for the token's owner only."""

import pytest
import requests

from airclass.core.platform_db import PlatformDB

pytestmark = pytest.mark.integration


def test_cadre_records_own_completion_only(classroom, login):
    cadre = login("it-cadre2")
    url = "services/airclass-api/completions"
    ok = cadre.api("POST", url, json={"course_id": "itbasics", "lesson_id": "dues"})
    assert ok.status_code == 200, ok.text
    assert ok.json()["user"] == "it-cadre2"
    # Not enrolled in itother; no such lesson; no token at all.
    assert cadre.api("POST", url, json={"course_id": "itother", "lesson_id": "dues"}).status_code == 403
    assert cadre.api("POST", url, json={"course_id": "itbasics", "lesson_id": "x"}).status_code == 404
    anonymous = requests.post(
        classroom.base_url + "/" + url, json={"course_id": "itbasics", "lesson_id": "dues"}, timeout=30
    )
    assert anonymous.status_code in (302, 401, 403)
    with PlatformDB(classroom.settings.platform_db_url) as db:
        rows = db.completions("it-cadre2")
    assert ("it-cadre2", "itbasics", "dues") in [(u, c, lesson) for u, c, lesson, _ in rows]


def test_completion_needs_the_lessons_quick_checks_answered(classroom, login):
    """The service reads the right options from the deployed lesson, not from the caller."""
    cadre = login("it-cadre2")
    url = "services/airclass-api/completions"
    question = "工资总额 50 万元的单位每月拨缴工会经费多少？"
    body = {"course_id": "itbasics", "lesson_id": "funds"}
    refused = cadre.api("POST", url, json=body)
    assert refused.status_code == 409, refused.text
    assert "还差" in refused.json()["error"] and question[:10] in refused.json()["error"]
    wrong = cadre.api("POST", url, json={**body, "answers": {question: 0}})
    assert wrong.status_code == 409
    right = cadre.api("POST", url, json={**body, "answers": {question: 1}})
    assert right.status_code == 200, right.text
    with PlatformDB(classroom.settings.platform_db_url) as db:
        lessons = {lesson for _u, _c, lesson, _t in db.completions("it-cadre2")}
    assert "funds" in lessons
