"""What the manager dashboard (notebooks/manager.ipynb) shows, computable outside a Voila
render: the refresher (``python -m airclass.services.dashboard_refresher --refresh-every N``) builds
the first screen of every manager scope after a data change, so a manager's first render
only reads it from the `ProgressCache`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd

from airclass.core.catalog import Course
from airclass.dashboards import report
from airclass.dashboards.viewer import Viewer, scope_table
from airclass.progress import analytics
from airclass.progress import table as progress
from airclass.progress.cache import ProgressCache

CST = dt.timezone(dt.timedelta(hours=8))

#: How long a manager may be shown the previous first screen (with its "数据截至" time)
#: after a data change, while the refresher rebuilds it.
STALE_FOR = 300.0
#: A first screen is recomputed after this long even without a data change (the at-risk
#: rule depends on the clock).
SCREEN_MAX_AGE = 600.0
#: Above this many rows the first screen has no download links (built on request): the
#: links embed the files, and a phone should not load megabytes it may not need.
DOWNLOAD_ROWS = 3000


def target(settings) -> float:
    return settings["dashboard"]["completion_target"]


def city_targets(settings) -> dict[str, float]:
    """Completion target of each city: the province's, unless set for that city."""
    per_city = settings["dashboard"]["city_targets"]
    return {city: per_city.get(city, target(settings)) for city in progress.CITY_NAMES}


def scope(viewer: Viewer) -> tuple[str, str]:
    """(label, cache key) of a manager's scope."""
    if viewer.is_province_manager:
        return "全省", "province"
    return f"{viewer.city}市", f"city:{viewer.city}"


def render(settings, viewer: Viewer, now: dt.datetime, view: pd.DataFrame, ranking_source: pd.DataFrame):
    """The dashboard body for one filtered view, as HTML; and its at-risk rows and ranking."""
    ranking = analytics.city_ranking(ranking_source, city_targets(settings))
    if not viewer.is_province_manager:
        ranking = ranking[ranking["city"] == viewer.city]
    risk = analytics.at_risk(view, now)
    parts = [
        '<div class="ac">',
        report.kpi_tiles_html(analytics.kpis(view, now)),
        f"<h3>各市完成率排名（目标 {target(settings):.0%}"
        + ("，部分市另定" if settings["dashboard"]["city_targets"] else "")
        + "）</h3>",
        report.ranking_html(ranking),
        '<p class="note">红线为目标；绿色表示已达标。'
        + ("" if viewer.is_province_manager else "全省排名仅对省级管理员显示。")
        + "</p>",
        "<h3>累计完成率（按周）</h3>",
        report.weekly_html(analytics.weekly_progress(view, now)),
        "<h3>作业得分率分布（人次）</h3>",
        report.histogram_html(analytics.score_distribution(view)),
        f"<h3>需关注学员（{len(risk):,} 人次）</h3>",
        f'<p class="note">规则：{analytics.AT_RISK_RULE}</p>',
        report.table_html(report.at_risk_frame(risk), 100, "暂无需关注的学员。"),
        f'<p class="note">{analytics.RATE_NOTE}</p>',
        "</div>",
    ]
    return "".join(parts), risk, ranking


def export_sheets(view: pd.DataFrame, risk: pd.DataFrame, ranking: pd.DataFrame) -> dict[str, pd.DataFrame]:
    return {
        "明细": report.progress_frame(view),
        "需关注": report.at_risk_frame(risk),
        "各市排名": report.ranking_frame(ranking),
    }


def first_screen(settings, viewer: Viewer, now: dt.datetime, table: pd.DataFrame) -> dict:
    """The unfiltered dashboard for the viewer's rows `table`, and the union lists for
    the filter."""
    body, risk, ranking = render(settings, viewer, now, table, table)
    if len(table) <= DOWNLOAD_ROWS:
        stamp = now.astimezone(CST).strftime("%Y%m%d")
        links = report.downloads_html(export_sheets(table, risk, ranking), f"学习进度-{stamp}")
    else:
        links = '<p class="note">数据较多，请点击上方“生成下载文件”。</p>'
    unions = {"": sorted(table["union_name"].unique())}
    for city, rows in table.groupby("city", observed=True):
        unions[city] = sorted(rows["union_name"].unique())
    return {"html": f'{body}<div class="ac">{links}</div>', "unions": unions}


def manager_first_screen(
    settings,
    viewer: Viewer,
    now: dt.datetime,
    cache: ProgressCache,
    courses: Sequence[Course] | None = None,
    max_age: float = SCREEN_MAX_AGE,
    stale_for: float | None = None,
) -> tuple[dict, dt.datetime]:
    """The first screen of `viewer`'s scope and the time it was computed: from `cache`
    when current (or, within the cache's `stale_for`, the previous one), else computed
    now from a current progress table and cached under the current sources."""
    courses = list(courses) if courses is not None else progress.deployed_courses(settings)
    books = progress.gradebook_urls(settings, courses)
    _label, key = scope(viewer)

    def compute() -> dict:
        # never from a stale table: the result is cached as current for these sources
        full = cache.table(settings.platform_db_url, courses, books, now, stale_for=0)
        return first_screen(settings, viewer, now, scope_table(full, viewer))

    return cache.derived(
        f"manager:{key}",
        settings.platform_db_url,
        courses,
        books,
        now,
        compute,
        max_age=max_age,
        stale_for=stale_for,
    )
