"""Shared test setup.

Fixtures live next to the tests that use them: tests/integration/conftest.py starts a
real hub; course tests use grader.selfcheck directly. This file only makes the
checkout importable when the package is not installed in the running interpreter, and gives
`database_url`: each test using it runs on SQLite and on PostgreSQL.
"""

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


import pytest  # noqa: E402

from tests import pgtest  # noqa: E402


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """The `[database] url` of a fresh, empty platform: '' (SQLite files under the data dir)
    or a new PostgreSQL database, dropped afterwards."""
    if request.param == "sqlite":
        yield ""
        return
    url = pgtest.create_database()
    try:
        yield url
    finally:
        pgtest.drop_database(url)
