"""The courses deployed under the data root, and where their gradebooks are.

Read on every dashboard render and API call, so it reads ``course.toml`` files only (no
pandas, no database driver): the notebooks were checked when the course was deployed.
"""

from __future__ import annotations

from collections.abc import Iterable

from airclass.core.catalog import CatalogError, Course, load_course


def deployed_courses(settings) -> list[Course]:
    """The courses deployed under the data root, read from each course's ``course.toml``.

    The nbgrader course root is tried first; when it cannot be read — the dashboard account
    may only read the gradebook — the public ``course.toml``. Only the catalog is read:
    checking the notebooks again here would cost every render seconds (nbgrader's validator).
    """
    ids: set[str] = set()
    for parent in (settings.courses_dir, settings.public_dir):
        try:
            ids.update(p.name for p in parent.iterdir() if (p / "course.toml").is_file())
        except OSError:
            continue
    courses, problems = [], []
    for course_id in sorted(ids):
        first = ""
        for folder in (settings.course_root(course_id), settings.public_dir / course_id):
            try:
                course = load_course(folder, check_notebooks=False)
            except (CatalogError, OSError) as exc:
                first = first or str(exc)
                continue
            if course.id != course_id:
                where = folder / "course.toml"
                first = first or f"{where}: id '{course.id}' differs from its folder '{course_id}'"
                continue
            courses.append(course)
            break
        else:
            problems.append(first)
    if problems and not courses:
        raise CatalogError("\n".join(problems))
    return courses


def gradebook_urls(settings, courses: Iterable[Course]) -> dict[str, str]:
    """Each course's gradebook (SQLite file or PostgreSQL schema), from the settings."""
    return {c.id: settings.gradebook_url(c.id) for c in courses}
