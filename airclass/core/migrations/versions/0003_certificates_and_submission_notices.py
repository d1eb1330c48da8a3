"""结业证书 (certificates) and the submissions cadres' servers report (submission_notices).

Platform DBs written by the unversioned code of that work already hold the tables: kept.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "certificates" not in existing:
        op.create_table(
            "certificates",
            sa.Column("code", sa.Text, primary_key=True),
            sa.Column("user_id", sa.Text, nullable=False),
            sa.Column("name", sa.Text, nullable=False),
            sa.Column("course_id", sa.Text, nullable=False),
            sa.Column("course_title", sa.Text, nullable=False),
            sa.Column("score", sa.Text, nullable=False),
            sa.Column("issued_at", sa.Text, nullable=False),
            sa.UniqueConstraint("user_id", "course_id"),
        )
    if "submission_notices" not in existing:
        op.create_table(
            "submission_notices",
            sa.Column("user_id", sa.Text, primary_key=True),
            sa.Column("course_id", sa.Text, primary_key=True),
            sa.Column("assignment_id", sa.Text, primary_key=True),
            sa.Column("submitted_at", sa.Text, nullable=False),
        )


def downgrade() -> None:
    op.drop_table("submission_notices")
    op.drop_table("certificates")
