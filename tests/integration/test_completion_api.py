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
    with PlatformDB(classroom.settings.platform_db) as db:
        rows = db.completions("it-cadre2")
    assert [(u, c, lesson) for u, c, lesson, _ in rows] == [("it-cadre2", "itbasics", "dues")]
