"""Roster, enrollments and lesson completions (the schema before versioning).

Platform DBs made before migrations existed already hold these tables: they are kept
as they are and only stamped with this revision.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "people" not in existing:
        op.create_table(
            "people",
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
    if "enrollments" not in existing:
        op.create_table(
            "enrollments",
            sa.Column(
                "user_id", sa.Text, sa.ForeignKey("people.user_id", ondelete="CASCADE"), primary_key=True
            ),
            sa.Column("course_id", sa.Text, primary_key=True),
        )
    if "lesson_completions" not in existing:
        op.create_table(
            "lesson_completions",
            sa.Column("user_id", sa.Text, primary_key=True),
            sa.Column("course_id", sa.Text, primary_key=True),
            sa.Column("lesson_id", sa.Text, primary_key=True),
            sa.Column("completed_at", sa.Text, nullable=False),
        )


def downgrade() -> None:
    op.drop_table("lesson_completions")
    op.drop_table("enrollments")
    op.drop_table("people")
