"""Strings that change whenever a database's contents may have changed — what the
dashboards' cache checks on every render, so the SQLite case costs a `stat` and no
database driver is imported for it.

SQLite: size and modification time of the file and its WAL. PostgreSQL: the cumulative
insert/update/delete counters of each schema's tables, kept by the server (flushed by each
writing session within about a second of its commit), read for all schemas of one server
in a single query.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from airclass.core import dburls


def _sqlite_marker(path) -> str:
    parts = []
    for p in (path, path.with_name(path.name + "-wal")):
        try:
            st = p.stat()
            parts.append(f"{p}:{st.st_size}:{st.st_mtime_ns}")
        except OSError:
            parts.append(f"{p}:-")
    return ";".join(parts)


def _postgres_markers(server_url: str, schemas: Sequence[str]) -> dict[str, str]:
    # The driver only where a server is asked: SQLite deployments never load it.
    import sqlalchemy as sa

    from airclass.core import databases

    try:
        with databases.engine(server_url).connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT schemaname, count(*), coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)"
                    " FROM pg_stat_user_tables WHERE schemaname = ANY(:s) GROUP BY schemaname"
                ),
                {"s": list(schemas)},
            ).all()
    except sa.exc.OperationalError:
        return {schema: f"{schema}:-" for schema in schemas}
    found = {name: f"{name}:{tables}:{changes}" for name, tables, changes in rows}
    return {schema: found.get(schema, f"{schema}:0:0") for schema in schemas}


def change_markers(targets: Sequence[str | os.PathLike[str]]) -> list[str]:
    """One marker per target (a SQLite path or URL, or a PostgreSQL URL with a schema)."""
    markers: list[str | None] = [None] * len(targets)
    by_server: dict[str, list[tuple[int, str]]] = {}
    for i, target in enumerate(targets):
        url = dburls.as_url(target)
        path = dburls.sqlite_path(url)
        if path is not None:
            markers[i] = _sqlite_marker(path)
        else:
            schema = dburls.schema_of(url) or "public"
            by_server.setdefault(dburls.base_url(url), []).append((i, schema))
    for server, wanted in by_server.items():
        found = _postgres_markers(server, [schema for _i, schema in wanted])
        for i, schema in wanted:
            markers[i] = found[schema]
    return [m or "-" for m in markers]
