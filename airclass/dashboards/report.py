"""Progress as people read it: Chinese-headed exports (XLSX, CSV) and the small HTML
pieces the Voila dashboards are made of (KPI tiles, bar charts, scrolling tables,
download links), sized for a 375-px-wide phone.

`export_progress` is what ``airclass report progress --out F [--city C] [--course ID]``
calls; it raises ValueError with a message naming the bad input and the fix.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from airclass.core import deployed, timefmt
from airclass.progress import table as progress

LOCAL_TZ = "Asia/Shanghai"

#: progress-table column → Chinese header, in export order.
PROGRESS_HEADERS: dict[str, str] = {
    "user_id": "学员编号",
    "name": "姓名",
    "city": "城市",
    "union_name": "工会",
    "phone": "手机",
    "course_id": "课程编号",
    "course_title": "课程",
    "item_type": "类型",
    "item_id": "项目编号",
    "item_title": "作业/课时",
    "due": "截止时间",
    "done": "是否完成",
    "activity_at": "提交/完成时间",
    "score": "得分",
    "max_score": "满分",
    "pass_mark": "及格分",
    "passed": "是否通过",
    "late": "是否逾期",
    "overdue": "逾期未交",
    "needs_grading": "待人工评分",
}

AT_RISK_HEADERS: dict[str, str] = {
    "user_id": "学员编号",
    "name": "姓名",
    "city": "城市",
    "union_name": "工会",
    "phone": "手机",
    "course_title": "课程",
    "done": "已完成",
    "items": "应完成",
    "last_activity": "最近活动",
    "overdue_items": "逾期未交作业",
    "reason": "原因",
}

RANKING_HEADERS: dict[str, str] = {
    "rank": "名次",
    "city": "城市",
    "enrolled": "报名人数",
    "completed": "结业人数",
    "completion_rate": "完成率",
    "pass_rate": "通过率",
    "mean_score_pct": "平均得分率",
    "target": "目标",
    "meets_target": "是否达标",
}

ITEM_TYPES = {"assignment": "作业", "lesson": "课时"}
EXTENSIONS = (".xlsx", ".csv")


# --- tables for people -------------------------------------------------------------------


def _local(values: pd.Series, fmt: str = "%Y-%m-%d %H:%M", now: dt.datetime | None = None) -> pd.Series:
    """Aware timestamps → Beijing-time text ('' when missing): Excel has no time zones.

    With `now`, a stamp later than now (a wrong clock) is flagged, as timefmt does."""
    stamps = pd.to_datetime(values, utc=True)
    text = stamps.dt.tz_convert(LOCAL_TZ).dt.strftime(fmt).fillna("")
    if now is not None:
        future = stamps > pd.Timestamp(now).tz_convert("UTC") + timefmt.FUTURE_SLACK
        text = text.where(~future.fillna(False), text + timefmt.FUTURE_SUFFIX)
    return text


def _yes_no(values: pd.Series) -> pd.Series:
    return values.map({True: "是", False: "否"}).fillna("")


def _pct(values: pd.Series) -> pd.Series:
    return values.map(lambda v: "" if pd.isna(v) else f"{v:.0%}")


def progress_frame(df: pd.DataFrame) -> pd.DataFrame:
    """The progress table with Chinese headers and human values (是/否, 北京时间)."""
    out = df.loc[:, list(PROGRESS_HEADERS)].copy()
    is_lesson = out["item_type"].eq("lesson")
    out["item_type"] = out["item_type"].map(ITEM_TYPES)
    out["due"] = _local(out["due"])
    out["activity_at"] = _local(out["activity_at"], now=dt.datetime.now(dt.UTC))
    for col in ("done", "passed", "late", "overdue", "needs_grading"):
        out[col] = _yes_no(out[col].astype(bool))
    for col in ("late", "overdue", "needs_grading"):
        out.loc[is_lesson, col] = ""
    return out.rename(columns=PROGRESS_HEADERS).reset_index(drop=True)


def at_risk_frame(risk: pd.DataFrame) -> pd.DataFrame:
    out = risk.loc[:, list(AT_RISK_HEADERS)].copy()
    out["last_activity"] = _local(out["last_activity"], "%Y-%m-%d").replace("", "从未")
    return out.rename(columns=AT_RISK_HEADERS).reset_index(drop=True)


def ranking_frame(ranking: pd.DataFrame) -> pd.DataFrame:
    out = ranking.loc[:, list(RANKING_HEADERS)].copy()
    out["rank"] = out["rank"].map(lambda r: "" if pd.isna(r) else str(int(r)))
    for col in ("completion_rate", "pass_rate", "mean_score_pct", "target"):
        out[col] = _pct(out[col])
    out["meets_target"] = [
        "" if n == 0 else ("是" if m else "否")
        for n, m in zip(out["enrolled"], out["meets_target"], strict=True)
    ]
    return out.rename(columns=RANKING_HEADERS).reset_index(drop=True)


#: A cell starting with one of these is run as a formula by Excel/WPS (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def defuse_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would read as a formula get a leading apostrophe, so
    a roster name like `=HYPERLINK(...)` is shown as text (numbers are left as they are)."""

    def defuse(value: object) -> object:
        return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value

    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(defuse)
    out.columns = [defuse(c) for c in out.columns]
    return out


def xlsx_bytes(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """A workbook with one sheet per frame (header row frozen, columns sized)."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame = defuse_formulas(frame)
            frame.to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            sheet.freeze_panes = "A2"
            for i, col in enumerate(frame.columns, start=1):
                width = max([len(str(col)) * 2] + [len(str(v)) for v in frame[col].head(200)])
                sheet.column_dimensions[sheet.cell(1, i).column_letter].width = min(max(width + 2, 8), 40)
    return buffer.getvalue()


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with a BOM, so Excel on Windows shows the Chinese correctly."""
    return defuse_formulas(frame).to_csv(index=False).encode("utf-8-sig")


# --- the CLI export ----------------------------------------------------------------------


def _city_name(value: str) -> str:
    raw = value.strip()
    codes = {code: name for name, code in progress.CITIES}
    name = codes.get(raw) or raw.removesuffix("市")
    if name not in progress.CITY_NAMES:
        raise ValueError(
            f"--city {value!r}: 不是山东省的 16 个地市之一 / not one of Shandong's 16 cities; "
            f"use one of: {'、'.join(progress.CITY_NAMES)} (or its code, e.g. 3701)"
        )
    return name


def export_progress(
    settings,
    out: Path,
    city: str | None = None,
    course: str | None = None,
    now: dt.datetime | None = None,
) -> int:
    """Write the progress table (optionally one city / one course) to `out` (.xlsx or
    .csv, by extension) with Chinese headers; return the number of data rows written."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in EXTENSIONS:
        raise ValueError(
            f"--out {out}: 不支持的文件类型 / unsupported file type {suffix or '(none)'!r}; "
            "use a name ending in .xlsx or .csv"
        )
    if not out.parent.is_dir():
        raise ValueError(f"--out {out}: 目录不存在 / folder {out.parent} does not exist; create it first")
    city_name = _city_name(city) if city else None
    courses = deployed.deployed_courses(settings)
    known = [c.id for c in courses]
    if course and course not in known:
        raise ValueError(
            f"--course {course!r}: 没有这门课程 / no such deployed course; "
            f"known: {', '.join(known) or 'none (deploy a course first)'}"
        )
    if course:
        courses = [c for c in courses if c.id == course]
    table = progress.load_progress(settings, now=now, courses=courses)
    table = progress.filter_progress(table, course=course, city=city_name)
    frame = progress_frame(table)
    if suffix == ".xlsx":
        out.write_bytes(xlsx_bytes({"学习进度": frame}))
    else:
        out.write_bytes(csv_bytes(frame))
    return len(frame)


# --- HTML pieces for the dashboards ------------------------------------------------------


def esc(value: object) -> str:
    return html.escape("" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value))


def fmt_pct(value: float) -> str:
    return "—" if value is None or pd.isna(value) else f"{value:.0%}"


def tiles_html(tiles: Sequence[tuple[str, str]]) -> str:
    """KPI tiles that wrap onto several rows on a narrow screen."""
    cells = "".join(
        f'<div class="ac-tile"><div class="v">{esc(v)}</div><div class="k">{esc(k)}</div></div>'
        for k, v in tiles
    )
    return f'<div class="ac-tiles">{cells}</div>'


def kpi_tiles_html(k: Mapping[str, float | int]) -> str:
    return tiles_html(
        [
            ("报名学员", f"{k['enrolled']:,}"),
            ("近 7 天活跃", f"{k['active_7d']:,}"),
            ("已结业", f"{k['completed']:,}"),
            ("完成率", fmt_pct(k["completion_rate"])),
            ("通过率", fmt_pct(k["pass_rate"])),
            ("平均得分率", fmt_pct(k["mean_score_pct"])),
        ]
    )


def bars_html(
    labels: Sequence[str],
    values: Sequence[float],
    texts: Sequence[str],
    scale: float = 1.0,
    targets: Sequence[float] | None = None,
) -> str:
    """Horizontal bars (value ÷ scale of the track), optional target marks."""
    rows = []
    for i, (label, value, text) in enumerate(zip(labels, values, texts, strict=True)):
        width = 0.0 if value is None or pd.isna(value) or not scale else min(value / scale, 1.0)
        target = targets[i] if targets is not None else None
        ok = target is not None and not pd.isna(value) and value >= target
        mark = (
            f'<span class="g" style="left:{min(target / scale, 1.0) * 100:.1f}%"></span>'
            if target is not None and scale
            else ""
        )
        rows.append(
            f'<div class="ac-bar"><span class="l">{esc(label)}</span>'
            f'<span class="t"><span class="f{" ok" if ok else ""}" '
            f'style="width:{width * 100:.1f}%"></span>{mark}</span>'
            f'<span class="n">{esc(text)}</span></div>'
        )
    return f'<div class="ac-bars">{"".join(rows)}</div>'


def ranking_html(ranking: pd.DataFrame) -> str:
    labels = [
        f"{'' if pd.isna(r) else f'{int(r)}. '}{c}"
        for r, c in zip(ranking["rank"], ranking["city"], strict=True)
    ]
    texts = [
        "无数据" if n == 0 else fmt_pct(v)
        for n, v in zip(ranking["enrolled"], ranking["completion_rate"], strict=True)
    ]
    return bars_html(labels, ranking["completion_rate"].tolist(), texts, 1.0, ranking["target"].tolist())


def weekly_html(weekly: pd.DataFrame) -> str:
    future = weekly.attrs.get("future", 0)
    flag = (
        f'<p class="note">另有 {future} 条记录的时间晚于当前时间（时间异常），未计入本图，请核查。</p>'
        if future
        else ""
    )
    if weekly.empty:
        return '<p class="note">所选范围内还没有学习记录。</p>' + flag
    labels = [f"{pd.Timestamp(w):%m-%d}周" for w in weekly["week"]]
    texts = [f"{r:.0%}（+{d}）" for r, d in zip(weekly["cumulative_rate"], weekly["done"], strict=True)]
    return bars_html(labels, weekly["cumulative_rate"].tolist(), texts, 1.0) + flag


def histogram_html(dist: pd.DataFrame) -> str:
    total = int(dist["count"].sum())
    if not total:
        return '<p class="note">所选范围内还没有已评分的作业。</p>'
    top = max(int(dist["count"].max()), 1)
    labels = [f"{b}%" for b in dist["bin"]]
    return bars_html(labels, dist["count"].tolist(), [str(n) for n in dist["count"]], top)


def table_html(frame: pd.DataFrame, max_rows: int = 200, empty: str = "（无）") -> str:
    """A table; on a phone (narrow screens) each row becomes a card, every value labelled
    with its column, instead of words breaking one character per line. Long tables are
    cut at `max_rows`."""
    if frame.empty:
        return f'<p class="note">{esc(empty)}</p>'
    shown = frame.head(max_rows)
    headers = [esc(c) for c in shown.columns]
    head = "".join(f"<th>{h}</th>" for h in headers)
    rows = "".join(
        "<tr>"
        + "".join(f'<td data-label="{h}">{esc(v)}</td>' for h, v in zip(headers, row, strict=True))
        + "</tr>"
        for row in shown.itertuples(index=False, name=None)
    )
    more = (
        f'<p class="note">共 {len(frame):,} 行，此处显示前 {max_rows} 行；完整内容请下载。</p>'
        if len(frame) > max_rows
        else ""
    )
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    return f'<div class="ac-scroll ac-cards">{table}</div>{more}'


def download_link(data: bytes, filename: str, label: str, mime: str) -> str:
    payload = base64.b64encode(data).decode("ascii")
    return f'<a class="dl" download="{esc(filename)}" href="data:{mime};base64,{payload}">{esc(label)}</a>'


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME = "text/csv;charset=utf-8"


def downloads_html(sheets: Mapping[str, pd.DataFrame], basename: str) -> str:
    """Excel (all sheets) and CSV (first sheet) download links of exactly these frames."""
    first_name, first = next(iter(sheets.items()))
    return download_link(xlsx_bytes(sheets), f"{basename}.xlsx", "下载 Excel", XLSX_MIME) + download_link(
        csv_bytes(first), f"{basename}-{first_name}.csv", "下载 CSV", CSV_MIME
    )
