"""Progress table and aggregates against hand-computed figures on a small fixture.

Fixtures (other unit test modules import `make_classroom` from here):
    classroom — a platform DB and two real nbgrader gradebooks (built with nbgrader's
                Gradebook API) under tmp_path; returns a `Classroom`.

The fixture, at NOW = 2026-03-20 12:00 +08:00 (04:00 UTC):

    course labor-law: lessons l1, l2; hw1 (10 pts, pass 6, due 03-10 23:59 +08),
                      hw2 (10 pts, pass 6, due 03-25 23:59 +08)
    course union-data: lesson d1; ex1 (5 pts, pass 3, due 03-15 23:59 +08)

    c1 张三 济南 历下区总工会  labor-law + union-data
       l1 03-01, l2 03-02, hw1 03-08 (q1 auto 6 + q2 manual 3 = 9), hw2 03-18 (4),
       d1 03-13, ex1 03-14 (5)
    c2 李四 济南 槐荫区总工会  labor-law: l1 03-11, hw1 03-12 LATE (q1 6, q2 awaiting grading)
    c3 王五 青岛 市南区总工会  labor-law + union-data: l1 03-05, hw1 03-09 (2 + manual 1 +
       extra credit 1 = 4); ex1 never → overdue
    c4 赵六 青岛 市南区总工会  union-data: ex1 03-16 (3) with a 1-day extension → not late;
       d1 03-19
    c5 孙七 淄博 张店区总工会  labor-law: nothing → hw1 overdue
    ghost (not in the roster) submitted hw1 (q1 6, q2 awaiting grading) → not in the table
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from nbgrader.api import Gradebook

from airclass.core import databases, deployed
from airclass.core.catalog import Assignment, Course, Lesson, course_toml
from airclass.core.platform_db import PlatformDB
from airclass.core.settings import Settings, validate
from airclass.progress import analytics, trainer_stats
from airclass.progress import cache as progress_cache
from airclass.progress import table as progress
from tests import pgtest

CST = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 3, 20, 12, 0, tzinfo=CST)


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


@dataclass
class Classroom:
    root: Path
    platform_db: str
    courses: list[Course]
    gradebooks: dict[str, str]
    database_url: str = ""

    @property
    def settings(self) -> Settings:
        return Settings(validate({"data_dir": str(self.root), "database": {"url": self.database_url}}), None)

    def table(self) -> pd.DataFrame:
        return progress.build_progress(self.platform_db, self.courses, self.gradebooks, NOW)


PEOPLE = [
    dict(
        user_id="c1",
        name="张三",
        city="济南",
        city_code="3701",
        union_name="历下区总工会",
        role="cadre",
        phone="13800000001",
        courses=["labor-law", "union-data"],
    ),
    dict(
        user_id="c2",
        name="李四",
        city="济南",
        city_code="3701",
        union_name="槐荫区总工会",
        role="cadre",
        phone="13800000002",
        courses=["labor-law"],
    ),
    dict(
        user_id="c3",
        name="王五",
        city="青岛",
        city_code="3702",
        union_name="市南区总工会",
        role="cadre",
        phone="13800000003",
        courses=["labor-law", "union-data"],
    ),
    dict(
        user_id="c4",
        name="赵六",
        city="青岛",
        city_code="3702",
        union_name="市南区总工会",
        role="cadre",
        phone="13800000004",
        courses=["union-data"],
    ),
    dict(
        user_id="c5",
        name="孙七",
        city="淄博",
        city_code="3703",
        union_name="张店区总工会",
        role="cadre",
        phone="13800000005",
        courses=["labor-law"],
    ),
    dict(
        user_id="t1",
        name="周老师",
        city="济南",
        city_code="3701",
        union_name="省总工会",
        role="trainer",
        courses=["labor-law"],
    ),
    dict(
        user_id="m1",
        name="吴主任",
        city="济南",
        city_code="3701",
        union_name="省总工会",
        role="manager",
        level="province",
    ),
    dict(
        user_id="m2",
        name="郑科长",
        city="济南",
        city_code="3701",
        union_name="济南市总工会",
        role="manager",
        level="city",
    ),
    dict(
        user_id="m3",
        name="王科长",
        city="青岛",
        city_code="3702",
        union_name="青岛市总工会",
        role="manager",
        level="city",
    ),
]


def _courses(root: Path) -> list[Course]:
    labor = Course(
        "labor-law",
        "劳动法基础",
        "",
        "基层工会干部",
        root / "labor-law",
        lessons=(Lesson("l1", "加班工资", "lessons/l1.ipynb"), Lesson("l2", "经济补偿", "lessons/l2.ipynb")),
        assignments=(
            Assignment("hw1", "加班工资计算", dt.datetime(2026, 3, 10, 23, 59, tzinfo=CST), 10, 6),
            Assignment("hw2", "经济补偿计算", dt.datetime(2026, 3, 25, 23, 59, tzinfo=CST), 10, 6),
        ),
    )
    data = Course(
        "union-data",
        "工会数据",
        "",
        "基层工会干部",
        root / "union-data",
        lessons=(Lesson("d1", "会员台账", "lessons/d1.ipynb"),),
        assignments=(Assignment("ex1", "台账练习", dt.datetime(2026, 3, 15, 23, 59, tzinfo=CST), 5, 3),),
    )
    return [labor, data]


def _grade(gb, cell, nb, assignment, student, auto=None, manual=None, extra=None, pending=False):
    grade = gb.find_grade(cell, nb, assignment, student)
    grade.auto_score = auto
    grade.manual_score = manual
    grade.extra_credit = extra
    grade.needs_manual_grade = pending
    gb.db.commit()


def alembic_on_path() -> None:
    """nbgrader's Gradebook shells out to `alembic` by name: put this interpreter's bin first."""
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")


def make_classroom(root: Path, database_url: str = "") -> Classroom:
    """The fixture classroom on SQLite files under `root`, or in schemas of the PostgreSQL
    database `database_url` (as `[database] url` places them)."""
    root = Path(root)
    alembic_on_path()
    settings = Settings(validate({"data_dir": str(root), "database": {"url": database_url}}), None)
    platform_db = settings.platform_db_url
    with PlatformDB(platform_db) as db:
        db.upsert_people(PEOPLE)
        for user, course, lesson, when in [
            ("c1", "labor-law", "l1", utc(2026, 3, 1, 2)),
            ("c1", "labor-law", "l2", utc(2026, 3, 2, 2)),
            ("c1", "union-data", "d1", utc(2026, 3, 13, 0)),
            ("c2", "labor-law", "l1", utc(2026, 3, 11, 0)),
            ("c3", "labor-law", "l1", utc(2026, 3, 5, 0)),
            ("c4", "union-data", "d1", utc(2026, 3, 19, 0)),
            ("ghost", "labor-law", "l1", utc(2026, 3, 19, 0)),
        ]:
            db.record_completion(user, course, lesson, when)

    courses = _courses(root)
    for course in courses:  # the public copy of course.toml, as deployed
        public = root / "public" / course.id
        public.mkdir(parents=True, exist_ok=True)
        (public / "course.toml").write_text(course_toml(course), encoding="utf-8")
    gradebooks = {c.id: settings.gradebook_url(c.id) for c in courses}
    for course in courses:
        settings.course_root(course.id).mkdir(parents=True, exist_ok=True)
        databases.ensure_schema(gradebooks[course.id])

    with Gradebook(gradebooks["labor-law"], course_id="labor-law") as gb:
        gb.add_assignment("hw1", duedate="2026-03-10 15:59:00")
        gb.add_notebook("hw1", "hw1")
        gb.add_grade_cell("q1", "hw1", "hw1", max_score=6, cell_type="code")
        gb.add_grade_cell("q2", "hw1", "hw1", max_score=4, cell_type="markdown")
        gb.add_assignment("hw2", duedate="2026-03-25 15:59:00")
        gb.add_notebook("hw2", "hw2")
        gb.add_grade_cell("q1", "hw2", "hw2", max_score=10, cell_type="code")
        for sid in ("c1", "c2", "c3", "ghost"):
            gb.add_student(sid)
        gb.add_submission("hw1", "c1", timestamp=utc(2026, 3, 8, 10))
        _grade(gb, "q1", "hw1", "hw1", "c1", auto=6)
        _grade(gb, "q2", "hw1", "hw1", "c1", manual=3)
        gb.add_submission("hw2", "c1", timestamp=utc(2026, 3, 18, 2))
        _grade(gb, "q1", "hw2", "hw2", "c1", auto=4)
        gb.add_submission("hw1", "c2", timestamp=utc(2026, 3, 12, 1))
        _grade(gb, "q1", "hw1", "hw1", "c2", auto=6)
        _grade(gb, "q2", "hw1", "hw1", "c2", pending=True)
        gb.add_submission("hw1", "c3", timestamp=utc(2026, 3, 9, 0))
        _grade(gb, "q1", "hw1", "hw1", "c3", auto=2)
        _grade(gb, "q2", "hw1", "hw1", "c3", manual=1, extra=1)
        gb.add_submission("hw1", "ghost", timestamp=utc(2026, 3, 9, 0))
        _grade(gb, "q1", "hw1", "hw1", "ghost", auto=6)

    with Gradebook(gradebooks["union-data"], course_id="union-data") as gb:
        gb.add_assignment("ex1", duedate="2026-03-15 15:59:00")
        gb.add_notebook("ex1", "ex1")
        gb.add_grade_cell("q1", "ex1", "ex1", max_score=5, cell_type="code")
        for sid in ("c1", "c3", "c4"):
            gb.add_student(sid)
        gb.add_submission("ex1", "c1", timestamp=utc(2026, 3, 14, 0))
        _grade(gb, "q1", "ex1", "ex1", "c1", auto=5)
        gb.add_submission("ex1", "c4", timestamp=utc(2026, 3, 16, 0))
        _grade(gb, "q1", "ex1", "ex1", "c4", auto=3)
        gb.grant_extension("ex1", "c4", days=1)

    return Classroom(root, platform_db, courses, gradebooks, database_url)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def classroom(request, tmp_path_factory):
    """Built once per module and database (nbgrader runs alembic per gradebook); tests only
    read it. Every test using it runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        yield make_classroom(tmp_path_factory.mktemp("classroom"))
        return
    url = pgtest.create_database()
    try:
        yield make_classroom(tmp_path_factory.mktemp("classroom-pg"), url)
    finally:
        pgtest.drop_database(url)


@pytest.fixture
def table(classroom) -> pd.DataFrame:
    return classroom.table()


def row(df: pd.DataFrame, user: str, item: str) -> pd.Series:
    hit = df[(df["user_id"] == user) & (df["item_id"] == item)]
    assert len(hit) == 1, (user, item, len(hit))
    return hit.iloc[0]


# --- the table --------------------------------------------------------------------------


def test_one_row_per_enrolled_cadre_and_item(table):
    assert list(table.columns) == list(progress.PROGRESS_COLUMNS)
    # c1: 4 + 2, c2: 4, c3: 4 + 2, c4: 2, c5: 4
    assert len(table) == 22
    assert table.groupby("user_id").size().to_dict() == {"c1": 6, "c2": 4, "c3": 6, "c4": 2, "c5": 4}
    assert "ghost" not in set(table["user_id"])
    assert set(table["item_type"]) == {"assignment", "lesson"}


def test_practice_assignments_count_for_nothing_but_show_on_request(classroom, table):
    """weight = 0 (练习作业，不计成绩): not in completion, pass rates or at-risk; a cadre's own
    page asks for it with include_practice. hw2 is made a practice assignment here."""
    labor, data = classroom.courses
    practice = (labor.assignments[0], dataclasses.replace(labor.assignments[1], weight=0.0))
    courses = [dataclasses.replace(labor, assignments=practice), data]
    counted = progress.build_progress(classroom.platform_db, courses, classroom.gradebooks, NOW)
    assert "hw2" not in set(counted["item_id"])
    pd.testing.assert_frame_equal(
        counted, table[table["item_id"] != "hw2"].reset_index(drop=True), check_categorical=False
    )
    shown = progress.build_progress(
        classroom.platform_db, courses, classroom.gradebooks, NOW, user_id="c1", include_practice=True
    )
    assert row(shown, "c1", "hw2")["score"] == 4


def test_scores_follow_nbgrader_manual_over_auto_plus_extra_credit(table):
    assert row(table, "c1", "hw1")["score"] == 9  # 6 auto + 3 manual
    assert row(table, "c1", "hw2")["score"] == 4
    assert row(table, "c3", "hw1")["score"] == 4  # 2 + manual 1 + extra credit 1
    assert row(table, "c2", "hw1")["score"] == 6  # written answer not graded yet
    assert pd.isna(row(table, "c5", "hw1")["score"])
    assert row(table, "c1", "hw1")["max_score"] == 10
    assert row(table, "c4", "ex1")["max_score"] == 5


def test_pass_late_overdue_flags(table):
    assert row(table, "c1", "hw1")["passed"]
    assert not row(table, "c1", "hw2")["passed"]
    assert row(table, "c2", "hw1")["passed"] and row(table, "c2", "hw1")["needs_grading"]
    assert not row(table, "c1", "hw1")["needs_grading"]
    assert not row(table, "c3", "hw1")["passed"]
    assert table["late"].sum() == 1 and row(table, "c2", "hw1")["late"]
    assert not row(table, "c4", "ex1")["late"]  # one-day extension
    overdue = table[table["overdue"]][["user_id", "item_id"]].values.tolist()
    assert sorted(overdue) == [["c3", "ex1"], ["c5", "hw1"]]
    assert row(table, "c1", "l2")["done"] and row(table, "c1", "l2")["passed"]
    assert not row(table, "c2", "l2")["done"]
    assert row(table, "c1", "hw1")["submitted_at"] == pd.Timestamp("2026-03-08 10:00", tz="UTC")
    assert row(table, "c1", "l1")["completed_at"] == pd.Timestamp("2026-03-01 02:00", tz="UTC")
    assert row(table, "c1", "hw1")["due"] == pd.Timestamp("2026-03-10 15:59", tz="UTC")


def test_deployed_courses_read_from_the_public_course_toml(classroom):
    settings = classroom.settings
    found = deployed.deployed_courses(settings)
    assert [c.id for c in found] == ["labor-law", "union-data"]
    assert found[0].assignments == classroom.courses[0].assignments
    table = progress.load_progress(settings, now=NOW)
    assert len(table) == 22 and table["score"].sum() == pytest.approx(9 + 4 + 6 + 4 + 5 + 3)


def test_single_user_read_equals_the_full_table_rows(classroom, table):
    mine = progress.build_progress(
        classroom.platform_db, classroom.courses, classroom.gradebooks, NOW, user_id="c3"
    )
    expected = table[table["user_id"] == "c3"].reset_index(drop=True)
    pd.testing.assert_frame_equal(mine, expected, check_dtype=False, check_categorical=False)


def test_cache_gives_the_same_figures_and_follows_the_sources(classroom, table, tmp_path):
    cache = progress_cache.ProgressCache(tmp_path / "cache")
    args = (classroom.platform_db, classroom.courses, classroom.gradebooks)
    cached = cache.table(*args, NOW)
    assert (tmp_path / "cache").stat().st_mode & 0o777 == 0o700
    (pickled,) = (tmp_path / "cache").glob("progress-*.pkl")
    assert pickled.stat().st_mode & 0o777 == 0o600
    again = cache.table(*args, NOW + dt.timedelta(days=30))  # from disk, new clock
    # hw1: c5; hw2 (due 03-25): c2, c3, c5; ex1: c3
    assert again["overdue"].sum() == 5
    pd.testing.assert_frame_equal(cached.reset_index(drop=True), table, check_dtype=False)
    # every aggregate gives the same figures on the compact (categorical) table as on plain text
    plain = table.astype({c: "str" for c in table.select_dtypes("category").columns})
    assert analytics.kpis(cached, NOW) == analytics.kpis(plain, NOW)
    pd.testing.assert_frame_equal(
        analytics.city_ranking(cached), analytics.city_ranking(plain), check_dtype=False
    )
    pd.testing.assert_frame_equal(
        analytics.rates_by(cached, "city").astype({"city": "str"}),
        analytics.rates_by(plain, "city"),
        check_dtype=False,
        check_categorical=False,
    )
    risk_a, risk_b = analytics.at_risk(cached, NOW), analytics.at_risk(plain, NOW)
    assert risk_a.astype(str).values.tolist() == risk_b.astype(str).values.tolist()
    pd.testing.assert_frame_equal(analytics.weekly_progress(cached), analytics.weekly_progress(plain))
    # derived views: cached for max_age, recomputed after
    calls = []
    value, made = cache.derived("k", *args, NOW, lambda: calls.append(1) or len(calls))
    assert (value, made) == (1, NOW) or value == 1
    assert cache.derived("k", *args, NOW + dt.timedelta(minutes=5), lambda: 99)[0] == 1
    assert cache.derived("k", *args, NOW + dt.timedelta(minutes=11), lambda: 99)[0] == 99


def test_missing_gradebook_means_nothing_submitted(classroom):
    gradebooks = {"labor-law": classroom.gradebooks["labor-law"]}
    table = progress.build_progress(classroom.platform_db, classroom.courses, gradebooks, NOW)
    assert len(table) == 22
    assert not table[table["course_id"] == "union-data"]["submitted"].any()


# --- aggregates -------------------------------------------------------------------------


def test_kpis(table):
    k = analytics.kpis(table, NOW)
    assert k["enrolled"] == 5
    assert k["active_7d"] == 2  # c1 (hw2, ex1) and c4 (ex1, d1) since 03-13 04:00 UTC
    assert k["completed"] == 1  # c4 passed everything
    assert k["completion_rate"] == pytest.approx(12 / 22)
    assert k["pass_rate"] == pytest.approx(4 / 11)
    assert k["mean_score_pct"] == pytest.approx((0.9 + 0.4 + 1.0 + 0.6 + 0.4 + 0.6) / 6)


def test_rates_by_city_and_course(table):
    by_city = analytics.rates_by(table, "city").set_index("city")
    assert by_city.loc["济南", ["enrolled", "items", "done", "assignments", "passed"]].tolist() == [
        2,
        10,
        8,
        5,
        3,
    ]
    assert by_city.loc["济南", "completion_rate"] == pytest.approx(0.8)
    assert by_city.loc["青岛", "completion_rate"] == pytest.approx(0.5)
    assert by_city.loc["青岛", "pass_rate"] == pytest.approx(0.25)
    assert by_city.loc["淄博", "completion_rate"] == 0
    by_course = analytics.rates_by(table, "course_id").set_index("course_id")
    # labor-law: c1 4, c2 2, c3 2, c5 0 of 16; union-data: c1 2, c3 0, c4 2 of 6
    assert by_course.loc["labor-law", "completion_rate"] == pytest.approx(8 / 16)
    assert by_course.loc["union-data", "completion_rate"] == pytest.approx(4 / 6)
    assert by_course.loc["union-data", "pass_rate"] == pytest.approx(2 / 3)
    by_union = analytics.rates_by(table, ["city", "union_name"]).set_index("union_name")
    assert by_union.loc["市南区总工会", "enrolled"] == 2


def test_city_ranking_shows_all_16_cities(table):
    ranking = analytics.city_ranking(table, targets=0.8)
    assert len(ranking) == 16 and set(ranking["city"]) == set(progress.CITY_NAMES)
    top = ranking.head(3)
    assert top["city"].tolist() == ["济南", "青岛", "淄博"]
    assert top["rank"].tolist() == [1, 2, 3]
    assert top["enrolled"].tolist() == [2, 2, 1]
    assert top["completed"].tolist() == [0, 1, 0]
    assert top["meets_target"].tolist() == [True, False, False]
    rest = ranking.iloc[3:]
    assert rest["rank"].isna().all() and (rest["enrolled"] == 0).all()
    assert not rest["meets_target"].any()
    # per-city targets
    ranking = analytics.city_ranking(table, targets={"青岛": 0.5})
    assert ranking.set_index("city").loc["青岛", "meets_target"]


def test_weekly_progress(table):
    weekly = analytics.weekly_progress(table)
    assert [str(w) for w in weekly["week"]] == ["2026-02-23", "2026-03-02", "2026-03-09", "2026-03-16"]
    assert weekly["done"].tolist() == [1, 3, 5, 3]
    assert weekly["passed"].tolist() == [0, 1, 2, 1]
    assert weekly["cumulative_done"].tolist() == [1, 4, 9, 12]
    assert weekly["cumulative_rate"].iloc[-1] == pytest.approx(12 / 22)


def test_score_distribution(table):
    dist = analytics.score_distribution(table).set_index("bin")["count"]
    assert dist.sum() == 6
    assert dist["40–50"] == 2 and dist["60–70"] == 2 and dist["90–100"] == 2


def test_at_risk_rule(table):
    assert "7 天" in analytics.AT_RISK_RULE
    risk = analytics.at_risk(table, NOW)
    got = {(r.user_id, r.course_id): r.reason for r in risk.itertuples()}
    assert set(got) == {("c2", "labor-law"), ("c3", "labor-law"), ("c3", "union-data"), ("c5", "labor-law")}
    assert "逾期" in got[("c3", "union-data")] and "未活动" in got[("c3", "union-data")]
    assert "逾期" not in got[("c2", "labor-law")]
    c5 = risk[risk["user_id"] == "c5"].iloc[0]
    assert c5["phone"] == "13800000005" and c5["union_name"] == "张店区总工会"
    assert c5["overdue_items"] == "hw1"


def test_within_period_counts_only_activity_in_range(table):
    start = dt.datetime(2026, 3, 9, tzinfo=CST)
    end = dt.datetime(2026, 3, 16, tzinfo=CST)
    part = progress.within_period(table, start, end)
    assert len(part) == len(table)
    assert part["done"].sum() == 5  # the week of 03-09
    assert analytics.kpis(part, NOW)["enrolled"] == 5


def test_filters(table):
    assert len(progress.filter_progress(table, city="青岛")) == 8
    assert len(progress.filter_progress(table, course="union-data", city="青岛")) == 4
    assert len(progress.filter_progress(table, union="张店区总工会")) == 4


# --- trainer views ----------------------------------------------------------------------


def test_grading_queue_and_question_stats(classroom):
    queue = trainer_stats.grading_queue(classroom.gradebooks["labor-law"], "labor-law")
    # oldest first; ghost (not in the roster) still has a submission to grade
    assert queue[["user_id", "assignment", "cells_to_grade"]].values.tolist() == [
        ["ghost", "hw1", 1],
        ["c2", "hw1", 1],
    ]
    stats = trainer_stats.question_stats(classroom.gradebooks["labor-law"], "labor-law")
    stats = stats.set_index(["assignment", "question"])
    assert stats.loc[("hw1", "q1"), "graded"] == 4  # c1, c2, c3, ghost
    assert stats.loc[("hw1", "q1"), "mean_score"] == pytest.approx((6 + 6 + 2 + 6) / 4)
    assert stats.loc[("hw1", "q2"), "mean_score"] == pytest.approx((3 + 2) / 2)
    assert stats.loc[("hw2", "q1"), "mean_pct"] == pytest.approx(0.4)
    empty = trainer_stats.grading_queue(classroom.root / "nope.db", "x")
    assert empty.empty


# --- demo seed --------------------------------------------------------------------------


def test_demo_seed_fills_charts_and_keeps_real_data(tmp_path):
    from airclass.admin.demo_seed import seed_progress
    from airclass.core.settings import Settings, validate

    room = make_classroom(tmp_path)
    with PlatformDB(room.platform_db) as db:
        db.upsert_people(
            [
                dict(
                    user_id="cadre01",
                    name="演示学员",
                    city="济南",
                    city_code="3701",
                    union_name="历下区总工会",
                    role="cadre",
                    courses=["labor-law", "union-data"],
                )
            ]
            + [
                dict(
                    user_id=f"s{i:02d}",
                    name=f"学员{i}",
                    city=progress.CITY_NAMES[i % 16],
                    city_code=progress.CITIES[i % 16][1],
                    union_name="街道工会联合会",
                    role="cadre",
                    courses=["labor-law", "union-data"],
                )
                for i in range(30)
            ]
        )
    before = room.table()
    settings = Settings(validate({"data_dir": str(room.root)}), None)
    counts = seed_progress(settings, room.courses, NOW, rng_seed=7)
    assert counts["submissions"] > 20 and counts["lessons"] > 20
    assert counts["skipped"] >= 1  # c1, c2, c3, c4's real submissions
    after = room.table()
    mine = ["c1", "c2", "c3", "c4", "c5"]
    real = before[before["submitted"] & before["user_id"].isin(mine)]
    kept = after.set_index(["user_id", "item_id"]).loc[real.set_index(["user_id", "item_id"]).index]
    assert kept["score"].tolist() == real["score"].tolist()
    assert kept["submitted_at"].tolist() == real["submitted_at"].tolist()
    assert not after[after["user_id"] == "cadre01"]["done"].any()
    assert (after["activity_at"].dropna() <= pd.Timestamp(NOW)).all()
    assert after["late"].any() and after["needs_grading"].any()
    assert (~after.groupby("user_id")["done"].any()).any()  # some idle cadres
    assert analytics.weekly_progress(after)["done"].sum() == after["done"].sum()
    again = seed_progress(settings, room.courses, NOW, rng_seed=7)
    assert again["submissions"] == 0 and again["lessons"] == 0


def test_submission_totals_are_nbgraders_own(classroom):
    """The grouped query gives, per submission, what nbgrader's own `SubmittedAssignment.score`
    and `needs_manual_grade` say."""
    for course_id, url in classroom.gradebooks.items():
        with Gradebook(url, course_id=course_id) as gb:
            expected = {
                (sub.student_id, sub.name): (sub.score, sub.needs_manual_grade)
                for assignment in gb.assignments
                for sub in assignment.submissions
            }
        got = progress.read_submissions(url)
        found = {
            (r.user_id, r.item_id): (pytest.approx(r.score), bool(r.needs_grading)) for r in got.itertuples()
        }
        assert found == expected and len(expected) >= 2


def test_a_future_stamp_never_stretches_the_weekly_chart(table):
    """A submission dated 2099 once made the weekly chart 3,768 rows long."""
    skewed = table.copy()
    first_done = skewed.index[skewed["done"]][0]
    skewed.loc[first_done, "activity_at"] = pd.Timestamp("2099-01-01T00:00Z")
    weekly = analytics.weekly_progress(skewed, NOW)
    assert len(weekly) <= len(analytics.weekly_progress(table, NOW))
    assert weekly.attrs["future"] == 1
    # without the bad stamp nothing is flagged
    assert analytics.weekly_progress(table, NOW).attrs["future"] == 0


@pytest.mark.parametrize("n_items", [8, 70])  # bit masks; more items than an int64 has bits
def test_overdue_items_joined_in_item_order_per_cadre_and_course(n_items):
    rng = np.random.default_rng(7)
    ids = [f"a{i:02d}" for i in range(n_items)]
    rows = [
        (f"u{u}", course, item)
        for u in range(300)
        for course in ("c1", "c2")
        for item in ids
        if rng.random() < 0.3
    ]
    overdue = pd.DataFrame(rows, columns=["user_id", "course_id", "item_id"]).sample(frac=1, random_state=1)
    overdue = overdue.astype("category")
    expected = {}
    for user, course, item in rows:
        expected.setdefault((user, course), []).append(item)
    got = analytics.overdue_items(overdue)
    assert {key: got[key] for key in got.index} == {k: "、".join(sorted(v)) for k, v in expected.items()}
