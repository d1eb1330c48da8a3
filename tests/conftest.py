"""Shared test setup.

Fixtures live next to the tests that use them: tests/integration/conftest.py starts a
real hub; course tests use grader.selfcheck directly. This file only makes the
checkout importable when the package is not installed in the running interpreter.
"""

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
