"""Opening the databases `airclass.core.dburls` names (SQLAlchemy engines), and what needs a
connection: creating a PostgreSQL schema, telling whether a database exists, noticing changes."""

from __future__ import annotations

import os
import threading
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from airclass.core.dburls import (  # noqa: F401 — the URL helpers, re-exported
    HUB_SCHEMA,
    PLATFORM_SCHEMA,
    as_url,
    base_url,
    gradebook_schema,
    in_schema,
    is_postgres,
    is_url,
    schema_of,
    sqlite_path,
)

_engines: dict[tuple[str, bool], Engine] = {}
_lock = threading.Lock()


class DatabaseError(RuntimeError):
    """A database the settings name cannot be reached or prepared; the message says which."""


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
