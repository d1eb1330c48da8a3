"""What the manager dashboard (notebooks/manager.ipynb) shows for a progress table: the
body of a filtered view, its download sheets, and the unfiltered first screen that
`airclass.dashboards.first_screen` caches for each manager scope.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from airclass.core import timefmt
from airclass.dashboards import report
from airclass.dashboards.viewer import Viewer
from airclass.progress import analytics
from airclass.progress import table as progress

#: Above this many rows the first screen has no download links (built on request): the
#: links embed the files, and a phone should not load megabytes it may not need.
DOWNLOAD_ROWS = 3000


def target(settings) -> float:
    return settings["dashboard"]["completion_target"]


def city_targets(settings) -> dict[str, float]:
    """Completion target of each city: the province's, unless set for that city."""
    per_city = settings["dashboard"]["city_targets"]
    return {city: per_city.get(city, target(settings)) for city in progress.CITY_NAMES}


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
        stamp = now.astimezone(timefmt.BEIJING).strftime("%Y%m%d")
        links = report.downloads_html(export_sheets(table, risk, ranking), f"学习进度-{stamp}")
    else:
        links = '<p class="note">数据较多，请点击上方“生成下载文件”。</p>'
    # plain str only: a cached screen must unpickle without pandas (first_screen.py)
    unions = {"": sorted(str(u) for u in table["union_name"].unique())}
    for city, rows in table.groupby("city", observed=True):
        unions[str(city)] = sorted(str(u) for u in rows["union_name"].unique())
    return {"html": f'{body}<div class="ac">{links}</div>', "unions": unions}
