"""Change markers: what tells the dashboards' cache that a source changed (SQLite files
and PostgreSQL schemas, several schemas of one server read in one query)."""

from __future__ import annotations

import sqlite3
import time

import sqlalchemy as sa

from airclass.core import databases, dburls
from airclass.core.change_markers import change_markers
from tests import pgtest


def test_sqlite_marker_follows_writes_and_missing_files(tmp_path):
    db = tmp_path / "book.db"
    missing = tmp_path / "none.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE t (x INTEGER)")
    before, gone = change_markers([db, missing])
    assert gone == f"{missing}:-;{missing}-wal:-"
    time.sleep(0.01)  # mtime granularity
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO t VALUES (1)")
    assert change_markers([db])[0] != before
    assert change_markers([dburls.as_url(db)])[0] == change_markers([db])[0]


def test_postgres_markers_per_schema_follow_writes():
    url = pgtest.create_database()
    try:
        platform = dburls.in_schema(url, "platform")
        book = dburls.in_schema(url, "gradebook_x")
        for target in (platform, book):
            databases.ensure_schema(target)
        with databases.engine(book).begin() as conn:
            conn.execute(sa.text("CREATE TABLE grade (score REAL)"))
        before = change_markers([platform, book, dburls.in_schema(url, "gradebook_none")])
        assert before[0] == "platform:0:0" and before[2] == "gradebook_none:0:0"
        with databases.engine(book).begin() as conn:
            conn.execute(sa.text("INSERT INTO grade VALUES (1.5)"))
        # the server publishes a session's counters within about a second of its commit
        deadline = time.monotonic() + 15
        while (now := change_markers([platform, book]))[1] == before[1] and time.monotonic() < deadline:
            databases.dispose_engines()  # a new session reads fresh statistics
            time.sleep(0.5)
        assert now[1] != before[1] and now[0] == before[0]
    finally:
        pgtest.drop_database(url)


def test_unreachable_postgres_gives_a_marker_not_an_error():
    url = "postgresql://nobody:x@127.0.0.1:9/none?options=-csearch_path%3Dgradebook_a"
    assert change_markers([url]) == ["gradebook_a:-"]
