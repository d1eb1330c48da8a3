"""Where each database lives, derived from one setting (`[database] url`), and how to open it.

With `[database] url` empty everything is SQLite on local disk, as before:

    hub          <data_dir>/hub/jupyterhub.sqlite
    platform     <data_dir>/platform/platform.sqlite
    gradebook    <data_dir>/courses/<course>/gradebook.db       (nbgrader's own file)

With ``url = "postgresql://user:password@host:5432/airclass"`` every one of them is a
schema of that one database, chosen through libpq's ``options=-csearch_path=…`` so that
JupyterHub, alembic and nbgrader's `Gradebook` — which all create unqualified tables —
work unchanged:

    hub          schema "hub"
    platform     schema "platform"
    gradebook    schema "gradebook_<course id with - as _>"

A schema per course (not a database per course) keeps one connection target, lets one
`pg_dump` back the whole platform up, and needs no CREATEDB right.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

HUB_SCHEMA = "hub"
PLATFORM_SCHEMA = "platform"

_engines: dict[tuple[str, bool], Engine] = {}
_lock = threading.Lock()


class DatabaseError(RuntimeError):
    """A database the settings name cannot be reached or prepared; the message says which."""


def is_url(target: str | os.PathLike[str]) -> bool:
    return isinstance(target, str) and "://" in target


def as_url(target: str | os.PathLike[str]) -> str:
    """A SQLAlchemy URL for `target`: URLs are kept, paths become SQLite files."""
    if is_url(target):
        return str(target)
    return f"sqlite:///{Path(target)}"


def is_postgres(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL (None for other databases)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    return Path(parsed.database.removeprefix("file:"))


def gradebook_schema(course_id: str) -> str:
    return "gradebook_" + re.sub(r"[^a-z0-9_]", "_", course_id.lower())


def in_schema(base_url: str, schema: str) -> str:
    """`base_url` with every session's search_path set to `schema` (PostgreSQL)."""
    url = make_url(base_url)
    query = dict(url.query)
    query["options"] = f"-csearch_path={schema}"
    return url.set(query=query).render_as_string(hide_password=False)


def schema_of(url: str) -> str | None:
    """The schema a URL made by `in_schema` points into."""
    options = make_url(url).query.get("options", "")
    if isinstance(options, tuple):
        options = " ".join(options)
    found = re.search(r"search_path=([A-Za-z0-9_]+)", options)
    return found.group(1) if found else None


def base_url(url: str) -> str:
    """`url` without the schema selection (the database itself)."""
    parsed = make_url(url)
    query = {k: v for k, v in parsed.query.items() if k != "options"}
    return parsed.set(query=query).render_as_string(hide_password=False)


def engine(target: str | os.PathLike[str], read_only: bool = False) -> Engine:
    """One engine per database and mode per process (engines pool their connections).

    Read-only SQLite is opened with ``mode=ro``: dashboards never write and their account
    may lack the right to."""
    url = as_url(target)
    key = (url, read_only)
    with _lock:
        found = _engines.get(key)
        if found is None:
            found = _engines[key] = _create(url, read_only)
        return found


def _create(url: str, read_only: bool) -> Engine:
    path = sqlite_path(url)
    if path is not None:
        if read_only:
            url = f"sqlite:///file:{quote(str(path))}?mode=ro&uri=true"
        eng = sa.create_engine(url, connect_args={"timeout": 30}, poolclass=sa.pool.NullPool)
        sa.event.listen(eng, "connect", _sqlite_foreign_keys)
        return eng
    return sa.create_engine(url, pool_pre_ping=True, pool_size=2, max_overflow=4)


def _sqlite_foreign_keys(dbapi_conn, _record) -> None:
    # SQLite enforces REFERENCES … ON DELETE CASCADE only when asked, per connection.
    dbapi_conn.execute("PRAGMA foreign_keys = ON")


def dispose_engines() -> None:
    """Close every pooled connection (tests dropping a database, forked workers)."""
    with _lock:
        for eng in _engines.values():
            eng.dispose()
        _engines.clear()


def exists(target: str | os.PathLike[str]) -> bool:
    """Whether the database holds anything yet (a SQLite file, a PostgreSQL schema)."""
    url = as_url(target)
    path = sqlite_path(url)
    if path is not None:
        return path.is_file()
    schema = schema_of(url)
    if schema is None:
        return True
    with engine(base_url(url)).connect() as conn:
        found = conn.execute(
            sa.text("SELECT 1 FROM information_schema.schemata WHERE schema_name = :s"), {"s": schema}
        ).first()
    return found is not None


def ensure_schema(url: str) -> None:
    """Create the PostgreSQL schema `url` points into (nothing to do for SQLite)."""
    schema = schema_of(url)
    if schema is None or not is_postgres(url):
        return
    try:
        with engine(base_url(url)).begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    except sa.exc.OperationalError as exc:
        raise DatabaseError(f"[database] url: cannot reach PostgreSQL ({exc.orig})") from None


def change_marker(target: str | os.PathLike[str]) -> str:
    """A string that changes whenever the database's contents may have changed.

    SQLite: size and modification time of the file and its WAL. PostgreSQL: the
    cumulative insert/update/delete counters of the schema's tables, kept by the server
    (flushed by each writing session within about a second of its commit)."""
    url = as_url(target)
    path = sqlite_path(url)
    if path is not None:
        parts = []
        for p in (path, path.with_name(path.name + "-wal")):
            try:
                st = p.stat()
                parts.append(f"{p}:{st.st_size}:{st.st_mtime_ns}")
            except OSError:
                parts.append(f"{p}:-")
        return ";".join(parts)
    schema = schema_of(url) or "public"
    try:
        with engine(base_url(url)).connect() as conn:
            row = conn.execute(
                sa.text(
                    "SELECT count(*), coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)"
                    " FROM pg_stat_user_tables WHERE schemaname = :s"
                ),
                {"s": schema},
            ).one()
    except sa.exc.OperationalError:
        return f"{schema}:-"
    return f"{schema}:{row[0]}:{row[1]}"
