# ruff: noqa: E501  (long lines are Chinese prose in markdown cells; wrapping would add spaces)
"""Writes the lesson and assignment notebooks of the `union-data` course (no outputs).

Run after changing the text or the data:
    python courses/union-data/data/generate.py
    python courses/union-data/build_notebooks.py
Figures quoted in the markdown are computed here from the generated data, so text and
data cannot drift apart.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pandas as pd
from nbformat.v4 import new_code_cell, new_markdown_cell

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE / "lessons"), str(HERE.parent.parent)]  # uniondata; this checkout's grader
import uniondata as ud  # noqa: E402

from tests.nbcells import nbgrader_cell as nbg  # noqa: E402
from tests.nbcells import python_notebook, write_notebook  # noqa: E402

COURSE = "union-data"

OPINION = "《关于推动农民工入会工作的意见》（山东省总工会、省人社厅，2019）"


def md(text: str):
    return new_markdown_cell(textwrap.dedent(text).strip())


def code(text: str):
    return new_code_cell(textwrap.dedent(text).strip())


def setup(extra: str):
    """The common first code cell of a lesson plus that lesson's own loading lines."""
    return code((textwrap.dedent(SETUP).strip() + "\n" + textwrap.dedent(extra).strip()).strip())


def notebook(cells):
    return python_notebook(cells, language_info=True)


# ---------------------------------------------------------------- figures for the text

ENT = ud.load_enterprises(HERE / "data" / "enterprises.csv")
RAW = ud.load_raw(HERE / "data" / "enterprises_raw.csv")
TARGETS = pd.read_csv(HERE / "data" / "targets.csv", dtype={"city_code": str})
ZONES = pd.read_csv(HERE / "data" / "zones.csv", dtype={"city_code": str})
COV = ud.coverage_table(ENT)
BIG_N = int(COV["required"].sum())
BIG_FOUNDED = int(COV["founded"].sum())
LOWEST = COV.sort_values(["coverage", "required"], ascending=[True, False]).head(2)
LOW1, LOW2 = LOWEST.index[0], LOWEST.index[1]
RAW_ROWS = len(RAW)
DUPES = int(RAW.duplicated().sum())
UNCHECKED = int(RAW["职工人数"].isna().sum())
ZW = ud.zone_workers(ENT, ZONES)
BIG_ZONES = ZW[ZW["workers"] > 2000]
NEED_ZONES = BIG_ZONES[BIG_ZONES["social_workers"] == 0].sort_values("workers", ascending=False)
URBAN = ENT[ENT["district_type"] == ud.URBAN]
URBAN_SHARE = URBAN.loc[URBAN["legal_aid_km"] <= 2, "employees"].sum() / URBAN["employees"].sum()
REACH = ud.legal_aid_reachable(ENT)
AID = (
    ENT.assign(ok=ENT["employees"].where(REACH, 0))
    .groupby("city")
    .agg(workers=("employees", "sum"), covered=("ok", "sum"))
)
AID["share"] = AID["covered"] / AID["workers"]
AID = ud.city_sorted(AID)
AID_LOW = AID.sort_values("share").head(3)
T2024 = ud.target_table(TARGETS, 2024)
BEHIND_2024 = T2024[T2024["achieved"] < T2024["target"]].sort_values("rate")
T2020 = ud.target_table(TARGETS, 2020)
NEAR_MISS = T2020[(T2020["achieved"] < T2020["target"]) & (T2020["rate"] > 0.995)]


def pct(x: float) -> str:
    return f"{x * 100:.1f}%"


# ---------------------------------------------------------------- lessons

SETUP = """
import pandas as pd
import uniondata as ud
from IPython.display import Image, display

ud.use_chinese_font()
pd.set_option("display.max_columns", 20)
pd.set_option("display.width", 160)
"""


def lesson_cleaning():
    return notebook(
        [
            md(f"""
        # 第一课　读入与清洗：把各地报来的台账理干净

        **场景**：每个季度，省总工会组织部要把 16 个市报来的“农民工入会重点企业台账”合成一张表。
        {OPINION}要求“发挥山东‘智慧工会’数据库在工会组建和会员发展中的支撑作用”，
        并依托这个数据库对各市农民工入会工作进行评价、作为推优条件。数据不干净，评价就不公平：
        一家企业被报两次，它所在的市就多算一家；“济南市”和“济南”写法不同，一个市就被拆成两个。

        这次收到的文件是 `../data/enterprises_raw.csv`，共 {RAW_ROWS} 行，是从系统里导出、
        又在 Excel 里改过的。本课你将学会：

        1. 用正确的编码把中文 CSV 读进来；
        2. 找出并改正五类常见问题：城市写法、带单位的数字、五花八门的“是/否”、重复行、空值；
        3. 清洗后做合理性检查，再和“标准答案”文件逐格核对。

        > 本课程的所有企业、人数、距离和目标都是**合成的示例数据**（固定随机种子生成，
        > 生成脚本见 `../data/generate.py`），只有市、区县名称和行政区划代码是真实的。
        """),
            code(f"""
        from airclass.lessons import kit as lk
        lk.video("{COURSE}", "cleaning")
        """),
            setup(""),
            md("""
        ## 1. 读入：先弄清编码

        在中文 Windows 上用 Excel“另存为 CSV”，默认得到的是 **GBK** 编码的文件；pandas 默认按
        UTF-8 读，遇到 GBK 的汉字就会报 `UnicodeDecodeError`。下面先故意用默认方式读一次，看看报错长什么样。
        """),
            code("""
        try:
            pd.read_csv("../data/enterprises_raw.csv")
        except UnicodeDecodeError as exc:
            print("按 UTF-8 读失败：", str(exc)[:80], "……")
        """),
            md("""
        加上 `encoding="gbk"` 就能读了。再加 `dtype=str`：**先把所有列都当文字读进来**，看清楚了再转换。
        这样编号不会被当成数字丢掉开头的 0，“156人”这样的值也不会悄悄变成空值。
        """),
            code("""
        raw = pd.read_csv("../data/enterprises_raw.csv", encoding="gbk", dtype=str)
        print("行数、列数：", raw.shape)
        raw.head()
        """),
            md("""
        ## 2. 统一列名

        中文列名看得懂，但写代码时要反复切换输入法，括号还分全角半角，很容易敲错。
        我们用一张对照表把列名换成英文，本课程后面的课和作业都用这套列名：

        | 英文列名 | 含义 | 说明 |
        |---|---|---|
        | `enterprise_id` | 企业编号 | E + 市代码 + 序号，如 E37010001 |
        | `city` / `city_code` | 所在市 / 行政区划代码 | 济南 3701 …… 菏泽 3717（莱芜已于 2019 年并入济南） |
        | `district` / `district_type` | 区县 / 区县类型 | 类型只有“市辖区”和“县/县级市”两种 |
        | `industry` | 行业 | 制造业、建筑业、快递和外卖配送等 |
        | `employees` / `migrant_workers` | 职工人数 / 其中农民工人数 | |
        | `union_founded` / `union_year` | 是否建会 / 建会年份 | 未建会的年份为空 |
        | `members` | 工会会员人数 | |
        | `legal_aid_km` / `legal_aid_minutes` | 到最近工会法律援助站的距离（公里）/ 路上时间（分钟） | |
        | `nearest_station_id` | 最近的法律援助站编号 | 对应 `stations.csv` |
        | `zone_id` | 所在开发区或工业园区编号 | 不在园区的为空，对应 `zones.csv` |
        """),
            code("""
        df = raw.rename(columns=ud.RAW_TO_CLEAN)
        df.columns.tolist()
        """),
            md("""
        ## 3. 五类常见问题，一个一个改

        ### 问题一：同一个市有好几种写法
        """),
            code("""
        print("城市写法种数：", df["city"].nunique())
        df["city"].value_counts().head(8)
        """),
            md("""
        “济南市”“济南”“ 济南 ”（前后带空格）在电脑看来是三个不同的市。去掉首尾空格，再去掉结尾的“市”字：

        > pandas 3 小贴士：文字列默认是 `str` 类型，可以直接用 `.str.strip()`、`.str.removesuffix()`。
        > 改列时写 `df["列名"] = ...` 或 `df.loc[条件, "列名"] = ...`；像 `df[df["x"] > 0]["y"] = 1`
        > 这样的“链式赋值”在 pandas 3 里**不会改到原表**（写时复制，Copy-on-Write）。
        """),
            code("""
        df["city"] = df["city"].str.strip().str.removesuffix("市")
        print("现在的城市写法种数：", df["city"].nunique())
        """),
            md("### 问题二：数字里带着单位和千分位逗号"),
            code("""
        bad = df["employees"].notna() & ~df["employees"].str.isdigit()
        print("不是纯数字的职工人数：", bad.sum(), "行，例如：", df.loc[bad, "employees"].head(5).tolist())
        """),
            code("""
        text = df["employees"].str.replace("人", "", regex=False).str.replace(",", "", regex=False)
        df["employees"] = pd.to_numeric(text)
        df["employees"].describe()
        """),
            md("""
        `pd.to_numeric` 遇到改不了的值会直接报错，这是好事：它逼着我们看清每一种写法，
        而不是悄悄把看不懂的值变成空值（除非你明确写 `errors="coerce"`，那样做之后一定要数一数变成空值的有几行）。

        ### 问题三：“是否建会”五花八门
        """),
            code("""
        print(df["union_founded"].value_counts())
        df["union_founded"] = df["union_founded"].str.strip().map(ud.YES_NO)
        print(df["union_founded"].value_counts(dropna=False))
        """),
            md(f"""
        用 `map` 加一张对照表，比一个个 `replace` 更稳：对照表里没有的写法会变成空值，一眼就能查出来。

        ### 问题四：同一家企业被报了两次

        两个乡镇（街道）工会都把辖区交界处的同一家企业报了上来。这份台账里有 {DUPES} 行完全重复。
        """),
            code("""
        print("完全重复的行：", df.duplicated().sum())
        df[df.duplicated(keep=False)].sort_values("enterprise_id").head(4)
        """),
            code("""
        df = df.drop_duplicates()
        print("去重后行数：", len(df), "；企业编号是否唯一：", df["enterprise_id"].is_unique)
        """),
            md(f"""
        ### 问题五：职工人数为空的“待核实企业”

        有 {UNCHECKED} 家企业还没核实人数。它们不是“0 人”，而是“不知道”——不能算进分母，也不能直接删掉了事：
        把它们单独存成一张待核实清单，交给属地工会回访。
        """),
            code("""
        pending = df[df["employees"].isna()]
        df = df[df["employees"].notna()]
        print("放进待核实清单：", len(pending), "家；留下：", len(df), "家")
        pending[["enterprise_id", "name", "city"]]
        """),
            md("""
        ## 4. 统一类型，和标准文件逐格核对

        剩下的工作是把其余数字列转成整数、补上行政区划代码、按企业编号排序。`ud.clean_raw` 把上面五步和这些收尾
        一次做完。最后用 `pd.testing.assert_frame_equal` 和课程提供的 `enterprises.csv` 逐格比对——
        不报错，就说明两份数据一模一样。
        """),
            code("""
        clean = ud.clean_raw(raw)
        official = ud.load_enterprises("../data/enterprises.csv")
        pd.testing.assert_frame_equal(clean, official)
        print("清洗结果与 enterprises.csv 完全一致：", len(clean), "家企业")
        clean.dtypes
        """),
            md("""
        ## 5. 合理性检查：数对不对得上

        类型对了，不等于内容对了。统计之前再问三个问题：会员会不会比职工多？农民工会不会比职工多？
        没建会的企业有没有会员？每一项都应该是 0 行。
        """),
            code("""
        checks = {
            "会员人数 > 职工人数": (clean["members"] > clean["employees"]).sum(),
            "农民工人数 > 职工人数": (clean["migrant_workers"] > clean["employees"]).sum(),
            "未建会却有会员": (~clean["union_founded"] & (clean["members"] > 0)).sum(),
            "已建会却没有建会年份": (clean["union_founded"] & clean["union_year"].isna()).sum(),
        }
        pd.Series(checks, name="问题行数")
        """),
            md("""
        ## 6. 动手：数据体检器

        勾选清洗步骤，看体检报告怎样一项项变绿。试试只勾“删除重复导出的行”而不勾“统一城市名”：
        为什么重复行还是会被删掉？（提示：重复行是原样导出两次的，连空格都一样。）
        """),
            code("""
        cleaner = ud.CleaningWidget(raw)
        cleaner
        """),
            md("## 7. 随堂小测"),
            code("""
        q1 = lk.quick_check(
            "职工人数一列里还有“156人”“1,230”这样的值，此时直接求和会怎样？",
            ["得到正确的总人数", "报错，或者把文字首尾相接拼成一长串", "pandas 会自动忽略“人”字"],
            answer=1,
            explanation="文字列相加就是拼接文字。先去掉单位和逗号，再用 pd.to_numeric 转成数字。",
        )
        """),
            code("""
        q2 = lk.quick_check(
            "台账里“济南市”和“济南”两种写法都有，不处理就按市分组，会得到什么？",
            ["16 个市，结果正确", "济南被拆成两组，各自的建会率都不完整", "pandas 会自动合并相近的名字"],
            answer=1,
            explanation="分组只认一模一样的文字。先 strip 去空格、removesuffix 去“市”字，再分组。",
        )
        """),
            code("""
        q3 = lk.quick_check(
            "有 5 家企业职工人数为空，正确的处理是？",
            ["当作 0 人算进去", "直接删掉，以后不用管", "单独列为待核实清单交属地工会回访，统计时先不计入"],
            answer=2,
            explanation="空值表示“不知道”，不是 0。不计入分母，但要留下名单去核实，不能一删了之。",
        )
        """),
            md("""
        ## 小结

        - 中文 CSV 先试 `encoding="gbk"`；先用 `dtype=str` 全部当文字读，再有针对性地转换。
        - 五类问题：写法不一、数字带单位、是/否五花八门、重复行、空值。每改一步都数一数。
        - 清洗完做合理性检查，再统计。下一课就用这份干净的数据，按市算“百人以上企业建会率”。
        """),
            code(f'lk.finish_lesson("{COURSE}", "cleaning")'),
        ]
    )


def lesson_groupby():
    lowest_rows = COV.sort_values("coverage").head(3)
    lowest_text = "、".join(
        f"{c}（{pct(r.coverage)}，{int(r.required)} 家中 {int(r.missing)} 家未建会）"
        for c, r in lowest_rows.iterrows()
    )
    full = COV[COV["coverage"] == 1]
    full_text = "、".join(f"{c}（{int(r.required)} 家）" for c, r in full.iterrows())
    need_text = "、".join(f"{r.zone_name}（{r.workers} 人）" for r in NEED_ZONES.itertuples())
    return notebook(
        [
            md(f"""
        # 第二课　按市分组：百人以上企业建会率

        {OPINION}提出：大力推动在农民工较为集中的领域、行业、企业建立工会组织，
        **实现百人以上企业全部建会**。省总工会要知道每个市离“全部建会”还差多少家，市总工会要知道差的是哪几家。

        本课用第一课清洗好的台账回答三个问题：

        1. 全省、各市的百人以上企业建会率是多少？
        2. 哪些市最落后，差的是哪些企业？
        3. 哪些园区职工超过 2000 人，却还没有配工会社会工作者？

        **口径先说清**：
        - “百人以上”包括 100 人本身。《民法典》第一千二百五十九条：民法所称的“以上”“以下”“以内”“届满”，
          包括本数。所以筛选条件是 `employees >= 100`，不是 `> 100`。
        - 建会的法律依据：《工会法》第三条规定以工资收入为主要生活来源的劳动者有依法参加和组织工会的权利；
          第十一条规定，会员二十五人以上的，应当建立基层工会委员会。一百人以上的企业，完全具备建会条件。
        """),
            code(f"""
        from airclass.lessons import kit as lk
        lk.video("{COURSE}", "groupby-city")
        """),
            setup('enterprises = ud.load_enterprises("../data/enterprises.csv")\nenterprises.head(3)'),
            md("## 1. 先筛选，再分组"),
            code("""
        big = enterprises[enterprises["employees"] >= 100]
        print("百人以上企业：", len(big), "家；已建会：", big["union_founded"].sum(), "家")
        print(f"全省建会率：{big['union_founded'].mean():.1%}")
        """),
            md("""
        `union_founded` 是 True/False，求和就是“已建会的家数”，求平均就是“建会率”。
        按市分组时，用 `agg` 一次算出几个指标，再按行政区划代码的顺序排列（济南 3701 在前，菏泽 3717 在后），
        这是各市上报材料里最常见的顺序。
        """),
            code("""
        by_city = big.groupby("city").agg(
            应建会=("union_founded", "size"),
            已建会=("union_founded", "sum"),
        )
        by_city["未建会"] = by_city["应建会"] - by_city["已建会"]
        by_city["建会率"] = by_city["已建会"] / by_city["应建会"]
        by_city = by_city.reindex(ud.CITY_ORDER)
        by_city.style.format({"建会率": "{:.1%}"})
        """),
            md(f"""
        **读数**：全省 {BIG_N} 家百人以上企业，已建会 {BIG_FOUNDED} 家。建会率最低的三个市是 {lowest_text}。

        **看分母**：{full_text} 建会率 100%，但分母都不大——分母只有十几家时，一家企业建不建会，
        建会率就差六七个百分点。汇报时把“应建会企业数”和建会率放在一起说。
        """),
            code("""
        by_city.sort_values(["建会率", "未建会"], ascending=[True, False]).head(5).style.format({"建会率": "{:.1%}"})
        """),
            md("""
        ## 2. 不只看建会率：会员和农民工

        建了会不等于职工都入了会。同一次分组，还可以算出职工入会率（会员 ÷ 职工）和农民工占比。
        """),
            code("""
        people = enterprises.groupby("city")[["employees", "migrant_workers", "members"]].sum()
        people["入会率"] = people["members"] / people["employees"]
        people["农民工占比"] = people["migrant_workers"] / people["employees"]
        people.reindex(ud.CITY_ORDER).style.format({"入会率": "{:.1%}", "农民工占比": "{:.1%}"})
        """),
            md("""
        ## 3. 同名区县的陷阱

        济南和枣庄都有“市中区”。只按 `district` 分组，两个市中区就被加在一起了。
        按区县统计时，一定要同时按“市 + 区县”分组。
        """),
            code("""
        wrong = enterprises.groupby("district")["employees"].size()
        right = enterprises.groupby(["city", "district"])["employees"].size()
        print("只按区县分组，市中区：", wrong["市中区"], "家")
        print(right.xs("市中区", level="district"))
        """),
            md("""
        ## 4. 数字背后是企业：未建会名单

        建会率是给领导看的，名单是给干活的人用的。下面列出建会率最低的那个市里，职工 100 人及以上、还没建会的企业，
        按人数从多到少排——人多的先去。
        """),
            code(f"""
        city = "{LOW1}"
        todo = big[(big["city"] == city) & ~big["union_founded"]]
        todo.sort_values("employees", ascending=False)[
            ["enterprise_id", "name", "district", "industry", "employees", "migrant_workers"]
        ]
        """),
            md(f"""
        ## 5. 园区：超过 2000 人要配工会社会工作者

        {OPINION}在“强化基层工作力量”一项中要求：为职工人数超过 2000 人的开发区（工业园区）、村（社区）工会、
        区域（行业）工会联合会等配备工会社会工作专业人才。

        “超过”不含本数：恰好 2000 人的园区不在此列，条件写 `> 2000`。园区职工数用台账里园区内企业的职工数相加。
        """),
            code("""
        zones = pd.read_csv("../data/zones.csv", dtype={"city_code": str})
        workers = enterprises.groupby("zone_id")["employees"].sum()
        zones["workers"] = zones["zone_id"].map(workers).fillna(0).astype(int)
        over = zones[zones["workers"] > 2000].sort_values("workers", ascending=False)
        over[["zone_id", "zone_name", "city", "workers", "social_workers"]]
        """),
            md(f"""
        超过 2000 人的园区共 {len(BIG_ZONES)} 个，其中 {len(NEED_ZONES)} 个一名工会社会工作者也没有：{need_text}。
        这就是下一步要配人的地方。
        """),
            md("""
        ## 6. 动手：门槛滑块

        把门槛从 100 拖到 50 或 300，看看全省和各市的建会率怎样变化；在“范围”里选一个市，会按区县列出。
        想一想：门槛降到 50 人时，建会率为什么明显下降？这对“二次覆盖”（用区域、行业工会联合会覆盖小微企业）意味着什么？
        """),
            code("""
        explorer = ud.ThresholdExplorer(enterprises)
        explorer
        """),
            md("## 7. 随堂小测"),
            code("""
        q1 = lk.quick_check(
            "一家企业恰好有 100 名职工，算不算“百人以上企业”？",
            ["不算，要多于 100 人", "算，“以上”包括本数", "看企业自己怎么报"],
            answer=1,
            explanation="《民法典》第一千二百五十九条：“以上”包括本数，所以条件写 employees >= 100。",
        )
        """),
            code("""
        q2 = lk.quick_check(
            "某园区台账职工合计恰好 2000 人，按 2019 年意见，是否属于“必须配工会社会工作专业人才”的园区？",
            ["属于", "不属于，意见说的是“超过 2000 人”", "无法判断"],
            answer=1,
            explanation="“超过”不含本数，条件写 workers > 2000。当然，人数接近的园区也值得提前准备。",
        )
        """),
            code("""
        q3 = lk.quick_check(
            "只按 district 分组统计各区县企业数，最可能出什么错？",
            ["没有问题", "济南和枣庄的“市中区”被合成一个区", "会漏掉县级市"],
            answer=1,
            explanation="不同市可能有同名区县，按区县统计要 groupby([\\"city\\", \\"district\\"])。",
        )
        """),
            md("""
        ## 小结

        - 先筛选（`employees >= 100`），再分组（`groupby("city").agg(...)`），再排序（按区划代码）。
        - 建会率旁边要写分母；名单和比率一样重要。
        - “以上”含本数，“超过”不含本数；同名区县要按“市 + 区县”分组。
        """),
            code(f'lk.finish_lesson("{COURSE}", "groupby-city")'),
        ]
    )


def lesson_merge():
    behind_text = "、".join(f"{c}（{pct(r.rate)}）" for c, r in BEHIND_2024.iterrows())
    near = NEAR_MISS.index[0] if len(NEAR_MISS) else None
    near_text = ""
    if near:
        r = NEAR_MISS.loc[near]
        near_text = (
            f"比如 2020 年{near}：目标 {int(r.target):,} 人，完成 {int(r.achieved):,} 人，"
            f"完成率四舍五入后显示为 {r.rate:.1%}，但实际上差 {int(r.gap)} 人，仍然是“未完成”。"
        )
    return notebook(
        [
            md(f"""
        # 第三课　合并目标：哪些市没完成农民工入会目标

        {OPINION}规定：自 2020 年起，各市根据实际情况，每年自行申报农民工会员发展目标，
        省总工会统筹研究确定后予以公布；省总工会依托山东“智慧工会”数据库，对各市农民工入会工作情况进行评价，
        并作为各项推优的条件。

        目标表 `targets.csv` 每行是“一个市、一年”：目标（`target`）和实际新发展农民工会员（`achieved`）。
        本课学会：

        1. 长表和宽表的转换（`pivot`）；
        2. 找出没完成目标的市，算完成率和差额；
        3. 用 `merge` 把目标表、建会率表、法律援助站表接到一起，并检查有没有接不上的行；
        4. 按“市辖区 2 公里、非市辖区半小时”的标准，算法律援助覆盖了多少职工。
        """),
            code(f"""
        from airclass.lessons import kit as lk
        lk.video("{COURSE}", "merge-targets")
        """),
            setup("""
        enterprises = ud.load_enterprises("../data/enterprises.csv")
        targets = pd.read_csv("../data/targets.csv", dtype={"city_code": str})
        targets.head()
        """),
            md("""
        ## 1. 长表与宽表

        长表（一行一个市一年）便于筛选和分组；宽表（一行一个市，一列一年）便于人看。`pivot` 把长表变宽：
        """),
            code("""
        rate = targets.assign(rate=targets["achieved"] / targets["target"])
        wide = rate.pivot(index="city", columns="year", values="rate").reindex(ud.CITY_ORDER)
        wide.style.format("{:.1%}").highlight_between(right=1, inclusive="left", color="#f8d7da")
        """),
            md(f"""
        ## 2. 哪些市没完成

        “没完成”的判断是 `achieved < target`，**用原始人数比较，不要用四舍五入后的百分数比较**。{near_text}
        """),
            code("""
        y2024 = targets[targets["year"] == 2024].assign(
            gap=lambda t: t["target"] - t["achieved"],
            rate=lambda t: t["achieved"] / t["target"],
        )
        behind = y2024[y2024["achieved"] < y2024["target"]].sort_values("rate")
        behind[["city", "target", "achieved", "gap", "rate"]].style.format({"rate": "{:.1%}"})
        """),
            md(f"""
        2024 年有 {len(BEHIND_2024)} 个市没完成，完成率由低到高是：{behind_text}。

        连续几年没完成，比某一年没完成更值得关注：
        """),
            code("""
        streak = (targets.assign(behind=targets["achieved"] < targets["target"])
                  .groupby("city")["behind"].sum().sort_values(ascending=False))
        streak.head(6).rename("2020—2024 年未完成的年数")
        """),
            md("""
        ## 3. 合并：把建会率和目标放进一张表

        `merge` 按共同的列（这里是 `city`）把两张表接起来。两个好习惯：

        - `validate="one_to_one"`：声明“两边每个市都只有一行”，万一哪边有重复，立刻报错而不是悄悄多出几行；
        - `indicator=True`：多出一列 `_merge`，标明每行是两边都有（both），还是只在左表/右表（left_only/right_only）。
        """),
            code("""
        coverage = ud.coverage_table(enterprises).reset_index()
        card = coverage.merge(y2024[["city", "target", "achieved", "rate"]], on="city",
                              how="outer", validate="one_to_one", indicator=True)
        print(card["_merge"].value_counts())
        card.head()
        """),
            md("""
        如果目标表里写的是“济南市”，而台账里是“济南”，会发生什么？我们故意改一行试试：
        """),
            code("""
        typo = y2024.copy()
        typo.loc[typo["city"] == "济南", "city"] = "济南市"
        check = coverage.merge(typo[["city", "target"]], on="city", how="outer", indicator=True)
        check[check["_merge"] != "both"][["city", "required", "target", "_merge"]]
        """),
            md(
                """
        两行都“落单”了：这就是第一课要统一城市写法的原因。合并后先看 `_merge`，再看结果。

        ## 4. 法律援助：市辖区 2 公里、非市辖区半小时

        {OPINION}要求在全省各县（市、区）建立健全实体化工会法律援助机构，实现全省工会法律援助工作
        **市辖区“2 公里”范围内、非市辖区“半小时”工作圈内全覆盖**，对农民工劳动报酬、社会保险方面的合法维权诉求
        提供“零门槛”援助。

        台账里每家企业都记了最近的法律援助站（`nearest_station_id`），用 `merge` 把站点名称接过来
        （多家企业对应一个站点，所以是 `many_to_one`）：
        """.replace("{OPINION}", OPINION)
            ),
            code("""
        stations = pd.read_csv("../data/stations.csv", dtype={"city_code": str})
        with_station = enterprises.merge(
            stations[["station_id", "name", "level"]].rename(columns={"name": "station_name"}),
            left_on="nearest_station_id", right_on="station_id", how="left", validate="many_to_one",
        )
        with_station[["name", "district_type", "legal_aid_km", "legal_aid_minutes", "station_name"]].head()
        """),
            md("""
        达标的判断要分两种区县：市辖区看距离（`legal_aid_km <= 2`），县和县级市看时间（`legal_aid_minutes <= 30`）。
        “范围内”“以内”都包括本数（《民法典》第一千二百五十九条），所以用 `<=`。

        覆盖率有两种算法：按企业家数算，或按职工人数算。法律援助是给人的，**按职工人数加权**更贴近“覆盖了多少人”。
        """),
            code("""
        ok = ud.legal_aid_reachable(enterprises)
        by_type = (enterprises.assign(covered=enterprises["employees"].where(ok, 0), firm_ok=ok)
                   .groupby("district_type")
                   .agg(企业数=("employees", "size"), 达标企业=("firm_ok", "sum"),
                        职工数=("employees", "sum"), 达标职工=("covered", "sum")))
        by_type["按企业算"] = by_type["达标企业"] / by_type["企业数"]
        by_type["按职工算"] = by_type["达标职工"] / by_type["职工数"]
        by_type.style.format({"按企业算": "{:.1%}", "按职工算": "{:.1%}"})
        """),
            md("""
        ## 5. 动手：年度目标查看器

        选一个年份，看哪些市没完成；取消“只看未完成的市”可以看全部 16 个市。
        """),
            code("""
        target_view = ud.TargetExplorer(targets)
        target_view
        """),
            md("## 6. 随堂小测"),
            code("""
        q1 = lk.quick_check(
            "某市目标 30,000 人，完成 29,995 人，报表显示完成率 100.0%。它完成目标了吗？",
            ["完成了，显示的是 100.0%", "没完成，achieved < target，差 5 人", "算基本完成"],
            answer=1,
            explanation="判断用原始人数比较 achieved < target，不用四舍五入后的百分数。",
        )
        """),
            code("""
        q2 = lk.quick_check(
            "merge 时加了 indicator=True，结果里出现了 left_only 和 right_only 各一行，最可能的原因是？",
            ["两张表里同一个市的写法不一致", "数据太多", "merge 的 how 参数写错了"],
            answer=0,
            explanation="同一个市在两表写法不同（如“济南”和“济南市”），就接不上，各自落单。",
        )
        """),
            code("""
        q3 = lk.quick_check(
            "某县一家企业离最近的工会法律援助站 12 公里，开车 25 分钟。按 2019 年意见的标准，它算不算在覆盖范围内？",
            ["不算，超过 2 公里", "算，非市辖区看“半小时工作圈”", "要看企业人数"],
            answer=1,
            explanation="2 公里标准只用于市辖区；县和县级市用“半小时”标准，25 分钟在半小时以内。",
        )
        """),
            md("""
        ## 小结

        - 长表筛选分组，宽表给人看；`pivot` 一步转换。
        - 判断未完成用原始人数；完成率用于排序和展示。
        - `merge` 加 `validate` 和 `indicator`，先查落单行，再用结果。
        - 法律援助按区县类型用两种标准，按职工人数加权算覆盖率。
        """),
            code(f'lk.finish_lesson("{COURSE}", "merge-targets")'),
        ]
    )


def lesson_chart():
    low = COV.sort_values("coverage").iloc[0]
    return notebook(
        [
            md("""
        # 第四课　读懂一张图：给领导看的建会率图

        领导看材料的时间往往只有几十秒。一张好图要让人一眼看出：**说的是什么、哪里最差、离目标多远、数字靠不靠得住**。
        本课先看一张“坏图”，再看一张“好图”，最后用城市看板练习读图、写汇报。

        好图的六个要素：

        1. **标题说清范围和时点**，最好直接写出结论；
        2. **单位**写在坐标轴上（%、家、人）；
        3. **数值轴从 0 开始**，否则差距会被放大；
        4. **排好序**，最差的放在最显眼的位置；
        5. **画出目标线**（比如“全部建会”就是 100%）；
        6. **注明分母**（每个市有多少家应建会企业）和数据来源。
        """),
            code(f"""
        from airclass.lessons import kit as lk
        lk.video("{COURSE}", "read-chart")
        """),
            setup("""
        import matplotlib.pyplot as plt

        enterprises = ud.load_enterprises("../data/enterprises.csv")
        targets = pd.read_csv("../data/targets.csv", dtype={"city_code": str})
        coverage = ud.coverage_table(enterprises)
        """),
            md("## 1. 一张“坏图”"),
            code("""
        fig, ax = plt.subplots(figsize=(8, 3))
        ax.bar(coverage.index, coverage["coverage"] * 100, color="#7f8c8d")
        ax.set_ylim(70, 101)
        plt.show()
        """),
            md(f"""
        这张图有什么问题？

        - 没有标题、没有单位：看不出画的是建会率还是入会率，是哪一年的；
        - 纵轴从 70 开始：{low.name} 的建会率 {pct(low.coverage)}，柱子高度只剩 {low.coverage * 100 - 70:.1f} 格，
          而 100% 的柱子有 30 格——看上去差了近 {30 / (low.coverage * 100 - 70):.0f} 倍，实际只差
          {100 - low.coverage * 100:.1f} 个百分点；
        - 按区划代码排列，找最差的市要从头看到尾；
        - 没有目标线，也看不出每个市的分母有多大。
        """),
            md("## 2. 一张“好图”"),
            code("""
        good = ud.coverage_figure(coverage, "山东各市百人以上企业建会率（示例数据）")
        display(Image(ud.figure_png(good)))
        """),
            md("""
        读这张图的顺序：

        1. 先看标题和坐标轴：画的是“百人以上企业建会率”，单位是 %，虚线是“全部建会”目标；
        2. 再看最上面的几根：最低的市在最上面，离虚线最远；
        3. 再看括号里的分母：分母小的市，一两家企业就能让建会率大起大落；
        4. 最后回到数据表核对关键数字——图是从表画出来的，**汇报里引用的数字一律以表为准**。
        """),
            code("""
        coverage.sort_values("coverage").head(5).style.format({"coverage": "{:.1%}"})
        """),
            md("""
        ## 3. 动手：城市看板

        选一个市：左边是这个市各区县的百人以上企业建会情况，右边是图，上面一行是这个市的三个关键数：
        建会率、法律援助达标覆盖的职工比例、2024 年农民工入会目标完成情况。

        试试取消“横轴从 0 开始”，看看同一组数字画出来的感觉差多少。
        """),
            code("""
        dashboard = ud.CityDashboard(enterprises, targets)
        dashboard
        """),
            md("""
        ## 4. 把图读成三句话

        给领导的汇报，可以按“结论—数字—建议”三句话来写。例如：

        > 全市百人以上企业建会率 73.1%，在全省排名靠后；26 家应建会企业中还有 7 家未建会，集中在××县和××区。
        > 建议由县总工会牵头、在一个季度内逐家上门，优先人数最多的三家；
        > 同时依托工业园区的区域性工会联合会，把园区内未建会小微企业一并纳入（“二次覆盖”）。

        注意：数字来自表，不是从图上“估”出来的；建议要落到具体的单位、时间和办法上。
        """),
            md("## 5. 随堂小测"),
            code("""
        q1 = lk.quick_check(
            "把条形图的数值轴从 70% 开始画，会产生什么效果？",
            ["更精确", "夸大各市之间的差距", "没有影响"],
            answer=1,
            explanation="柱子的长度不再和数值成比例，几个百分点的差距看上去像好几倍。比较大小的条形图，数值轴要从 0 开始。",
        )
        """),
            code("""
        q2 = lk.quick_check(
            "给领导看的建会率图，下面哪个标题最好？",
            ["图 1", "建会率", "各市百人以上企业建会率（示例数据，2024 年底）：两个市低于 75%"],
            answer=2,
            explanation="标题写清指标、范围、时点，最好带上结论，领导一眼就知道看什么。",
        )
        """),
            code("""
        q3 = lk.quick_check(
            "甲市 13 家应建会企业全部建会（100%），乙市 40 家中 39 家建会（97.5%）。哪种说法更准确？",
            ["甲市工作一定比乙市好", "两市都接近全部建会；甲市分母小，一家企业就会让建会率变化约 8 个百分点",
             "乙市落后，应重点督办"],
            answer=1,
            explanation="读比率先看分母。分母小的时候，比率波动大，不宜简单排名。",
        )
        """),
            md("""
        ## 小结

        - 好图六要素：标题、单位、从 0 开始、排序、目标线、分母。
        - 图帮助发现问题，数字以表为准。
        - 汇报三句话：结论、数字、建议（落到单位、时间和办法）。
        """),
            code(f'lk.finish_lesson("{COURSE}", "read-chart")'),
        ]
    )


# ---------------------------------------------------------------- assignment 1

A1_LOAD = """
import math
import pandas as pd

enterprises = pd.read_csv(
    "data/enterprises.csv", dtype={"city_code": "str", "union_year": "Int64", "zone_id": "str"}
)
targets = pd.read_csv("data/targets.csv", dtype={"city_code": "str"})
print(enterprises.shape, targets.shape)
enterprises.head(3)
"""

A1_COVERAGE_SOLUTION = '''
def coverage_by_city(df, threshold=100):
    """按市统计职工人数 >= threshold 的企业的建会情况。"""
    ### BEGIN SOLUTION
    big = df[df["employees"] >= threshold]
    table = big.groupby(["city_code", "city"]).agg(
        required=("union_founded", "size"), founded=("union_founded", "sum")
    )
    table = table.reset_index(level="city_code").sort_values("city_code")
    table = table[["required", "founded"]].astype("int64")
    table["missing"] = table["required"] - table["founded"]
    table["coverage"] = table["founded"] / table["required"]
    return table
    ### END SOLUTION
'''

A1_COVERAGE_TEST = """
# 公开测试：结构和一个手算的小例子
result = coverage_by_city(enterprises)
assert isinstance(result, pd.DataFrame)
assert list(result.columns) == ["required", "founded", "missing", "coverage"], list(result.columns)
assert result.index.name == "city"
assert len(result) == 16

tiny = pd.DataFrame({
    "city": ["甲市", "甲市", "甲市", "乙市", "乙市", "丙市"],
    "city_code": ["3799", "3799", "3799", "3798", "3798", "3797"],
    "employees": [100, 99, 250, 120, 130, 40],
    "union_founded": [True, True, False, False, False, True],
})
t = coverage_by_city(tiny)
assert list(t.index) == ["乙市", "甲市"]          # 按区划代码排序；丙市没有百人以上企业
assert t.loc["甲市", "required"] == 2            # 100 人算“百人以上”，99 人不算
assert math.isclose(t.loc["甲市", "coverage"], 0.5)
assert math.isclose(t.loc["乙市", "coverage"], 0.0)
### BEGIN HIDDEN TESTS
def _expected(df, threshold):
    counts = {}
    for row in df.itertuples():
        if row.employees >= threshold:
            c = counts.setdefault((row.city_code, row.city), [0, 0])
            c[0] += 1
            c[1] += bool(row.union_founded)
    return counts

_fresh = pd.read_csv("data/enterprises.csv",
                     dtype={"city_code": "str", "union_year": "Int64", "zone_id": "str"})
_copy = _fresh.copy()
for _thr in (100, 50, 300, 1000):
    _res = coverage_by_city(_fresh, _thr)
    _exp = _expected(_fresh, _thr)
    assert list(_res.index) == [city for _code, city in sorted(_exp)], _thr
    for (_code, _city), (_req, _fnd) in _exp.items():
        assert int(_res.loc[_city, "required"]) == _req, (_thr, _city)
        assert int(_res.loc[_city, "founded"]) == _fnd, (_thr, _city)
        assert int(_res.loc[_city, "missing"]) == _req - _fnd, (_thr, _city)
        assert math.isclose(float(_res.loc[_city, "coverage"]), _fnd / _req, rel_tol=1e-9)
pd.testing.assert_frame_equal(_fresh, _copy)       # 不能改动传入的数据
_t2 = coverage_by_city(tiny, threshold=99)
assert _t2.loc["甲市", "required"] == 3 and _t2.loc["甲市", "founded"] == 2
assert math.isclose(_t2.loc["甲市", "coverage"], 2 / 3, rel_tol=1e-9)
_all = pd.DataFrame({"city": ["丁市"] * 3, "city_code": ["3790"] * 3,
                     "employees": [100, 5000, 101], "union_founded": [True, True, True]})
_r = coverage_by_city(_all)
assert _r.loc["丁市", "missing"] == 0 and math.isclose(_r.loc["丁市", "coverage"], 1.0)
assert len(coverage_by_city(tiny, threshold=10000)) == 0
### END HIDDEN TESTS
"""

A1_MISSING_SOLUTION = '''
def missing_list(df, city, threshold=100):
    """某市职工人数 >= threshold 且尚未建会的企业名单，人数多的在前。"""
    ### BEGIN SOLUTION
    rows = df[(df["city"] == city) & (df["employees"] >= threshold) & ~df["union_founded"]]
    rows = rows.sort_values(["employees", "enterprise_id"], ascending=[False, True])
    columns = ["enterprise_id", "name", "district", "industry", "employees", "migrant_workers"]
    return rows[columns].reset_index(drop=True)
    ### END SOLUTION
'''

A1_MISSING_TEST = """
todo = missing_list(enterprises, "菏泽")
assert list(todo.columns) == ["enterprise_id", "name", "district", "industry", "employees",
                              "migrant_workers"]
assert list(todo.index) == list(range(len(todo)))
assert todo["employees"].is_monotonic_decreasing
assert (todo["employees"] >= 100).all()
### BEGIN HIDDEN TESTS
_fresh = pd.read_csv("data/enterprises.csv",
                     dtype={"city_code": "str", "union_year": "Int64", "zone_id": "str"})
for _city in sorted(set(_fresh["city"])):
    for _thr in (100, 200):
        _exp = sorted(
            ((r.employees, r.enterprise_id) for r in _fresh.itertuples()
             if r.city == _city and r.employees >= _thr and not r.union_founded),
            key=lambda p: (-p[0], p[1]),
        )
        _got = missing_list(_fresh, _city, _thr)
        assert list(_got["enterprise_id"]) == [e for _n, e in _exp], (_city, _thr)
        assert list(_got["employees"]) == [n for n, _e in _exp], (_city, _thr)
_tiny = pd.DataFrame({
    "enterprise_id": ["E2", "E1", "E3", "E4", "E5"],
    "name": ["乙厂", "甲厂", "丙厂", "丁厂", "戊厂"],
    "city": ["甲市"] * 4 + ["乙市"],
    "district": ["一区"] * 5, "industry": ["制造业"] * 5,
    "employees": [150, 150, 99, 300, 500],
    "migrant_workers": [100, 90, 50, 200, 400],
    "union_founded": [False, False, False, True, False],
})
_got = missing_list(_tiny, "甲市")
assert list(_got["enterprise_id"]) == ["E1", "E2"]   # 人数相同按编号
assert len(missing_list(_tiny, "丙市")) == 0
### END HIDDEN TESTS
"""

A1_BEHIND_SOLUTION = '''
def cities_behind(targets, year):
    """某年没完成农民工入会目标的市，完成率由低到高。"""
    ### BEGIN SOLUTION
    one = targets[targets["year"] == year]
    one = one[one["achieved"] < one["target"]]
    out = pd.DataFrame({
        "city": one["city"],
        "target": one["target"],
        "achieved": one["achieved"],
        "gap": one["target"] - one["achieved"],
        "rate": one["achieved"] / one["target"],
    })
    return out.sort_values(["rate", "city"]).reset_index(drop=True)
    ### END SOLUTION
'''

A1_BEHIND_TEST = """
b = cities_behind(targets, 2024)
assert list(b.columns) == ["city", "target", "achieved", "gap", "rate"]
assert (b["achieved"] < b["target"]).all()
assert b["rate"].is_monotonic_increasing
tiny_t = pd.DataFrame({
    "city": ["甲", "乙", "丙", "甲"],
    "year": [2024, 2024, 2024, 2023],
    "target": [1000, 1000, 500, 100],
    "achieved": [999, 1000, 400, 50],
})
tb = cities_behind(tiny_t, 2024)
assert list(tb["city"]) == ["丙", "甲"]   # 乙 恰好完成，不算落后
assert list(tb["gap"]) == [100, 1]
assert math.isclose(tb["rate"].iloc[1], 0.999)
### BEGIN HIDDEN TESTS
_t = pd.read_csv("data/targets.csv", dtype={"city_code": "str"})
for _year in range(2020, 2025):
    _exp = sorted(
        (r.achieved / r.target, r.city, r.target, r.achieved) for r in _t.itertuples()
        if r.year == _year and r.achieved < r.target
    )
    _got = cities_behind(_t, _year)
    assert list(_got["city"]) == [c for _r, c, _a, _b in _exp], _year
    assert list(_got.index) == list(range(len(_exp)))
    for _i, (_rate, _city, _target, _ach) in enumerate(_exp):
        assert int(_got["gap"].iloc[_i]) == _target - _ach
        assert math.isclose(float(_got["rate"].iloc[_i]), _rate, rel_tol=1e-9)
_none = cities_behind(_t, 2030)
assert len(_none) == 0 and list(_none.columns) == ["city", "target", "achieved", "gap", "rate"]
assert list(cities_behind(tiny_t, 2023)["city"]) == ["甲"]
### END HIDDEN TESTS
"""


def assignment_coverage():
    low_text = "；".join(
        f"{city} {pct(r.coverage)}，{int(r.required)} 家中 {int(r.missing)} 家未建会"
        for city, r in LOWEST.iterrows()
    )
    model = "\n".join(
        [
            f"- {LOW1}、{LOW2}两市百人以上企业建会率最低（{low_text}），"
            "离“百人以上企业全部建会”（2019 年意见）差距最明显；",
            f"- 2024 年 {len(BEHIND_2024)} 个市没完成农民工入会目标，"
            f"{BEHIND_2024.index[0]}完成率最低（{pct(BEHIND_2024.iloc[0].rate)}），差 "
            f"{int(BEHIND_2024.iloc[0].gap):,} 人；",
            "- 建议：两市按未建会名单由人数最多的企业起逐家上门，县总工会一季度内反馈进展；"
            "目标落后的市依托“齐鲁工惠”网上入会和流动服务窗口集中发展一批农民工会员。"
            "（本数据为抽样台账，分母较小的市要结合实际核实。）",
        ]
    )
    return notebook(
        [
            nbg(
                md(f"""
        # 作业一　百人以上企业建会率与目标完成情况

        你是省总工会组织部的数据专员。请用 `data/enterprises.csv`（企业台账）和 `data/targets.csv`
        （各市 2020—2024 年农民工入会目标与完成数）完成下面三个函数和一段文字说明。数据均为合成的示例数据，
        列名含义见第一课的字段表。

        依据：
        - {OPINION}：实现**百人以上企业全部建会**；各市每年申报农民工会员发展目标，省总工会确定后公布并评价。
        - “以上”包括本数（《民法典》第一千二百五十九条），所以 100 人的企业要算进去。

        要求：函数不要修改传入的 DataFrame；只在标有 `YOUR CODE HERE` 的地方写代码。
        写完后从上到下运行全部单元格（“重启内核并运行全部”），确认公开测试通过再提交。
        共 10 分：自动评分 8 分，书面说明 2 分。
        """),
                "a1-intro",
                locked=True,
            ),
            nbg(code(A1_LOAD), "a1-load", locked=True),
            nbg(
                md("""
        ## 第 1 题（3 分）按市统计百人以上企业建会率

        写函数 `coverage_by_city(df, threshold=100)`，返回一个 DataFrame：

        - 索引名为 `city`，每个“有职工人数 ≥ threshold 的企业”的市一行，按 `city_code` 从小到大排列；
        - 四列，依次为：`required`（职工人数 ≥ threshold 的企业数）、`founded`（其中已建会的家数）、
          `missing`（未建会家数 = required − founded）、`coverage`（建会率 = founded ÷ required，0 到 1 之间的小数）。
        """),
                "a1-q1",
                locked=True,
            ),
            nbg(code(A1_COVERAGE_SOLUTION), "coverage_by_city", solution=True),
            nbg(code(A1_COVERAGE_TEST), "test_coverage_by_city", grade=True, points=3, locked=True),
            nbg(
                md("""
        ## 第 2 题（2 分）未建会企业名单

        写函数 `missing_list(df, city, threshold=100)`：返回该市职工人数 ≥ threshold 且尚未建会的企业，
        列依次为 `enterprise_id, name, district, industry, employees, migrant_workers`；
        按 `employees` 从多到少排，人数相同的按 `enterprise_id` 从小到大；索引重新编号为 0, 1, 2, …
        """),
                "a1-q2",
                locked=True,
            ),
            nbg(code(A1_MISSING_SOLUTION), "missing_list", solution=True),
            nbg(code(A1_MISSING_TEST), "test_missing_list", grade=True, points=2, locked=True),
            nbg(
                md("""
        ## 第 3 题（3 分）没完成目标的市

        写函数 `cities_behind(targets, year)`：返回该年 `achieved < target` 的市（恰好完成的不算落后），
        列依次为 `city, target, achieved, gap, rate`，其中 `gap = target − achieved`，`rate = achieved ÷ target`；
        按 `rate` 从低到高排列，索引重新编号。如果该年没有数据，返回有这五列的空表。
        """),
                "a1-q3",
                locked=True,
            ),
            nbg(code(A1_BEHIND_SOLUTION), "cities_behind", solution=True),
            nbg(code(A1_BEHIND_TEST), "test_cities_behind", grade=True, points=3, locked=True),
            nbg(
                code("""
        # 运行看看（不计分）：
        # coverage_by_city(enterprises).sort_values("coverage").head()
        # cities_behind(targets, 2024)
        """),
                "a1-try",
                locked=False,
            ),
            nbg(
                md("""
        ## 第 4 题（2 分）给市总工会的提醒

        根据第 1、3 题的结果，给省总工会分管领导写一段不超过 150 字的提醒：哪两个市的百人以上企业建会率最低、
        2024 年哪个市完成目标最差，并提出一条具体的下一步工作建议。

        **评分标准（共 2 分）**：
        1. 点名建会率最低的两个市，并写出建会率和未建会家数，数字与计算结果一致（1 分）；
        2. 写出 2024 年完成率最低的市及其完成率或差额，并提出一条落到具体单位、时间或办法上的建议，
           例如按名单逐家上门、依托“齐鲁工惠”网上入会（1 分）。数字错误或建议空泛（如“加强领导”）不得分。
        """),
                "a1-q4",
                locked=True,
            ),
            nbg(md(model), "a1_memo", grade=True, solution=True, points=2),
        ]
    )


# ---------------------------------------------------------------- assignment 2

A2_LOAD = """
import math

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd

# 让图里的中文正常显示（服务器上是思源黑体 Noto Sans CJK，Windows 上是黑体）
matplotlib.rcParams["font.sans-serif"] = ["Noto Sans CJK SC", "SimHei", "Microsoft YaHei",
                                          "DejaVu Sans"]
matplotlib.rcParams["axes.unicode_minus"] = False

enterprises = pd.read_csv(
    "data/enterprises.csv", dtype={"city_code": "str", "union_year": "Int64", "zone_id": "str"}
)
zones = pd.read_csv("data/zones.csv", dtype={"city_code": "str"})
stations = pd.read_csv("data/stations.csv", dtype={"city_code": "str"})
print(enterprises.shape, zones.shape, stations.shape)
zones.head(3)
"""

A2_ZONES_SOLUTION = '''
def zones_needing_social_workers(enterprises, zones, min_workers=2000):
    """职工人数超过 min_workers、却还没有工会社会工作者的园区。"""
    ### BEGIN SOLUTION
    workers = enterprises.groupby("zone_id")["employees"].sum().rename("workers")
    table = zones.merge(workers, left_on="zone_id", right_index=True, how="left")
    table["workers"] = table["workers"].fillna(0).astype("int64")
    need = table[(table["workers"] > min_workers) & (table["social_workers"] == 0)]
    need = need.sort_values(["workers", "zone_id"], ascending=[False, True])
    return need[["zone_id", "zone_name", "city", "workers", "social_workers"]].reset_index(drop=True)
    ### END SOLUTION
'''

A2_ZONES_TEST = """
need = zones_needing_social_workers(enterprises, zones)
assert list(need.columns) == ["zone_id", "zone_name", "city", "workers", "social_workers"]
assert (need["workers"] > 2000).all() and (need["social_workers"] == 0).all()
assert need["workers"].is_monotonic_decreasing
tiny_e = pd.DataFrame({"zone_id": ["Z1", "Z1", "Z2", "Z3", None],
                       "employees": [1500, 600, 2000, 2500, 9000]})
tiny_z = pd.DataFrame({"zone_id": ["Z1", "Z2", "Z3", "Z4"],
                       "zone_name": ["一园", "二园", "三园", "四园"],
                       "city": ["甲"] * 4, "social_workers": [0, 0, 1, 0]})
tn = zones_needing_social_workers(tiny_e, tiny_z)
assert list(tn["zone_id"]) == ["Z1"]          # Z1 共 2100 人；Z2 恰好 2000 人不算“超过”；Z3 已配社工
assert int(tn["workers"].iloc[0]) == 2100
### BEGIN HIDDEN TESTS
_e = pd.read_csv("data/enterprises.csv",
                 dtype={"city_code": "str", "union_year": "Int64", "zone_id": "str"})
_z = pd.read_csv("data/zones.csv", dtype={"city_code": "str"})
_ecopy, _zcopy = _e.copy(), _z.copy()
_w = {}
for _r in _e.itertuples():
    if isinstance(_r.zone_id, str):
        _w[_r.zone_id] = _w.get(_r.zone_id, 0) + _r.employees
for _limit in (2000, 1500, 3000, 10**6):
    _exp = sorted(((-_w.get(r.zone_id, 0), r.zone_id) for r in _z.itertuples()
                   if _w.get(r.zone_id, 0) > _limit and r.social_workers == 0))
    _got = zones_needing_social_workers(_e, _z, _limit)
    assert list(_got["zone_id"]) == [z for _n, z in _exp], _limit
    assert [int(x) for x in _got["workers"]] == [-n for n, _z2 in _exp], _limit
    assert list(_got.index) == list(range(len(_exp)))
pd.testing.assert_frame_equal(_e, _ecopy)
pd.testing.assert_frame_equal(_z, _zcopy)
assert list(zones_needing_social_workers(tiny_e, tiny_z, 1999)["zone_id"]) == ["Z1", "Z2"]
### END HIDDEN TESTS
"""

A2_URBAN_SOLUTION = '''
def urban_legal_aid_share(enterprises, km=2.0):
    """市辖区企业的职工中，距最近法律援助站不超过 km 公里的比例（按职工人数加权）。"""
    ### BEGIN SOLUTION
    urban = enterprises[enterprises["district_type"] == "市辖区"]
    total = urban["employees"].sum()
    if total == 0:
        return float("nan")
    near = urban.loc[urban["legal_aid_km"] <= km, "employees"].sum()
    return float(near / total)
    ### END SOLUTION
'''

A2_URBAN_TEST = """
share = urban_legal_aid_share(enterprises)
assert isinstance(share, float) and 0 < share < 1
tiny_u = pd.DataFrame({
    "district_type": ["市辖区", "市辖区", "市辖区", "县/县级市"],
    "legal_aid_km": [2.0, 2.1, 0.5, 1.0],
    "employees": [100, 300, 100, 1000],
})
assert math.isclose(urban_legal_aid_share(tiny_u), 0.4)   # (100 + 100) / 500，恰好 2 公里算达标
### BEGIN HIDDEN TESTS
_e = pd.read_csv("data/enterprises.csv",
                 dtype={"city_code": "str", "union_year": "Int64", "zone_id": "str"})
for _km in (2.0, 1.0, 3.5):
    _num = sum(r.employees for r in _e.itertuples()
               if r.district_type == "市辖区" and r.legal_aid_km <= _km)
    _den = sum(r.employees for r in _e.itertuples() if r.district_type == "市辖区")
    assert math.isclose(urban_legal_aid_share(_e, _km), _num / _den, rel_tol=1e-9), _km
assert math.isclose(urban_legal_aid_share(tiny_u, km=0.4), 0.0, abs_tol=1e-12)
assert math.isclose(urban_legal_aid_share(tiny_u, km=5), 1.0)
### END HIDDEN TESTS
"""

A2_BYCITY_SOLUTION = '''
def legal_aid_by_city(enterprises, km=2.0, minutes=30):
    """各市职工中法律援助达标的比例：市辖区看距离（<= km），其他看时间（<= minutes）。"""
    ### BEGIN SOLUTION
    urban = enterprises["district_type"] == "市辖区"
    ok = (urban & (enterprises["legal_aid_km"] <= km)) | (
        ~urban & (enterprises["legal_aid_minutes"] <= minutes))
    table = (enterprises.assign(covered=enterprises["employees"].where(ok, 0))
             .groupby(["city_code", "city"])
             .agg(workers=("employees", "sum"), covered=("covered", "sum")))
    table = table.reset_index(level="city_code").sort_values("city_code")
    table = table[["workers", "covered"]].astype("int64")
    table["share"] = table["covered"] / table["workers"]
    return table
    ### END SOLUTION
'''

A2_BYCITY_TEST = """
aid = legal_aid_by_city(enterprises)
assert list(aid.columns) == ["workers", "covered", "share"]
assert aid.index.name == "city" and len(aid) == 16
assert list(aid.index[:2]) == ["济南", "青岛"]
tiny_c = pd.DataFrame({
    "city": ["甲", "甲", "甲", "乙"],
    "city_code": ["3702", "3702", "3702", "3701"],
    "district_type": ["市辖区", "县/县级市", "县/县级市", "市辖区"],
    "legal_aid_km": [1.5, 12.0, 30.0, 2.5],
    "legal_aid_minutes": [40, 25, 45, 8],
    "employees": [100, 200, 300, 50],
})
tc = legal_aid_by_city(tiny_c)
assert list(tc.index) == ["乙", "甲"]
assert int(tc.loc["甲", "covered"]) == 300     # 市辖区 1.5 公里达标；县里 25 分钟达标、45 分钟不达标
assert math.isclose(tc.loc["甲", "share"], 0.5)
assert math.isclose(tc.loc["乙", "share"], 0.0)  # 市辖区看距离，8 分钟也不算
### BEGIN HIDDEN TESTS
_e = pd.read_csv("data/enterprises.csv",
                 dtype={"city_code": "str", "union_year": "Int64", "zone_id": "str"})
_ecopy = _e.copy()
for _km, _min in ((2.0, 30), (3.0, 20), (1.0, 45)):
    _acc = {}
    for _r in _e.itertuples():
        _ok = (_r.legal_aid_km <= _km) if _r.district_type == "市辖区" else (_r.legal_aid_minutes <= _min)
        _a = _acc.setdefault((_r.city_code, _r.city), [0, 0])
        _a[0] += _r.employees
        _a[1] += _r.employees if _ok else 0
    _got = legal_aid_by_city(_e, _km, _min)
    assert list(_got.index) == [c for _code, c in sorted(_acc)]
    for (_code, _city), (_wk, _cv) in _acc.items():
        assert int(_got.loc[_city, "workers"]) == _wk
        assert int(_got.loc[_city, "covered"]) == _cv
        assert math.isclose(float(_got.loc[_city, "share"]), _cv / _wk, rel_tol=1e-9)
pd.testing.assert_frame_equal(_e, _ecopy)
_b = legal_aid_by_city(tiny_c, km=3.0, minutes=60)
assert math.isclose(_b.loc["甲", "share"], 1.0) and math.isclose(_b.loc["乙", "share"], 1.0)
### END HIDDEN TESTS
"""

A2_CHART_SOLUTION = '''
def legal_aid_chart(table):
    """横向条形图：各市法律援助达标覆盖的职工比例（%），由低到高。返回 matplotlib 的 Figure。"""
    ### BEGIN SOLUTION
    data = table.sort_values("share", ascending=False)   # barh 从下往上画：最低的在最上面
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(data) + 1.5))
    bars = ax.barh(list(data.index), data["share"] * 100, color="#2e86c1")
    ax.bar_label(bars, fmt="%.0f%%", padding=2, fontsize=8)
    ax.axvline(100, color="grey", linestyle="--", linewidth=1)
    ax.set_xlim(0, 108)
    ax.set_title("各市职工法律援助达标覆盖率（市辖区 2 公里、非市辖区半小时，示例数据）")
    ax.set_xlabel("达标覆盖的职工比例（%）")
    ax.set_ylabel("城市")
    fig.tight_layout()
    return fig
    ### END SOLUTION
'''

A2_CHART_TEST = """
import io
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

def _bars_of(fig):
    ax = fig.axes[0]
    return ax, [p for p in ax.patches if isinstance(p, Rectangle)]

fig = legal_aid_chart(aid)
assert isinstance(fig, Figure), "请返回 matplotlib 的 Figure（例如 fig, ax = plt.subplots() 里的 fig）"
ax, bars = _bars_of(fig)
assert ax.get_title().strip(), "图要有标题"
assert ax.get_xlabel().strip() and ax.get_ylabel().strip(), "横轴、纵轴都要有标签"
assert len(bars) == len(aid), "每个市一根条"
plt.close(fig)
### BEGIN HIDDEN TESTS
def _check_chart(table):
    fig = legal_aid_chart(table)
    fig.savefig(io.BytesIO(), format="png")        # 画一遍，刻度文字才会生成
    ax, bars = _bars_of(fig)
    assert ax.get_title().strip() and ax.get_xlabel().strip() and ax.get_ylabel().strip()
    assert len(bars) == len(table)
    widths = [b.get_width() for b in bars]
    expected = sorted(float(v) * 100 for v in table["share"])
    assert all(math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)
               for a, b in zip(sorted(widths), expected)), "条的长度应为百分数（share × 100）"
    assert widths == sorted(widths) or widths == sorted(widths, reverse=True), "请按覆盖率排序"
    heights = {round(b.get_height(), 6) for b in bars}
    assert len(heights) == 1, "请用横向条形图 ax.barh"
    labels = " ".join(t.get_text() for t in ax.get_yticklabels())
    for city in table.index:
        assert city in labels, f"纵轴上找不到 {city}"
    plt.close(fig)

_e = pd.read_csv("data/enterprises.csv",
                 dtype={"city_code": "str", "union_year": "Int64", "zone_id": "str"})
_check_chart(legal_aid_by_city(_e))
_check_chart(pd.DataFrame({"workers": [10, 20, 30], "covered": [9, 5, 30],
                           "share": [0.9, 0.25, 1.0]}, index=pd.Index(["甲", "乙", "丙"], name="city")))
### END HIDDEN TESTS
"""


def assignment_services():
    low = AID_LOW
    low_text = "、".join(f"{c}（{pct(r.share)}）" for c, r in low.iterrows())
    need_text = "、".join(f"{r.zone_name}（{r.workers:,} 人）" for r in NEED_ZONES.itertuples())
    model = "\n".join(
        [
            f"按“市辖区 2 公里、非市辖区半小时”标准、以职工人数加权，法律援助覆盖率最低的三个市是 {low_text}；"
            f"全省市辖区职工中只有 {pct(URBAN_SHARE)} 在 2 公里以内，城区反而是短板，"
            "县和县级市用半小时标准，达标比例较高。",
            "",
            f"职工超过 2000 人却没有工会社会工作者的园区有 {len(NEED_ZONES)} 个：{need_text}，"
            "应按 2019 年意见尽快配备工会社会工作专业人才。",
            "",
            f"建议：（1）在{low.index[0]}、{low.index[1]}的市辖区缺口街道增设职工法律援助工作站，"
            "或在园区、工地设流动服务点，同时宣传 12351 热线；（2）上述园区由所在区县总工会在下季度前"
            "配齐社工，可先由区域性工会联合会兼任。",
            "",
            "说明：本数据为抽样台账；距离是估算的路程，时间是估算的车程，园区人数只含台账内企业，"
            "结论需到实地核实。",
        ]
    )
    return notebook(
        [
            nbg(
                md(f"""
        # 作业二　园区社工与法律援助覆盖

        数据在 `data/` 文件夹：`enterprises.csv`（企业台账）、`zones.csv`（开发区、工业园区及已配工会社会工作者人数）、
        `stations.csv`（工会法律援助站，供参考）。均为合成的示例数据。

        依据（{OPINION}）：
        - 为职工人数**超过 2000 人**的开发区（工业园区）等配备工会社会工作专业人才。“超过”不含本数。
        - 工会法律援助：**市辖区“2 公里”范围内、非市辖区“半小时”工作圈内**全覆盖。“范围内”“以内”包括本数
          （《民法典》第一千二百五十九条），所以恰好 2 公里、恰好 30 分钟都算达标。
        - 覆盖率一律**按职工人数加权**：达标企业的职工数 ÷ 全部职工数。

        只在 `YOUR CODE HERE` 处写代码，不要修改传入的数据。写完后“重启内核并运行全部”，确认公开测试通过再提交。
        共 14 分：自动评分 10 分，书面解读 4 分。
        """),
                "a2-intro",
                locked=True,
            ),
            nbg(code(A2_LOAD), "a2-load", locked=True),
            nbg(
                md("""
        ## 第 1 题（3 分）要配社工的园区

        写函数 `zones_needing_social_workers(enterprises, zones, min_workers=2000)`：

        - 园区职工数 `workers` = 台账里 `zone_id` 为该园区的企业的 `employees` 之和（台账里没有企业的园区算 0 人）；
        - 返回 `workers > min_workers` 且 `social_workers == 0` 的园区，列依次为
          `zone_id, zone_name, city, workers, social_workers`；
        - 按 `workers` 从多到少排，人数相同按 `zone_id`；索引重新编号。
        """),
                "a2-q1",
                locked=True,
            ),
            nbg(code(A2_ZONES_SOLUTION), "zones_needing_social_workers", solution=True),
            nbg(code(A2_ZONES_TEST), "test_zones_needing_social_workers", grade=True, points=3, locked=True),
            nbg(
                md("""
        ## 第 2 题（2 分）市辖区 2 公里覆盖率

        写函数 `urban_legal_aid_share(enterprises, km=2.0)`：只看 `district_type == "市辖区"` 的企业，
        返回其中 `legal_aid_km <= km` 的企业职工数占这些企业全部职工数的比例（Python 的 `float`，0 到 1 之间）。
        """),
                "a2-q2",
                locked=True,
            ),
            nbg(code(A2_URBAN_SOLUTION), "urban_legal_aid_share", solution=True),
            nbg(code(A2_URBAN_TEST), "test_urban_legal_aid_share", grade=True, points=2, locked=True),
            nbg(
                md("""
        ## 第 3 题（3 分）各市法律援助达标覆盖率

        写函数 `legal_aid_by_city(enterprises, km=2.0, minutes=30)`：一家企业“达标”是指——
        在市辖区：`legal_aid_km <= km`；在县/县级市：`legal_aid_minutes <= minutes`。

        返回 DataFrame：索引名 `city`，按 `city_code` 从小到大；三列依次为 `workers`（全部职工数）、
        `covered`（达标企业的职工数）、`share`（covered ÷ workers）。
        """),
                "a2-q3",
                locked=True,
            ),
            nbg(code(A2_BYCITY_SOLUTION), "legal_aid_by_city", solution=True),
            nbg(code(A2_BYCITY_TEST), "test_legal_aid_by_city", grade=True, points=3, locked=True),
            nbg(
                md("""
        ## 第 4 题（2 分）画一张领导看得懂的图

        写函数 `legal_aid_chart(table)`，参数是第 3 题返回的表，返回一个 matplotlib 的 `Figure`：

        - 用**横向条形图**（`ax.barh`），每个市一根条，条的长度是百分数 `share × 100`；
        - 按覆盖率排序（最低的放在最上面或最下面都可以，但要有顺序）；
        - 纵轴标出市名；写上标题、横轴标签（注明单位 %）和纵轴标签。

        可以参考第四课的“好图六要素”：横轴从 0 开始、画一条 100% 的目标线、在条上标数字，都是加分的好习惯（不计分）。
        """),
                "a2-q4",
                locked=True,
            ),
            nbg(code(A2_CHART_SOLUTION), "legal_aid_chart", solution=True),
            nbg(code(A2_CHART_TEST), "test_legal_aid_chart", grade=True, points=2, locked=True),
            nbg(
                code("""
        # 看看你的图（不计分）：
        # legal_aid_chart(legal_aid_by_city(enterprises))
        """),
                "a2-try",
                locked=False,
            ),
            nbg(
                md("""
        ## 第 5 题（4 分）给领导的解读

        根据第 1—4 题的结果和你画的图，给市总工会领导写一段 200—300 字的解读。

        **评分标准（共 4 分，每项 1 分）**：
        1. **结论和数字**：点名法律援助覆盖率最低的两三个市，写出覆盖率；写出市辖区 2 公里覆盖率。数字与计算结果一致。
        2. **口径说清**：说明市辖区看 2 公里、县和县级市看半小时，覆盖率按职工人数加权；
           不把两个标准混为一谈。
        3. **园区社工**：点名需要配工会社会工作者的园区（至少写出个数和人数最多的一个），
           并引用 2019 年意见“超过 2000 人配备工会社会工作专业人才”的要求。
        4. **建议落地并指出数据局限**：至少一条落到具体单位、地点或时间的建议（如增设工作站、流动服务点、
           12351 热线、区域性工会联合会），并指出至少一处数据局限（如抽样台账、距离和时间是估算的）。
        """),
                "a2-q5",
                locked=True,
            ),
            nbg(md(model), "a2_memo", grade=True, solution=True, points=4),
        ]
    )


# ---------------------------------------------------------------- write everything


def main() -> None:
    lessons = HERE / "lessons"
    write_notebook(lesson_cleaning(), lessons / "01-cleaning.ipynb")
    write_notebook(lesson_groupby(), lessons / "02-groupby-city.ipynb")
    write_notebook(lesson_merge(), lessons / "03-merge-targets.ipynb")
    write_notebook(lesson_chart(), lessons / "04-read-chart.ipynb")
    write_notebook(assignment_coverage(), HERE / "source" / "a1-coverage" / "coverage.ipynb")
    write_notebook(assignment_services(), HERE / "source" / "a2-services" / "services.ipynb")


if __name__ == "__main__":
    main()
