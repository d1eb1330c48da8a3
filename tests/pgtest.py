"""Throw-away PostgreSQL databases for tests (the server scripts/test.sh starts).

`AIRCLASS_TEST_POSTGRES` is the URL of a role that may create databases; each test
session (or test) gets its own database, dropped afterwards.
"""

from __future__ import annotations

import os
import secrets

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from airclass.core import databases

ENV = "AIRCLASS_TEST_POSTGRES"


def admin_url() -> str:
    url = os.environ.get(ENV, "")
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"{ENV} is not set: CI must run the tests through scripts/test.sh")
        pytest.skip(f"PostgreSQL not set up ({ENV} unset): run the tests through scripts/test.sh")
    return url


def create_database(prefix: str = "airclass_t") -> str:
    """A new empty database; returns its URL."""
    admin = admin_url()
    name = f"{prefix}_{secrets.token_hex(4)}"
    eng = sa.create_engine(admin, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with eng.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    return make_url(admin).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    databases.dispose_engines()
    name = make_url(url).database
    eng = sa.create_engine(admin_url(), isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with eng.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
