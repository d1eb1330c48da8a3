"""The platform database (SQLite by default): roster, enrollments, lesson completions.

Held like nbgrader's Gradebook: `with PlatformDB(path) as db: ...` opens one connection
and commits on a clean exit, rolls back on an exception.

Tables
    people(user_id PK, name, city, city_code, union_name, role, level, phone, updated_at)
        role: cadre | trainer | manager; level: province | city (managers), '' otherwise
    enrollments(user_id, course_id)            cadres enrolled in / trainers teaching a course
    lesson_completions(user_id, course_id, lesson_id, completed_at)   one row per first completion
    certificates(code PK, user_id, name, course_id, course_title, score, issued_at)   结业证书
    submission_notices(user_id, course_id, assignment_id, submitted_at)   latest submission a
        cadre's server reported (shown as 已提交 before the gradebook has it)
    audit_log(id, at, actor, action, course_id, target, detail)   append-only: who changed what, when
        action: roster.import | permission.change | grade.manual (airclass/core/audit.py)
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS people (
    user_id     TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    city        TEXT NOT NULL,
    city_code   TEXT NOT NULL,
    union_name  TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('cadre', 'trainer', 'manager')),
    level       TEXT NOT NULL DEFAULT '',
    phone       TEXT NOT NULL DEFAULT '',
    updated_at  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS enrollments (
    user_id   TEXT NOT NULL REFERENCES people(user_id) ON DELETE CASCADE,
    course_id TEXT NOT NULL,
    PRIMARY KEY (user_id, course_id)
);
CREATE TABLE IF NOT EXISTS lesson_completions (
    user_id      TEXT NOT NULL,
    course_id    TEXT NOT NULL,
    lesson_id    TEXT NOT NULL,
    completed_at TEXT NOT NULL,
    PRIMARY KEY (user_id, course_id, lesson_id)
);
CREATE TABLE IF NOT EXISTS certificates (
    code         TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL,
    name         TEXT NOT NULL,
    course_id    TEXT NOT NULL,
    course_title TEXT NOT NULL,
    score        TEXT NOT NULL,
    issued_at    TEXT NOT NULL,
    UNIQUE (user_id, course_id)
);
CREATE TABLE IF NOT EXISTS submission_notices (
    user_id       TEXT NOT NULL,
    course_id     TEXT NOT NULL,
    assignment_id TEXT NOT NULL,
    submitted_at  TEXT NOT NULL,
    PRIMARY KEY (user_id, course_id, assignment_id)
);
CREATE TABLE IF NOT EXISTS audit_log (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    course_id TEXT NOT NULL DEFAULT '',
    target    TEXT NOT NULL DEFAULT '',
    detail    TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS audit_log_course ON audit_log (course_id, at);
"""


class PlatformDB:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.conn: sqlite3.Connection | None = None

    def __enter__(self) -> PlatformDB:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(self.path, timeout=30)
        self.conn.execute("PRAGMA foreign_keys = ON")
        self.conn.executescript(SCHEMA)
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        assert self.conn is not None
        if exc_type is None:
            self.conn.commit()
        else:
            self.conn.rollback()
        self.conn.close()
        self.conn = None

    # --- roster -----------------------------------------------------------------
    def upsert_people(self, people: Iterable[dict]) -> None:
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        for p in people:
            self.conn.execute(
                """INSERT INTO people (user_id, name, city, city_code, union_name, role, level,
                                       phone, updated_at)
                   VALUES (:user_id, :name, :city, :city_code, :union_name, :role, :level,
                           :phone, :now)
                   ON CONFLICT(user_id) DO UPDATE SET name=excluded.name, city=excluded.city,
                     city_code=excluded.city_code, union_name=excluded.union_name,
                     role=excluded.role, level=excluded.level, phone=excluded.phone,
                     updated_at=excluded.updated_at""",
                {"level": "", "phone": "", **p, "now": now},
            )
            self.conn.execute("DELETE FROM enrollments WHERE user_id = ?", (p["user_id"],))
            self.conn.executemany(
                "INSERT INTO enrollments (user_id, course_id) VALUES (?, ?)",
                [(p["user_id"], c) for c in p.get("courses", [])],
            )

    def _select_people(self, where: str = "", args: tuple = ()) -> list[dict]:
        cur = self.conn.execute(f"SELECT * FROM people {where} ORDER BY user_id", args)
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]

    def people(self, role: str | None = None) -> list[dict]:
        rows = self._select_people("WHERE role = ?", (role,)) if role else self._select_people()
        courses = self.enrollments()
        for row in rows:
            row["courses"] = sorted(courses.get(row["user_id"], []))
        return rows

    def person(self, user_id: str) -> dict | None:
        """One roster entry by id — a keyed lookup, as it runs on every spawn and completion."""
        found = self._select_people("WHERE user_id = ?", (user_id,))
        if not found:
            return None
        cur = self.conn.execute(
            "SELECT course_id FROM enrollments WHERE user_id = ? ORDER BY course_id", (user_id,)
        )
        return {**found[0], "courses": [r[0] for r in cur.fetchall()]}

    def enrollments(self) -> dict[str, list[str]]:
        result: dict[str, list[str]] = {}
        for user_id, course_id in self.conn.execute("SELECT user_id, course_id FROM enrollments"):
            result.setdefault(user_id, []).append(course_id)
        return result

    # --- audit trail ----------------------------------------------------------------
    def record_audit(
        self, actor: str, action: str, *, course_id: str = "", target: str = "", detail: dict | None = None
    ) -> None:
        """Append one entry; callers record inside the transaction that makes the change."""
        self.conn.execute(
            "INSERT INTO audit_log (at, actor, action, course_id, target, detail) VALUES (?, ?, ?, ?, ?, ?)",
            (
                dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                actor,
                action,
                course_id,
                target,
                json.dumps(detail or {}, ensure_ascii=False, sort_keys=True),
            ),
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
        where, args = [], []
        if course_ids is not None:
            ids = list(course_ids)
            where.append(f"course_id IN ({','.join('?' * len(ids))})" if ids else "0")
            args += ids
        if action:
            where.append("action = ?")
            args.append(action)
        if since:
            where.append("at >= ?")
            args.append(since)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        cur = self.conn.execute(
            f"SELECT id, at, actor, action, course_id, target, detail FROM audit_log {clause} "
            "ORDER BY id DESC LIMIT ?",
            (*args, limit),
        )
        cols = [d[0] for d in cur.description]
        rows = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
        for row in rows:
            row["detail"] = json.loads(row["detail"])
        return rows

    # --- lessons ------------------------------------------------------------------
    def record_completion(
        self, user_id: str, course_id: str, lesson_id: str, when: dt.datetime | None = None
    ) -> str:
        """Record the first completion of a lesson; later clicks keep the first time."""
        stamp = (when or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
        self.conn.execute(
            "INSERT OR IGNORE INTO lesson_completions VALUES (?, ?, ?, ?)",
            (user_id, course_id, lesson_id, stamp),
        )
        row = self.conn.execute(
            "SELECT completed_at FROM lesson_completions WHERE user_id=? AND course_id=? AND lesson_id=?",
            (user_id, course_id, lesson_id),
        ).fetchone()
        return row[0]

    def completions(self, user_id: str | None = None) -> list[tuple[str, str, str, str]]:
        query = "SELECT user_id, course_id, lesson_id, completed_at FROM lesson_completions"
        args: tuple = ()
        if user_id:
            query += " WHERE user_id = ?"
            args = (user_id,)
        return list(self.conn.execute(query + " ORDER BY completed_at", args))

    # --- submissions (as reported by the cadre's server, before grading) --------------
    def record_submission_notice(
        self, user_id: str, course_id: str, assignment_id: str, when: dt.datetime | None = None
    ) -> str:
        stamp = (when or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
        self.conn.execute(
            "INSERT OR REPLACE INTO submission_notices VALUES (?, ?, ?, ?)",
            (user_id, course_id, assignment_id, stamp),
        )
        return stamp

    def submission_notices(self, user_id: str) -> list[tuple[str, str, str]]:
        """(course_id, assignment_id, submitted_at) the cadre's server reported."""
        return list(
            self.conn.execute(
                "SELECT course_id, assignment_id, submitted_at FROM submission_notices WHERE user_id = ?",
                (user_id,),
            )
        )

    # --- certificates ------------------------------------------------------------------
    _CERT_COLUMNS = ("code", "user_id", "name", "course_id", "course_title", "score", "issued_at")

    def record_certificate(self, cert: dict) -> None:
        self.conn.execute(
            "INSERT INTO certificates VALUES "
            "(:code, :user_id, :name, :course_id, :course_title, :score, :issued_at)",
            cert,
        )

    def _certificate_where(self, where: str, args: tuple) -> dict | None:
        cols = ", ".join(self._CERT_COLUMNS)
        row = self.conn.execute(f"SELECT {cols} FROM certificates WHERE {where}", args).fetchone()
        return dict(zip(self._CERT_COLUMNS, row, strict=True)) if row else None

    def certificate(self, code: str) -> dict | None:
        return self._certificate_where("code = ?", (code,))

    def certificate_of(self, user_id: str, course_id: str) -> dict | None:
        return self._certificate_where("user_id = ? AND course_id = ?", (user_id, course_id))
