"""A manager's first screen: read from the dashboards' cache on every render, computed
(pandas, the progress table) only when the cache has no current one.

The refresher (``python -m airclass.services.dashboard_refresher --refresh-every N``)
computes the first screen of every manager scope after a data change, so a render usually
finds it cached — and then loads nothing heavier than this module: no pandas, no database
driver on SQLite (tests/airclass/dashboards/test_kernel_imports.py keeps it so).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from airclass.core.catalog import Course
from airclass.core.deployed import deployed_courses, gradebook_urls
from airclass.dashboards.viewer import Viewer, scope_table
from airclass.progress.view_cache import ViewCache

#: How long a manager may be shown the previous first screen (with its "数据截至" time)
#: after a data change, while the refresher rebuilds it.
STALE_FOR = 300.0
#: A first screen is recomputed after this long even without a data change (the at-risk
#: rule depends on the clock).
SCREEN_MAX_AGE = 600.0


def scope(viewer: Viewer) -> tuple[str, str]:
    """(label, cache key) of a manager's scope."""
    if viewer.is_province_manager:
        return "全省", "province"
    return f"{viewer.city}市", f"city:{viewer.city}"


def manager_first_screen(
    settings,
    viewer: Viewer,
    now: dt.datetime,
    cache: ViewCache,
    courses: Sequence[Course] | None = None,
    max_age: float = SCREEN_MAX_AGE,
    stale_for: float | None = None,
    trust_signature_for: float | None = None,
) -> tuple[dict, dt.datetime]:
    """The first screen of `viewer`'s scope ({"html", "unions"}) and the time it was
    computed: from `cache` when current (or, within the cache's `stale_for`, the previous
    one), else computed now from a current progress table and cached under the current
    sources. Whether the sources changed is taken from the last check made less than
    `trust_signature_for` seconds ago (default: ``[dashboard] refresh_every``, how often
    the refresher looks anyway), so most renders never touch a database."""
    if trust_signature_for is None:
        trust_signature_for = float(settings["dashboard"]["refresh_every"])
    courses = list(courses) if courses is not None else deployed_courses(settings)
    books = gradebook_urls(settings, courses)
    _label, key = scope(viewer)

    def compute() -> dict:
        # Loaded on a miss only, so a render that finds its screen cached stays light.
        from airclass.dashboards import pages
        from airclass.progress.cache import ProgressCache

        tables = cache if isinstance(cache, ProgressCache) else ProgressCache(cache.folder)
        # never from a stale table: the result is cached as current for these sources
        full = tables.table(settings.platform_db_url, courses, books, now, stale_for=0)
        return pages.first_screen(settings, viewer, now, scope_table(full, viewer))

    return cache.derived(
        f"manager:{key}",
        settings.platform_db_url,
        courses,
        books,
        now,
        compute,
        max_age=max_age,
        stale_for=stale_for,
        trust_signature_for=trust_signature_for,
    )
