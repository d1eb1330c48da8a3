"""The platform DB's tables (SQLAlchemy Core) and its read-only lookups.

Readers (the dashboards, the progress table) import this module only; writing and the
schema's migrations (alembic) are in `airclass.core.platform_db`, which readers never load.
"""

from __future__ import annotations

import os

import sqlalchemy as sa

from airclass.core import databases

metadata = sa.MetaData()

people = sa.Table(
    "people",
    metadata,
    sa.Column("user_id", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("city", sa.Text, nullable=False),
    sa.Column("city_code", sa.Text, nullable=False),
    sa.Column("union_name", sa.Text, nullable=False),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("level", sa.Text, nullable=False, server_default=""),
    sa.Column("phone", sa.Text, nullable=False, server_default=""),
    sa.Column("updated_at", sa.Text, nullable=False),
    sa.CheckConstraint("role IN ('cadre', 'trainer', 'manager')", name="people_role"),
)

enrollments = sa.Table(
    "enrollments",
    metadata,
    sa.Column("user_id", sa.Text, sa.ForeignKey("people.user_id", ondelete="CASCADE"), primary_key=True),
    sa.Column("course_id", sa.Text, primary_key=True),
)

lesson_completions = sa.Table(
    "lesson_completions",
    metadata,
    sa.Column("user_id", sa.Text, primary_key=True),
    sa.Column("course_id", sa.Text, primary_key=True),
    sa.Column("lesson_id", sa.Text, primary_key=True),
    sa.Column("completed_at", sa.Text, nullable=False),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.Text, nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("course_id", sa.Text, nullable=False, server_default=""),
    sa.Column("target", sa.Text, nullable=False, server_default=""),
    sa.Column("detail", sa.Text, nullable=False, server_default="{}"),
    sa.Index("audit_log_course", "course_id", "at"),
)

# 结业证书: one per cadre and course
certificates = sa.Table(
    "certificates",
    metadata,
    sa.Column("code", sa.Text, primary_key=True),
    sa.Column("user_id", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("course_id", sa.Text, nullable=False),
    sa.Column("course_title", sa.Text, nullable=False),
    sa.Column("score", sa.Text, nullable=False),
    sa.Column("issued_at", sa.Text, nullable=False),
    sa.UniqueConstraint("user_id", "course_id"),
)

# the latest submission a cadre's server reported (已提交 before the gradebook has it)
submission_notices = sa.Table(
    "submission_notices",
    metadata,
    sa.Column("user_id", sa.Text, primary_key=True),
    sa.Column("course_id", sa.Text, primary_key=True),
    sa.Column("assignment_id", sa.Text, primary_key=True),
    sa.Column("submitted_at", sa.Text, nullable=False),
)


def lookup_submission_notices(target: str | os.PathLike[str], user_id: str) -> dict[tuple[str, str], str]:
    """(course_id, assignment_id) → when the cadre's server reported a submission, read-only."""
    if not databases.exists(target):
        return {}
    t = submission_notices
    query = sa.select(t.c.course_id, t.c.assignment_id, t.c.submitted_at).where(t.c.user_id == user_id)
    with databases.engine(target, read_only=True).connect() as conn:
        if not sa.inspect(conn).has_table(t.name):
            return {}
        return {(c, a): when for c, a, when in conn.execute(query)}


def lookup_person(target: str | os.PathLike[str], user_id: str) -> dict | None:
    """`PlatformDB.person` on a read-only connection; None if absent or no DB yet."""
    if not user_id or not databases.exists(target):
        return None
    with databases.engine(target, read_only=True).connect() as conn:
        row = conn.execute(sa.select(people).where(people.c.user_id == user_id)).mappings().first()
        if row is None:
            return None
        courses = conn.execute(
            sa.select(enrollments.c.course_id)
            .where(enrollments.c.user_id == user_id)
            .order_by(enrollments.c.course_id)
        ).scalars()
        return {**row, "courses": list(courses)}
