import datetime as dt

from airclass.core.platform_db import PlatformDB

PEOPLE = [
    {
        "user_id": "a1",
        "name": "甲",
        "city": "济南",
        "city_code": "3701",
        "union_name": "u",
        "role": "cadre",
        "courses": ["labor-law", "enrollment"],
    },
    {
        "user_id": "t1",
        "name": "乙",
        "city": "青岛",
        "city_code": "3702",
        "union_name": "u",
        "role": "trainer",
        "courses": ["labor-law"],
    },
]


def test_people_and_person_agree(tmp_path):
    with PlatformDB(tmp_path / "p.sqlite") as db:
        db.upsert_people(PEOPLE)
        everyone = {p["user_id"]: p for p in db.people()}
        assert db.person("a1") == everyone["a1"]
        assert db.person("a1")["courses"] == ["enrollment", "labor-law"]
        assert db.person("nobody") is None
        assert [p["user_id"] for p in db.people("trainer")] == ["t1"]


def test_reimport_replaces_enrollments(tmp_path):
    with PlatformDB(tmp_path / "p.sqlite") as db:
        db.upsert_people(PEOPLE)
        db.upsert_people([{**PEOPLE[0], "city": "淄博", "courses": ["enrollment"]}])
        assert db.person("a1")["city"] == "淄博"
        assert db.person("a1")["courses"] == ["enrollment"]


def test_first_completion_time_is_kept(tmp_path):
    first = dt.datetime(2026, 11, 1, 8, 0, tzinfo=dt.UTC)
    with PlatformDB(tmp_path / "p.sqlite") as db:
        assert db.record_completion("a1", "labor-law", "overtime", first) == "2026-11-01T08:00:00+00:00"
        again = db.record_completion("a1", "labor-law", "overtime", first + dt.timedelta(days=3))
        assert again == "2026-11-01T08:00:00+00:00"
        assert len(db.completions("a1")) == 1 and db.completions("t1") == []


def test_failed_block_rolls_back(tmp_path):
    path = tmp_path / "p.sqlite"
    try:
        with PlatformDB(path) as db:
            db.upsert_people(PEOPLE)
            raise RuntimeError("half-way")
    except RuntimeError:
        pass
    with PlatformDB(path) as db:
        assert db.people() == []
