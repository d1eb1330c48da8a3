"""我的入口 data: lessons done or not, assignments with Beijing due dates, status and score."""

from __future__ import annotations

import pytest
from nbgrader.utils import notebook_hash

from airclass.core.settings import load
from airclass.learner import landing
from tests.airclass.progress.test_progress import NOW, make_classroom


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    root = tmp_path_factory.mktemp("landing")
    make_classroom(root)
    path = root / "airclass.toml"
    path.write_text(f'data_dir = "{root}"\n', encoding="utf-8")
    settings = load(path)
    exchange = settings.exchange_dir / "labor-law"
    for assignment in ("hw1", "hw2"):
        (exchange / "outbound" / assignment).mkdir(parents=True)
    # c2 submitted hw2 a minute ago: not graded yet, but the exchange has it
    fresh = exchange / "inbound" / "c2+hw2+2026-03-20 03:59:00.000000 UTC+abc"
    fresh.mkdir(parents=True)
    (fresh / "hw2.ipynb").write_text("{}")
    (fresh / "submission_secret.txt").write_text("s2")
    # c1's hw1 came back with feedback
    done = exchange / "inbound" / "c1+hw1+2026-03-08 10:00:00.000000 UTC+xyz"
    done.mkdir(parents=True)
    (done / "hw1.ipynb").write_text("{}")
    (done / "submission_secret.txt").write_text("s1")
    (exchange / "feedback").mkdir()
    (exchange / "feedback" / f"{notebook_hash(secret='s1', notebook_id='hw1')}.html").write_text("<html>")
    return settings


def course(courses, course_id):
    return next(c for c in courses if c["id"] == course_id)


def test_a_cadre_sees_lessons_and_assignments_of_each_course(settings):
    c1 = landing.cadre_courses(settings, "c1", NOW)
    assert [c["id"] for c in c1] == ["labor-law", "union-data"]
    law = course(c1, "labor-law")
    assert [(x["title"], x["done"]) for x in law["lessons"]] == [("加班工资", True), ("经济补偿", True)]
    assert law["lessons"][0]["page_url"].startswith("user/c1/voila/render/")
    assert law["lessons"][0]["lab_url"].startswith("user/c1/lab/tree/")
    hw1, hw2 = law["assignments"]
    assert hw1["due"] == "2026-03-10 23:59" and hw1["status"] == "已退回" and hw1["score"] == "9 / 10（通过）"
    assert hw2["status"] == "已评分" and hw2["score"] == "4 / 10（未通过，及格 6 分）"
    assert law["certificate"] is False
    assert course(c1, "union-data")["certificate"] is True


def test_submitted_shows_at_once_and_pending_grades_say_so(settings):
    law = course(landing.cadre_courses(settings, "c2", NOW), "labor-law")
    hw1, hw2 = law["assignments"]
    assert hw2["status"] == "已提交" and hw2["score"] == ""
    assert hw1["status"] == "已提交" and "待培训师评阅" in hw1["score"]
    c5 = course(landing.cadre_courses(settings, "c5", NOW), "labor-law")["assignments"]
    assert c5[0]["status"] == "未领取" and c5[0]["overdue"]


def test_people_not_on_the_roster_get_nothing(settings):
    assert landing.cadre_courses(settings, "nobody", NOW) == []
