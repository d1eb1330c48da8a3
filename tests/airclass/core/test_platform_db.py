import datetime as dt
import sqlite3

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from airclass.core import databases, platform_tables
from airclass.core import platform_db as platform
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


@pytest.fixture
def target(database_url, tmp_path):
    """A platform DB that does not exist yet: a SQLite file or a PostgreSQL schema."""
    if not database_url:
        return str(tmp_path / "p.sqlite")
    return databases.in_schema(database_url, databases.PLATFORM_SCHEMA)


def test_people_and_person_agree(target):
    with PlatformDB(target) as db:
        db.upsert_people(PEOPLE)
        everyone = {p["user_id"]: p for p in db.people()}
        assert db.person("a1") == everyone["a1"]
        assert db.person("a1")["courses"] == ["enrollment", "labor-law"]
        assert db.person("nobody") is None
        assert [p["user_id"] for p in db.people("trainer")] == ["t1"]


def test_reimport_replaces_enrollments(target):
    with PlatformDB(target) as db:
        db.upsert_people(PEOPLE)
        db.upsert_people([{**PEOPLE[0], "city": "淄博", "courses": ["enrollment"]}])
        assert db.person("a1")["city"] == "淄博"
        assert db.person("a1")["courses"] == ["enrollment"]


def test_first_completion_time_is_kept(target):
    first = dt.datetime(2026, 11, 1, 8, 0, tzinfo=dt.UTC)
    with PlatformDB(target) as db:
        assert db.record_completion("a1", "labor-law", "overtime", first) == "2026-11-01T08:00:00+00:00"
        again = db.record_completion("a1", "labor-law", "overtime", first + dt.timedelta(days=3))
        assert again == "2026-11-01T08:00:00+00:00"
        assert len(db.completions("a1")) == 1 and db.completions("t1") == []


def test_failed_block_rolls_back(target):
    path = target
    try:
        with PlatformDB(path) as db:
            db.upsert_people(PEOPLE)
            raise RuntimeError("half-way")
    except RuntimeError:
        pass
    with PlatformDB(path) as db:
        assert db.people() == []


def test_a_new_database_is_created_at_the_newest_schema(target):
    assert platform.current_revision(target) is None
    platform.migrate(target)
    assert platform.current_revision(target) == platform.head_revision()
    platform.migrate(target)  # idempotent
    assert platform.current_revision(target) == platform.head_revision()


def test_migrations_match_the_tables(target):
    """The tables the code uses are exactly what the migrations build (on both databases)."""
    platform.migrate(target)
    with databases.engine(target).connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), platform.metadata)
    assert diff == []


def test_roster_and_lessons_readable_read_only(target):
    with PlatformDB(target) as db:
        db.upsert_people(PEOPLE)
    assert platform_tables.lookup_person(target, "t1")["courses"] == ["labor-law"]
    assert platform_tables.lookup_person(target, "nobody") is None


# The schema as it was before versioning (kept here as data: what older data dirs hold).
UNVERSIONED_SCHEMA = """
CREATE TABLE people (user_id TEXT PRIMARY KEY, name TEXT NOT NULL, city TEXT NOT NULL,
    city_code TEXT NOT NULL, union_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('cadre', 'trainer', 'manager')),
    level TEXT NOT NULL DEFAULT '', phone TEXT NOT NULL DEFAULT '', updated_at TEXT NOT NULL);
CREATE TABLE enrollments (user_id TEXT NOT NULL REFERENCES people(user_id) ON DELETE CASCADE,
    course_id TEXT NOT NULL, PRIMARY KEY (user_id, course_id));
CREATE TABLE lesson_completions (user_id TEXT NOT NULL, course_id TEXT NOT NULL,
    lesson_id TEXT NOT NULL, completed_at TEXT NOT NULL, PRIMARY KEY (user_id, course_id, lesson_id));
INSERT INTO people VALUES
    ('old1', '老学员', '济南', '3701', 'u', 'cadre', '', '', '2026-01-01T00:00:00+00:00');
INSERT INTO enrollments VALUES ('old1', 'labor-law');
INSERT INTO lesson_completions VALUES ('old1', 'labor-law', 'l1', '2026-02-01T00:00:00+00:00');
"""


def test_an_unversioned_database_is_adopted_with_its_data(tmp_path):
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as conn:
        conn.executescript(UNVERSIONED_SCHEMA)
    assert platform.current_revision(path) is None
    with PlatformDB(path) as db:
        assert db.person("old1")["courses"] == ["labor-law"]
        assert db.completions("old1") == [("old1", "labor-law", "l1", "2026-02-01T00:00:00+00:00")]
        db.upsert_people([{**PEOPLE[0], "user_id": "new1"}])
    assert platform.current_revision(path) == platform.head_revision()
