"""Helpers behind the `union-data` lessons: loading, cleaning, the tables the lessons
build, and the interactive widgets (each widget keeps its logic in pure functions so a
test can set a value, fire the callback and read what the cadre would see).

Rules used here (cite them next to any figure you show):
- 百人以上企业全部建会 — 2019 年山东省总工会、省人社厅《关于推动农民工入会工作的意见》;
  "以上"包括本数 — 《民法典》第一千二百五十九条, so 100 employees already counts.
- 职工人数超过 2000 人的开发区（工业园区）配备工会社会工作专业人才 — same opinion;
  "超过"不含本数.
- 工会法律援助: 市辖区 2 公里范围内、非市辖区半小时工作圈内全覆盖 — same opinion.
"""

from __future__ import annotations

import html
import io

import ipywidgets as widgets
import matplotlib
import pandas as pd
from matplotlib.figure import Figure

from airclass.core.cities import CITY_CODES  # the 16 cities and their division codes

URBAN = "市辖区"
CITY_ORDER = sorted(CITY_CODES, key=CITY_CODES.__getitem__)  # tables list cities in division-code order

RAW_TO_CLEAN = {
    "企业编号": "enterprise_id",
    "企业名称": "name",
    "所在市": "city",
    "区县": "district",
    "区县类型": "district_type",
    "行业": "industry",
    "职工人数": "employees",
    "农民工人数": "migrant_workers",
    "是否建会": "union_founded",
    "建会年份": "union_year",
    "会员人数": "members",
    "距最近法律援助站(公里)": "legal_aid_km",
    "到达法律援助站(分钟)": "legal_aid_minutes",
    "最近法律援助站": "nearest_station_id",
    "所在园区": "zone_id",
}
CLEAN_COLUMNS = [
    "enterprise_id",
    "name",
    "city",
    "city_code",
    "district",
    "district_type",
    "industry",
    "employees",
    "migrant_workers",
    "union_founded",
    "union_year",
    "members",
    "legal_aid_km",
    "legal_aid_minutes",
    "nearest_station_id",
    "zone_id",
]
YES_NO = {"是": True, "已建": True, "Y": True, "否": False, "未建": False, "N": False}

COVERAGE_LABELS = {"required": "应建会企业", "founded": "已建会", "missing": "未建会", "coverage": "建会率"}

# Chinese headers for tables shown to cadres; the data keep their short English names for code.
CHINESE_LABELS = {
    **{english: chinese for chinese, english in RAW_TO_CLEAN.items()},
    **COVERAGE_LABELS,
    "city_code": "区划代码",
    "year": "年份",
    "target": "目标（人）",
    "achieved": "完成（人）",
    "gap": "差额（人）",
    "rate": "完成率",
    "zone_id": "园区编号",
    "zone_name": "园区名称",
    "zone_type": "园区类型",
    "regional_federation": "区域性工会联合会",
    "social_workers": "工会社工（人）",
    "station_id": "援助站编号",
    "station_name": "援助站名称",
    "level": "级别",
    "opened_year": "设立年份",
    "hotline": "服务热线",
    "workers": "职工人数",
    "covered": "达标覆盖职工",
    "share": "覆盖率",
    "_merge": "合并结果",
}


def zh(table: pd.DataFrame | pd.Series) -> pd.DataFrame | pd.Series:
    """The same table with Chinese column (and index) names, for showing to cadres."""
    if isinstance(table, pd.Series):
        return table.rename(CHINESE_LABELS.get(str(table.name), table.name)).rename_axis(
            CHINESE_LABELS.get(str(table.index.name), table.index.name)
        )
    shown = table.rename(columns=lambda c: CHINESE_LABELS.get(str(c), c))
    return shown.rename_axis(index=CHINESE_LABELS.get(str(shown.index.name), shown.index.name))


def use_chinese_font() -> None:
    """Let matplotlib draw Chinese titles (Noto Sans CJK on the server, SimHei on Windows)."""
    matplotlib.rcParams["font.sans-serif"] = [
        "Noto Sans CJK SC",
        "WenQuanYi Micro Hei",
        "SimHei",
        "Microsoft YaHei",
        "DejaVu Sans",
    ]
    matplotlib.rcParams["axes.unicode_minus"] = False


# ---------------------------------------------------------------- loading and cleaning


def load_enterprises(path: str = "../data/enterprises.csv") -> pd.DataFrame:
    """The clean ledger with the right types (codes stay text, union_year may be empty)."""
    return pd.read_csv(
        path,
        dtype={"city_code": "str", "union_year": "Int64", "zone_id": "str"},
    )


def load_raw(path: str = "../data/enterprises_raw.csv") -> pd.DataFrame:
    """The messy export exactly as it is: GBK-encoded, every column read as text."""
    return pd.read_csv(path, encoding="gbk", dtype=str)


CLEANING_STEPS = {
    "city": "统一城市名（去空格、去“市”字）",
    "employees": "职工人数转成数字（去“人”字和千分位逗号）",
    "union": "统一“是否建会”的写法",
    "duplicates": "删除重复导出的行",
    "unchecked": "剔除职工人数为空的待核实企业",
}


def apply_steps(raw: pd.DataFrame, steps: set[str] | list[str]) -> pd.DataFrame:
    """Apply the chosen cleaning steps (in a fixed order) to the renamed raw export."""
    df = raw.rename(columns=RAW_TO_CLEAN)
    steps = set(steps)
    if "city" in steps:
        df["city"] = df["city"].str.strip().str.removesuffix("市")
    if "employees" in steps:
        text = df["employees"].str.replace("人", "", regex=False).str.replace(",", "", regex=False)
        df["employees"] = pd.to_numeric(text)
    if "union" in steps:
        df["union_founded"] = df["union_founded"].str.strip().map(YES_NO)
    if "duplicates" in steps:
        df = df.drop_duplicates()
    if "unchecked" in steps:
        df = df[df["employees"].notna()]
    return df


def clean_raw(raw: pd.DataFrame) -> pd.DataFrame:
    """All steps, then the same column order and types as data/enterprises.csv."""
    df = apply_steps(raw, CLEANING_STEPS)
    df = df.assign(city_code=df["city"].map(CITY_CODES))
    for col in ("employees", "migrant_workers", "members", "legal_aid_minutes"):
        df[col] = pd.to_numeric(df[col]).astype("int64")
    df["legal_aid_km"] = pd.to_numeric(df["legal_aid_km"]).astype("float64")
    df["union_year"] = pd.to_numeric(df["union_year"]).astype("Int64")
    df["union_founded"] = df["union_founded"].astype(bool)
    df = df[CLEAN_COLUMNS].sort_values("enterprise_id").reset_index(drop=True)
    return df


def quality_report(df: pd.DataFrame) -> dict:
    """What a careful cadre checks before counting anything."""
    employees_numeric = pd.api.types.is_numeric_dtype(df["employees"])
    union_values = sorted(str(v) for v in df["union_founded"].dropna().unique())
    report = {
        "rows": len(df),
        "city_spellings": int(df["city"].nunique()),
        "employees_numeric": employees_numeric,
        "union_values": union_values,
        "duplicate_rows": int(df.duplicated().sum()),
        "missing_employees": int(df["employees"].isna().sum()),
    }
    report["ready"] = (
        report["city_spellings"] == len(CITY_CODES)
        and employees_numeric
        and set(union_values) <= {"True", "False"}
        and report["duplicate_rows"] == 0
        and report["missing_employees"] == 0
    )
    return report


def report_html(report: dict) -> str:
    ok, bad = "✔", "✘"
    lines = [
        f"行数：{report['rows']}",
        f"{ok if report['city_spellings'] == 16 else bad} 城市写法：{report['city_spellings']} 种"
        "（山东共 16 个市）",
        f"{ok if report['employees_numeric'] else bad} 职工人数"
        f"{'已是数字，可以求和' if report['employees_numeric'] else '还是文字，无法求和'}",
        f"{ok if set(report['union_values']) <= {'True', 'False'} else bad} “是否建会”取值："
        + html.escape("、".join(report["union_values"])),
        f"{ok if report['duplicate_rows'] == 0 else bad} 重复行：{report['duplicate_rows']} 行",
        f"{ok if report['missing_employees'] == 0 else bad} 职工人数为空：{report['missing_employees']} 行",
    ]
    verdict = (
        "<b style='color:green'>数据已可用于统计。</b>"
        if report["ready"]
        else "<b style='color:#b26a00'>还有问题没处理，先别急着统计。</b>"
    )
    return "<br>".join(lines) + "<br>" + verdict


class CleaningWidget(widgets.VBox):
    """Tick cleaning steps one by one and watch the data-quality report change."""

    def __init__(self, raw: pd.DataFrame):
        self.raw = raw
        self.boxes = {
            key: widgets.Checkbox(
                value=False, description=label, indent=False, layout=widgets.Layout(width="auto")
            )
            for key, label in CLEANING_STEPS.items()
        }
        self.report = widgets.HTML()
        for box in self.boxes.values():
            box.observe(self.update, names="value")
        super().__init__([widgets.HTML("<b>数据体检：勾选清洗步骤</b>"), *self.boxes.values(), self.report])
        self.update()

    def update(self, _change=None) -> None:
        steps = {k for k, box in self.boxes.items() if box.value}
        self.result = apply_steps(self.raw, steps)
        self.report.value = report_html(quality_report(self.result))


# ---------------------------------------------------------------- coverage (lesson 2)


def city_sorted(table: pd.DataFrame) -> pd.DataFrame:
    """Rows in division-code order (济南 3701 first, 菏泽 3717 last)."""
    order = [c for c in CITY_ORDER if c in table.index]
    return table.loc[order]


def coverage_table(df: pd.DataFrame, threshold: int = 100, by: str | list[str] = "city"):
    """Enterprises with at least `threshold` employees: how many, how many have a union."""
    big = df[df["employees"] >= threshold]
    table = big.groupby(by).agg(required=("union_founded", "size"), founded=("union_founded", "sum"))
    table["founded"] = table["founded"].astype("int64")
    table["missing"] = table["required"] - table["founded"]
    table["coverage"] = table["founded"] / table["required"]
    if by == "city":
        table = city_sorted(table)
    return table


def table_html(
    table: pd.DataFrame, labels: dict[str, str] | None = None, percent: tuple[str, ...] = ("coverage",)
) -> str:
    shown = table.rename(columns=labels or COVERAGE_LABELS)
    formats = {(labels or COVERAGE_LABELS).get(c, c): "{:.1%}".format for c in percent}
    return shown.to_html(formatters=formats, border=0, classes="airclass-table")


class ThresholdExplorer(widgets.VBox):
    """Slider for the size threshold, dropdown for 全省 or one city (then by district)."""

    def __init__(self, df: pd.DataFrame):
        self.df = df
        self.threshold = widgets.IntSlider(
            value=100, min=20, max=500, step=10, description="职工人数≥", continuous_update=False
        )
        self.city = widgets.Dropdown(options=["全省", *CITY_ORDER], value="全省", description="范围")
        self.summary = widgets.HTML()
        self.table = widgets.HTML()
        self.threshold.observe(self.update, names="value")
        self.city.observe(self.update, names="value")
        super().__init__([widgets.HBox([self.threshold, self.city]), self.summary, self.table])
        self.update()

    def current(self) -> pd.DataFrame:
        if self.city.value == "全省":
            return coverage_table(self.df, self.threshold.value)
        one = self.df[self.df["city"] == self.city.value]
        return coverage_table(one, self.threshold.value, by="district")

    def update(self, _change=None) -> None:
        table = self.current()
        required = int(table["required"].sum())
        founded = int(table["founded"].sum())
        rate = founded / required if required else float("nan")
        self.summary.value = (
            f"<b>{html.escape(self.city.value)}</b>：职工 {self.threshold.value} 人及以上企业 "
            f"{required} 家，已建会 {founded} 家，未建会 {required - founded} 家，"
            f"建会率 {rate:.1%}。"
        )
        self.table.value = table_html(table)


def zone_workers(enterprises: pd.DataFrame, zones: pd.DataFrame) -> pd.DataFrame:
    """zones.csv plus the number of workers counted in each zone's enterprises."""
    workers = enterprises.groupby("zone_id")["employees"].sum().rename("workers")
    out = zones.merge(workers, left_on="zone_id", right_index=True, how="left")
    out["workers"] = out["workers"].fillna(0).astype("int64")
    return out


# ---------------------------------------------------------------- targets (lesson 3)


def target_table(targets: pd.DataFrame, year: int) -> pd.DataFrame:
    one = targets[targets["year"] == year].set_index("city")[["target", "achieved"]]
    one = one.assign(gap=one["target"] - one["achieved"], rate=one["achieved"] / one["target"])
    return city_sorted(one)


TARGET_LABELS = {"target": "目标（人）", "achieved": "完成（人）", "gap": "差额（人）", "rate": "完成率"}


class TargetExplorer(widgets.VBox):
    """Choose a year; see which cities fell short of their migrant-worker membership target."""

    def __init__(self, targets: pd.DataFrame):
        self.targets = targets
        years = sorted(int(y) for y in targets["year"].unique())
        self.year = widgets.Dropdown(options=years, value=years[-1], description="年度")
        self.only_behind = widgets.Checkbox(value=True, description="只看未完成的市", indent=False)
        self.summary = widgets.HTML()
        self.table = widgets.HTML()
        self.year.observe(self.update, names="value")
        self.only_behind.observe(self.update, names="value")
        super().__init__([widgets.HBox([self.year, self.only_behind]), self.summary, self.table])
        self.update()

    def update(self, _change=None) -> None:
        table = target_table(self.targets, self.year.value)
        behind = table[table["achieved"] < table["target"]]
        names = "、".join(behind.sort_values("rate").index) or "无"
        self.summary.value = (
            f"{self.year.value} 年：{len(behind)} 个市未完成目标（完成率由低到高）：{names}。"
            f"全省目标 {table['target'].sum():,} 人，完成 {table['achieved'].sum():,} 人。"
        )
        shown = behind.sort_values("rate") if self.only_behind.value else table
        self.table.value = table_html(shown, TARGET_LABELS, percent=("rate",))


# ---------------------------------------------------------------- legal aid (lesson 3)


def legal_aid_reachable(df: pd.DataFrame, km: float = 2.0, minutes: float = 30) -> pd.Series:
    """True where the enterprise meets the standard for its kind of district."""
    urban = df["district_type"] == URBAN
    return (urban & (df["legal_aid_km"] <= km)) | (~urban & (df["legal_aid_minutes"] <= minutes))


# ---------------------------------------------------------------- charts (lesson 4)


def figure_png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    return buffer.getvalue()


def coverage_figure(table: pd.DataFrame, title: str, zero_axis: bool = True) -> Figure:
    """Horizontal bars of coverage (%), lowest on top, with the 100% goal as a line."""
    use_chinese_font()
    data = table.sort_values("coverage", ascending=False)
    fig = Figure(figsize=(7, 0.35 * len(data) + 1.6))
    ax = fig.subplots()
    labels = [f"{name}（{n}家）" for name, n in zip(data.index, data["required"], strict=True)]
    bars = ax.barh(labels, data["coverage"] * 100, color="#c0392b")
    ax.bar_label(bars, fmt="%.0f%%", padding=2, fontsize=8)
    ax.axvline(100, color="grey", linestyle="--", linewidth=1)
    ax.set_xlim(0 if zero_axis else max(0, data["coverage"].min() * 100 - 5), 108)
    ax.set_title(title)
    ax.set_xlabel("建会率（%），虚线为“全部建会”目标")
    ax.set_ylabel("括号内为应建会企业数")
    fig.tight_layout()
    return fig


class CityDashboard(widgets.VBox):
    """A city manager's page: coverage by district, the chart, legal aid and target lines."""

    def __init__(self, enterprises: pd.DataFrame, targets: pd.DataFrame, year: int = 2024):
        self.enterprises = enterprises
        self.targets = targets
        self.year = year
        self.city = widgets.Dropdown(options=CITY_ORDER, value=CITY_ORDER[0], description="城市")
        self.zero_axis = widgets.Checkbox(value=True, description="横轴从 0 开始", indent=False)
        self.summary = widgets.HTML()
        self.table = widgets.HTML()
        self.chart = widgets.Image(format="png")
        self.figure: Figure | None = None
        self.city.observe(self.update, names="value")
        self.zero_axis.observe(self.update, names="value")
        super().__init__(
            [widgets.HBox([self.city, self.zero_axis]), self.summary, widgets.HBox([self.table, self.chart])]
        )
        self.update()

    def update(self, _change=None) -> None:
        city = self.city.value
        one = self.enterprises[self.enterprises["city"] == city]
        table = coverage_table(one, 100, by="district")
        required, founded = int(table["required"].sum()), int(table["founded"].sum())
        reach = legal_aid_reachable(one)
        aid_share = one.loc[reach, "employees"].sum() / one["employees"].sum()
        row = target_table(self.targets, self.year).loc[city]
        self.summary.value = (
            f"<b>{city}</b>：百人以上企业 {required} 家，已建会 {founded} 家，"
            f"建会率 {founded / required:.1%}；法律援助达标覆盖职工 {aid_share:.1%}；"
            f"{self.year} 年农民工入会目标 {int(row['target']):,} 人，完成 "
            f"{int(row['achieved']):,} 人（{row['rate']:.1%}）。"
        )
        self.table.value = table_html(table)
        self.figure = coverage_figure(
            table, f"{city}各区县百人以上企业建会率", zero_axis=self.zero_axis.value
        )
        self.chart.value = figure_png(self.figure)
