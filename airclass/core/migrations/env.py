"""alembic environment of the platform DB. `airclass.core.platform_db.migrate(url)` runs it
with an open connection (`airclass setup` and the first `PlatformDB` of a process do);
new revisions go in versions/, each naming the previous head as its down_revision.
"""

from alembic import context

from airclass.core.platform_db import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise SystemExit("run migrations through airclass.core.platform_db.migrate(url)")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
