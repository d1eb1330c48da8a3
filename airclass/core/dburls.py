"""Database URLs derived from `[database] url` — plain strings, no database driver.

Settings load this module in every process (dashboard kernels included), so it imports
nothing heavy; `airclass.core.databases` opens what these URLs name.

With ``[database] url`` empty everything is a SQLite file under the data dir. With
``url = "postgresql://user:password@host:5432/airclass"`` the hub, the platform DB and
every course gradebook are schemas of that one database, chosen through libpq's
``options=-csearch_path=…`` so that JupyterHub, alembic and nbgrader's `Gradebook` —
which all create unqualified tables — work unchanged:

    hub          schema "hub"
    platform     schema "platform"
    gradebook    schema "gradebook_<course id with - as _>"

A schema per course (not a database per course) keeps one connection target, lets one
`pg_dump` back the whole platform up, and needs no CREATEDB right.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

HUB_SCHEMA = "hub"
PLATFORM_SCHEMA = "platform"


def is_url(target: str | os.PathLike[str]) -> bool:
    return isinstance(target, str) and "://" in target


def as_url(target: str | os.PathLike[str]) -> str:
    """A SQLAlchemy URL for `target`: URLs are kept, paths become SQLite files."""
    if is_url(target):
        return str(target)
    return f"sqlite:///{Path(target)}"


def backend(url: str) -> str:
    """'sqlite', 'postgresql', … (the dialect, without any +driver)."""
    return url.split("://", 1)[0].split("+", 1)[0]


def is_postgres(url: str) -> bool:
    return backend(url) == "postgresql"


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL (None for other databases or in-memory SQLite)."""
    if backend(url) != "sqlite":
        return None
    path = url.split("://", 1)[1][1:].split("?", 1)[0]
    return Path(path.removeprefix("file:")) if path else None


def gradebook_schema(course_id: str) -> str:
    return "gradebook_" + re.sub(r"[^a-z0-9_]", "_", course_id.lower())


def _with_query(url: str, update) -> str:
    parts = urlsplit(url)
    query = update(dict(parse_qsl(parts.query, keep_blank_values=True)))
    return urlunsplit(parts._replace(query=urlencode(query)))


def in_schema(url: str, schema: str) -> str:
    """`url` with every session's search_path set to `schema` (PostgreSQL)."""
    return _with_query(url, lambda q: {**q, "options": f"-csearch_path={schema}"})


def schema_of(url: str) -> str | None:
    """The schema a URL made by `in_schema` points into."""
    options = dict(parse_qsl(urlsplit(url).query)).get("options", "")
    found = re.search(r"search_path=([A-Za-z0-9_]+)", options)
    return found.group(1) if found else None


def base_url(url: str) -> str:
    """`url` without the schema selection (the database itself)."""
    return _with_query(url, lambda q: {k: v for k, v in q.items() if k != "options"})


def split_password(url: str) -> tuple[str, str]:
    """`url` without its password, and the password ('' if none)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url, ""
    netloc = parts.netloc.rsplit("@", 1)
    user = netloc[0].split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}@{netloc[1]}")), unquote(parts.password)


def pgpass_line(url: str) -> str:
    """The libpq password-file line for `url` (host:port:database:user:password)."""
    parts = urlsplit(url)

    def esc(text: str) -> str:
        return text.replace("\\", "\\\\").replace(":", "\\:")

    fields = [parts.hostname or "localhost", str(parts.port or 5432), parts.path.lstrip("/") or "*"]
    fields += [unquote(parts.username or ""), unquote(parts.password or "")]
    return ":".join(esc(f) for f in fields) + "\n"
