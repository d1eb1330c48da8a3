"""The platform database: roster, enrollments, lesson completions — SQLite or PostgreSQL.

Held like nbgrader's Gradebook: `with PlatformDB(url_or_path) as db: ...` opens one
connection in one transaction, commits on a clean exit and rolls back on an exception.

The tables are SQLAlchemy Core tables (`airclass.core.platform_tables`, which readers
import alone); their shape is owned by the alembic migrations in
``airclass/core/migrations/versions/``, which `migrate` applies (opening a `PlatformDB`
does it once per process). To change the schema: change the table there *and* add a
migration whose ``down_revision`` is the current head; the test
``test_migrations_match_the_tables`` fails when the two disagree.

    people(user_id PK, name, city, city_code, union_name, role, level, phone, updated_at)
        role: cadre | trainer | manager; level: province | city (managers), '' otherwise
    enrollments(user_id, course_id)            cadres enrolled in / trainers teaching a course
    lesson_completions(user_id, course_id, lesson_id, completed_at)   one row per first completion
    certificates(code PK, user_id, name, course_id, course_title, score, issued_at)   结业证书
    submission_notices(user_id, course_id, assignment_id, submitted_at)   latest submission a
        cadre's server reported (shown as 已提交 before the gradebook has it)
    audit_log(id, at, actor, action, course_id, target, detail)   append-only: who changed what, when
        action: roster.import | permission.change | grade.manual (airclass/core/audit.py)

Times are ISO-8601 text with a UTC offset, as they always were, so existing files need
no data migration.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from collections.abc import Iterable
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.dialects import postgresql, sqlite

from airclass.core import databases
from airclass.core.platform_tables import (  # noqa: F401 — metadata: alembic's env.py
    audit_log,
    certificates,
    enrollments,
    lesson_completions,
    metadata,
    people,
    submission_notices,
)

MIGRATIONS = Path(__file__).with_name("migrations")

_migrated: set[str] = set()
_migrate_lock = threading.Lock()


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def current_revision(target: str | os.PathLike[str]) -> str | None:
    """The schema version the database is at (None: not created, or made before versioning)."""
    url = databases.as_url(target)
    if not databases.exists(url):
        return None
    with databases.engine(url).connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def migrate(target: str | os.PathLike[str]) -> None:
    """Bring the platform DB to the newest schema (creating it if needed); idempotent."""
    url = databases.as_url(target)
    path = databases.sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    databases.ensure_schema(url)
    if current_revision(url) == head_revision():
        return
    with databases.engine(url).begin() as conn:
        cfg = alembic_config(url)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def _ensure_migrated(url: str) -> None:
    with _migrate_lock:
        if url not in _migrated:
            migrate(url)
            _migrated.add(url)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class PlatformDB:
    def __init__(self, target: str | os.PathLike[str]):
        self.url = databases.as_url(target)
        self.conn: sa.Connection | None = None
        self._tx: sa.RootTransaction | None = None

    def __enter__(self) -> PlatformDB:
        _ensure_migrated(self.url)
        self.conn = databases.engine(self.url).connect()
        self._tx = self.conn.begin()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        assert self.conn is not None and self._tx is not None
        try:
            if exc_type is None:
                self._tx.commit()
            else:
                self._tx.rollback()
        finally:
            self.conn.close()
            self.conn, self._tx = None, None

    def _insert(self, table: sa.Table):
        dialect = postgresql if self.conn.dialect.name == "postgresql" else sqlite
        return dialect.insert(table)

    # --- roster -----------------------------------------------------------------
    def upsert_people(self, rows: Iterable[dict]) -> None:
        now = _now()
        columns = [c.name for c in people.columns]
        for p in rows:
            values = {"level": "", "phone": "", **{k: v for k, v in p.items() if k in columns}}
            values["updated_at"] = now
            stmt = self._insert(people).values(values)
            stmt = stmt.on_conflict_do_update(
                index_elements=[people.c.user_id],
                set_={c: stmt.excluded[c] for c in columns if c != "user_id"},
            )
            self.conn.execute(stmt)
            self.conn.execute(sa.delete(enrollments).where(enrollments.c.user_id == p["user_id"]))
            courses = [{"user_id": p["user_id"], "course_id": c} for c in p.get("courses", [])]
            if courses:
                self.conn.execute(sa.insert(enrollments), courses)

    def _select_people(self, *where) -> list[dict]:
        query = sa.select(people).where(*where).order_by(people.c.user_id)
        return [dict(row) for row in self.conn.execute(query).mappings()]

    def people(self, role: str | None = None) -> list[dict]:
        rows = self._select_people(people.c.role == role) if role else self._select_people()
        courses = self.enrollments()
        for row in rows:
            row["courses"] = sorted(courses.get(row["user_id"], []))
        return rows

    def person(self, user_id: str) -> dict | None:
        """One roster entry by id — a keyed lookup, as it runs on every spawn and completion."""
        found = self._select_people(people.c.user_id == user_id)
        if not found:
            return None
        query = (
            sa.select(enrollments.c.course_id)
            .where(enrollments.c.user_id == user_id)
            .order_by(enrollments.c.course_id)
        )
        return {**found[0], "courses": list(self.conn.execute(query).scalars())}

    def enrollments(self) -> dict[str, list[str]]:
        result: dict[str, list[str]] = {}
        for user_id, course_id in self.conn.execute(
            sa.select(enrollments.c.user_id, enrollments.c.course_id)
        ):
            result.setdefault(user_id, []).append(course_id)
        return result

    # --- audit trail ----------------------------------------------------------------
    def record_audit(
        self, actor: str, action: str, *, course_id: str = "", target: str = "", detail: dict | None = None
    ) -> None:
        """Append one entry; callers record inside the transaction that makes the change."""
        self.conn.execute(
            sa.insert(audit_log).values(
                at=_now(),
                actor=actor,
                action=action,
                course_id=course_id,
                target=target,
                detail=json.dumps(detail or {}, ensure_ascii=False, sort_keys=True),
            )
        )

    def audit_entries(
        self,
        *,
        course_ids: Iterable[str] | None = None,
        action: str | None = None,
        since: str | None = None,
        limit: int = 500,
    ) -> list[dict]:
        """Newest first. `course_ids`: only entries about those courses (a trainer's view)."""
        query = sa.select(audit_log)
        if course_ids is not None:
            query = query.where(audit_log.c.course_id.in_(list(course_ids)))
        if action:
            query = query.where(audit_log.c.action == action)
        if since:
            query = query.where(audit_log.c.at >= since)
        rows = [
            dict(r) for r in self.conn.execute(query.order_by(audit_log.c.id.desc()).limit(limit)).mappings()
        ]
        for row in rows:
            row["detail"] = json.loads(row["detail"])
        return rows

    # --- lessons ------------------------------------------------------------------
    def record_completion(
        self, user_id: str, course_id: str, lesson_id: str, when: dt.datetime | None = None
    ) -> str:
        """Record the first completion of a lesson; later clicks keep the first time."""
        stamp = (when or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
        key = {"user_id": user_id, "course_id": course_id, "lesson_id": lesson_id}
        self.conn.execute(
            self._insert(lesson_completions).values(**key, completed_at=stamp).on_conflict_do_nothing()
        )
        query = sa.select(lesson_completions.c.completed_at).where(
            *(lesson_completions.c[k] == v for k, v in key.items())
        )
        return self.conn.execute(query).scalar_one()

    def completions(self, user_id: str | None = None) -> list[tuple[str, str, str, str]]:
        t = lesson_completions
        query = sa.select(t.c.user_id, t.c.course_id, t.c.lesson_id, t.c.completed_at)
        if user_id:
            query = query.where(t.c.user_id == user_id)
        return [tuple(r) for r in self.conn.execute(query.order_by(t.c.completed_at))]

    # --- submissions (as reported by the cadre's server, before grading) --------------
    def record_submission_notice(
        self, user_id: str, course_id: str, assignment_id: str, when: dt.datetime | None = None
    ) -> str:
        stamp = (when or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
        insert = self._insert(submission_notices).values(
            user_id=user_id, course_id=course_id, assignment_id=assignment_id, submitted_at=stamp
        )
        self.conn.execute(
            insert.on_conflict_do_update(
                index_elements=["user_id", "course_id", "assignment_id"],
                set_={"submitted_at": insert.excluded.submitted_at},
            )
        )
        return stamp

    def submission_notices(self, user_id: str) -> list[tuple[str, str, str]]:
        """(course_id, assignment_id, submitted_at) the cadre's server reported."""
        t = submission_notices
        query = sa.select(t.c.course_id, t.c.assignment_id, t.c.submitted_at).where(t.c.user_id == user_id)
        return [tuple(r) for r in self.conn.execute(query)]

    # --- certificates ------------------------------------------------------------------
    def record_certificate(self, cert: dict) -> None:
        self.conn.execute(
            sa.insert(certificates).values(**{c.name: cert[c.name] for c in certificates.columns})
        )

    def _certificate_where(self, *where) -> dict | None:
        row = self.conn.execute(sa.select(certificates).where(*where)).mappings().first()
        return dict(row) if row else None

    def certificate(self, code: str) -> dict | None:
        return self._certificate_where(certificates.c.code == code)

    def certificate_of(self, user_id: str, course_id: str) -> dict | None:
        return self._certificate_where(
            certificates.c.user_id == user_id, certificates.c.course_id == course_id
        )
