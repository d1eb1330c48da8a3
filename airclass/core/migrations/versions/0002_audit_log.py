"""The audit trail (airclass/core/audit.py): who changed grades, the roster and permissions.

Platform DBs written by the unversioned code of the audit work already hold the table:
kept as they are.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    if "audit_log" not in inspector.get_table_names():
        op.create_table(
            "audit_log",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("at", sa.Text, nullable=False),
            sa.Column("actor", sa.Text, nullable=False),
            sa.Column("action", sa.Text, nullable=False),
            sa.Column("course_id", sa.Text, nullable=False, server_default=""),
            sa.Column("target", sa.Text, nullable=False, server_default=""),
            sa.Column("detail", sa.Text, nullable=False, server_default="{}"),
        )
    if "audit_log_course" not in {i["name"] for i in sa.inspect(op.get_bind()).get_indexes("audit_log")}:
        op.create_index("audit_log_course", "audit_log", ["course_id", "at"])


def downgrade() -> None:
    op.drop_index("audit_log_course", table_name="audit_log")
    op.drop_table("audit_log")
