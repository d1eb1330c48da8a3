"""Where things are in the checkout, for tests at any depth."""

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
COURSES = REPO / "courses"
NOTEBOOKS = REPO / "notebooks"
FIXTURE_COURSES = REPO / "tests" / "fixtures" / "courses"
