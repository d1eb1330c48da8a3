"""Figures built on the progress table (`airclass.progress.table`): rates, KPIs, the city
ranking, weekly completion, the score histogram and the at-risk list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from airclass.core import timefmt
from airclass.core.settings import COMPLETION_TARGET
from airclass.progress.table import CITY_NAMES

#: Days without any activity after which an unfinished cadre counts as idle.
IDLE_DAYS = 7

#: The at-risk rule, as stated on the dashboards; `at_risk` applies exactly this.
AT_RISK_RULE = (
    f"课程尚未全部完成且已连续 {IDLE_DAYS} 天没有任何学习活动（未提交作业、未完成课时），"
    "或有作业已过截止时间仍未提交的学员，列为“需关注”。"
)

#: How the rates are defined, as stated on the dashboards.
RATE_NOTE = (
    "完成率 = 已完成的课时和已提交的作业 ÷ 报名学员应完成的全部课时和作业；"
    "通过率 = 达到及格分的作业 ÷ 报名学员应完成的全部作业；"
    "平均得分率 = 已提交作业的得分 ÷ 满分的平均值。"
)


def _rate(num: pd.Series | float, den: pd.Series | float):
    if isinstance(den, pd.Series):
        return (num / den.where(den > 0)).astype(float)
    return float(num) / den if den else float("nan")


def _score_pct(df: pd.DataFrame) -> pd.Series:
    return df["score"] / df["max_score"].where(df["max_score"] > 0)


def rates_by(df: pd.DataFrame, by: str | list[str]) -> pd.DataFrame:
    """Completion and pass rates per group, enrolled cadres as denominators.

    Columns: enrolled (distinct cadres), items, done, completion_rate, assignments,
    passed, pass_rate, submitted, mean_score_pct (mean of score ÷ max over submissions).
    """
    by = [by] if isinstance(by, str) else list(by)
    work = df.assign(
        is_assignment=df["item_type"].eq("assignment"),
        passed_assignment=df["passed"] & df["item_type"].eq("assignment"),
        score_pct=_score_pct(df),
    )
    grouped = work.groupby(by, sort=True, observed=True)
    out = pd.DataFrame(
        {
            "enrolled": grouped["user_id"].nunique(),
            "items": grouped.size(),
            "done": grouped["done"].sum(),
            "assignments": grouped["is_assignment"].sum(),
            "submitted": grouped["submitted"].sum(),
            "passed": grouped["passed_assignment"].sum(),
            "mean_score_pct": grouped["score_pct"].mean(),
        }
    )
    out["completion_rate"] = _rate(out["done"], out["items"])
    out["pass_rate"] = _rate(out["passed"], out["assignments"])
    cols = [
        "enrolled",
        "items",
        "done",
        "completion_rate",
        "assignments",
        "submitted",
        "passed",
        "pass_rate",
        "mean_score_pct",
    ]
    return out.loc[:, cols].reset_index()


def course_status(df: pd.DataFrame) -> pd.DataFrame:
    """One row per cadre × course: items, done, all passed, last activity, overdue items."""
    grouped = df.groupby(["user_id", "course_id"], sort=True, observed=True)
    status = pd.DataFrame(
        {
            "items": grouped.size(),
            "done": grouped["done"].sum(),
            "all_passed": grouped["passed"].all(),
            "last_activity": grouped["activity_at"].max(),
        }
    )
    joined = overdue_items(df[df["overdue"]])
    status["overdue_items"] = joined.reindex(status.index).fillna("").astype("str")
    return status.reset_index()


def overdue_items(overdue: pd.DataFrame) -> pd.Series:
    """The overdue item ids of each (user_id, course_id) of `overdue`, joined with "、" in
    item-id order.

    Each group's items become a bit mask and each distinct mask is joined once: a province
    has a few hundred combinations but tens of thousands of cadres, and a Python join per
    cadre took over a second at 20k."""
    keys = ["user_id", "course_id"]
    ids = np.sort(overdue["item_id"].astype("str").unique()) if len(overdue) else np.array([], dtype=str)
    if len(ids) > 62:  # more items than bits in an int64: join per group
        ordered = overdue.sort_values("item_id", kind="stable")
        ordered = ordered.assign(item_id=ordered["item_id"].astype("str"))
        return ordered.groupby(keys, sort=False, observed=True)["item_id"].agg("、".join)
    bits = dict(zip(ids, (1 << i for i in range(len(ids))), strict=True))
    item_bits = overdue["item_id"].astype("str").map(bits).astype("int64")
    masks = item_bits.groupby([overdue[k] for k in keys], sort=False, observed=True).sum()
    names = {m: "、".join(ids[i] for i in range(len(ids)) if m >> i & 1) for m in masks.unique().tolist()}
    return masks.map(names)


def completed_cadres(df: pd.DataFrame) -> pd.Index:
    """Cadres who passed every item of every course they are enrolled in (within `df`)."""
    if df.empty:
        return pd.Index([], dtype="str")
    per_user = df.groupby("user_id")["passed"].all()
    return per_user.index[per_user]


def kpis(df: pd.DataFrame, now: dt.datetime) -> dict[str, float | int]:
    """KPI tiles: enrolled, active in the last 7 days, completed, pass rate, mean score."""
    now_ts = pd.Timestamp(now).tz_convert("UTC")
    since = now_ts - pd.Timedelta(days=IDLE_DAYS)
    recent = df["activity_at"].between(since, now_ts, inclusive="right")
    assignments = df[df["item_type"].eq("assignment")]
    submitted = assignments[assignments["submitted"]]
    return {
        "enrolled": int(df["user_id"].nunique()),
        "active_7d": int(df.loc[recent, "user_id"].nunique()),
        "completed": int(len(completed_cadres(df))),
        "completion_rate": _rate(df["done"].sum(), len(df)),
        "pass_rate": _rate(assignments["passed"].sum(), len(assignments)),
        "mean_score_pct": float(_score_pct(submitted).mean()) if len(submitted) else float("nan"),
    }


def city_ranking(
    df: pd.DataFrame,
    targets: Mapping[str, float] | float = COMPLETION_TARGET,
    cities: Sequence[str] = CITY_NAMES,
) -> pd.DataFrame:
    """All 16 cities ranked by completion rate (cities with no enrolled cadre last).

    Columns: rank, city, enrolled, completed (cadres who finished everything), completion_rate,
    pass_rate, mean_score_pct, target, meets_target.
    """
    rates = rates_by(df, "city").set_index("city") if not df.empty else pd.DataFrame()
    done_users = completed_cadres(df)
    completed = (
        df[df["user_id"].isin(done_users)].groupby("city")["user_id"].nunique()
        if len(done_users)
        else pd.Series(dtype="int64")
    )
    out = pd.DataFrame(index=pd.Index(list(cities), name="city"))
    for col in ("enrolled", "completion_rate", "pass_rate", "mean_score_pct"):
        out[col] = rates[col] if col in rates else float("nan")
    out["enrolled"] = out["enrolled"].fillna(0).astype(int)
    out["completed"] = completed.reindex(out.index).fillna(0).astype(int)
    if isinstance(targets, Mapping):
        out["target"] = [float(targets.get(c, COMPLETION_TARGET)) for c in out.index]
    else:
        out["target"] = float(targets)
    out["meets_target"] = out["completion_rate"].ge(out["target"]).fillna(False).astype(bool)
    out = out.reset_index()
    out["_order"] = range(len(out))
    out = out.sort_values(
        ["completion_rate", "_order"], ascending=[False, True], na_position="last", kind="stable"
    )
    has_data = out["enrolled"] > 0
    out["rank"] = pd.array([pd.NA] * len(out), dtype="Int64")
    out.loc[has_data, "rank"] = range(1, int(has_data.sum()) + 1)
    cols = [
        "rank",
        "city",
        "enrolled",
        "completed",
        "completion_rate",
        "pass_rate",
        "mean_score_pct",
        "target",
        "meets_target",
    ]
    return out.loc[:, cols].reset_index(drop=True)


def weekly_progress(df: pd.DataFrame, now: dt.datetime | None = None) -> pd.DataFrame:
    """Completion over time, by ISO week (weeks start on Monday, UTC+8 calendar).

    Columns: week (Monday date), done (items finished that week), passed (assignments
    passed that week), active (distinct cadres active), cumulative_done,
    cumulative_rate (cumulative_done ÷ all items of the enrolled cadres).

    With `now`, activity stamped later than now (a clock set to 2099) is left out of the
    weeks — one bad stamp must not stretch the chart over decades — and counted in
    ``result.attrs["future"]`` so the page can flag it.
    """
    total = len(df)
    at = df.loc[df["done"], ["activity_at", "user_id", "passed", "item_type"]].dropna(subset=["activity_at"])
    cols = ["week", "done", "passed", "active", "cumulative_done", "cumulative_rate"]
    future = 0
    if now is not None:
        in_future = at["activity_at"] > pd.Timestamp(now).tz_convert("UTC") + timefmt.FUTURE_SLACK
        future = int(in_future.sum())
        at = at[~in_future]
    if at.empty:
        empty = pd.DataFrame(columns=cols)
        empty.attrs["future"] = future
        return empty
    local = at["activity_at"].dt.tz_convert("Asia/Shanghai").dt.tz_localize(None)
    at = at.assign(week=local.dt.to_period("W-SUN").dt.start_time.dt.date)
    at["passed_assignment"] = at["passed"] & at["item_type"].eq("assignment")
    grouped = at.groupby("week")
    out = pd.DataFrame(
        {
            "done": grouped.size(),
            "passed": grouped["passed_assignment"].sum(),
            "active": grouped["user_id"].nunique(),
        }
    )
    weeks = pd.period_range(min(out.index), max(out.index), freq="W-SUN")
    out = out.reindex([p.start_time.date() for p in weeks], fill_value=0)
    out.index.name = "week"
    out["cumulative_done"] = out["done"].cumsum()
    out["cumulative_rate"] = out["cumulative_done"] / total if total else float("nan")
    result = out.reset_index().loc[:, cols]
    result.attrs["future"] = future
    return result


def score_distribution(df: pd.DataFrame, bins: int = 10) -> pd.DataFrame:
    """Histogram of score ÷ max (in %) over submitted assignments: bins of equal width."""
    pct = (_score_pct(df[df["submitted"]]) * 100).dropna().clip(0, 100)
    edges = [100 * i / bins for i in range(bins + 1)]
    labels = [f"{edges[i]:.0f}–{edges[i + 1]:.0f}" for i in range(bins)]
    counts = pd.cut(pct, edges, labels=labels, include_lowest=True, right=False)
    # 100% belongs in the last bin
    counts = counts.where(pct < 100, labels[-1])
    table = counts.value_counts(sort=False).reindex(labels, fill_value=0)
    return pd.DataFrame({"bin": labels, "count": table.to_numpy(dtype=int)})


def at_risk(df: pd.DataFrame, now: dt.datetime, idle_days: int = IDLE_DAYS) -> pd.DataFrame:
    """Apply `AT_RISK_RULE`: one row per cadre × course at risk, with contact fields.

    At risk when (not every item of the course is passed AND no activity in the course in
    the last `idle_days` days) OR (some assignment is past due and not submitted).
    Columns: user_id, name, city, union_name, phone, course_id, course_title, done, items,
    last_activity, overdue_items, reason.
    """
    cols = [
        "user_id",
        "name",
        "city",
        "union_name",
        "phone",
        "course_id",
        "course_title",
        "done",
        "items",
        "last_activity",
        "overdue_items",
        "reason",
    ]
    if df.empty:
        return pd.DataFrame(columns=cols)
    now_ts = pd.Timestamp(now).tz_convert("UTC")
    status = course_status(df)
    idle = ~status["all_passed"] & (
        status["last_activity"].isna() | (status["last_activity"] <= now_ts - pd.Timedelta(days=idle_days))
    )
    overdue = status["overdue_items"].ne("")
    status["reason"] = ""
    status.loc[idle, "reason"] = f"未完成且 {idle_days} 天未活动"
    status.loc[overdue & ~idle, "reason"] = "作业逾期未交"
    status.loc[overdue & idle, "reason"] = f"未完成且 {idle_days} 天未活动；作业逾期未交"
    flagged = status[idle | overdue]
    people = df.drop_duplicates(["user_id", "course_id"])[
        ["user_id", "course_id", "name", "city", "union_name", "phone", "course_title"]
    ]
    out = flagged.merge(people, on=["user_id", "course_id"], how="left")
    out = out.sort_values(["city", "union_name", "user_id", "course_id"], kind="stable")
    return out.loc[:, cols].reset_index(drop=True)
