"""Generate the synthetic data files of the `enrollment` course (all people and numbers are made up).

Run from anywhere:  python courses/enrollment/data/generate.py
It writes, next to this file, members.csv (lesson 4's membership records, with planted
problems to find) and street_survey.csv (lesson 3), and the workers table of assignment 2
into ../source/a2-coverage/data/workers.csv. Resident ID numbers are built with the
lessons' own GB 11643-1999 helper, so every number is well-formed but nobody's.
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
COURSE = HERE.parent
sys.path.insert(0, str(COURSE / "lessons"))
import enrollkit as ek  # noqa: E402

A2_DATA = COURSE / "source" / "a2-coverage" / "data"


def sid(area: str, y: int, m: int, d: int, seq: int) -> str:
    """A synthetic, well-formed resident ID number (never a real person's)."""
    return ek.make_synthetic_id(area, dt.date(y, m, d), seq)


def with_x(area: str, y: int, m: int, d: int) -> str:
    """The first synthetic number for that area and birthday whose check character is X."""
    for seq in range(1000):
        number = sid(area, y, m, d, seq)
        if number.endswith("X"):
            return number
    raise ValueError("no X in range")


def wrong_check(number: str) -> str:
    """Same number with a wrong check character."""
    good = number[17]
    bad = "0" if good != "0" else "1"
    return number[:17] + bad


def members_rows() -> list[dict]:
    base = [
        # 会员编号, 姓名, 身份证号, 手机号, 所在工会, 工作地, 入会日期
        (
            "M2019-0517",
            "李某梅",
            sid("371722", 1992, 4, 18, 264),
            "13905306218",
            "某服装厂工会",
            "菏泽市单县",
            "2019-05-17",
        ),
        (
            "M2019-0603",
            "张某军",
            sid("371302", 1985, 10, 2, 31),
            "15853991120",
            "某物流园区工会联合会",
            "临沂市兰山区",
            "2019-06-03",
        ),
        (
            "M2020-0112",
            "王某芳",
            sid("370102", 1990, 3, 7, 122),
            "13688812345",
            "某街道灵活就业人员联合工会",
            "济南市历城区",
            "2020-01-12",
        ),
        (
            "M2020-0920",
            "赵某强",
            sid("410102", 1987, 6, 30, 517),
            "18654321001",
            "某建设项目部工会联合会",
            "日照市岚山区",
            "2020-09-20",
        ),
        (
            "M2021-0308",
            "刘某",
            wrong_check(sid("370211", 1996, 12, 1, 73)),
            "17763205566",
            "某机械厂工会",
            "青岛市黄岛区",
            "2021-03-08",
        ),
        (
            "M2021-0415",
            "陈某燕",
            with_x("370702", 1994, 2, 14).lower(),
            "13356781234",
            "某家政服务员工会联合会",
            "潍坊市潍城区",
            "2021-04-15",
        ),
        (
            "M2022-0701",
            "杨某",
            "370303850914021",
            "13964300987",
            "某陶瓷厂工会",
            "淄博市张店区",
            "2022-07-01",
        ),
        (
            "M2022-1019",
            "黄某伟",
            sid("371202", 1980, 8, 9, 155),
            "15066001234",
            "某钢铁配套企业工会",
            "济南市钢城区",
            "2022-10-19",
        ),
        (
            "M2023-0226",
            "周某",
            sid("340102", 1999, 5, 5, 448),
            "1596688123",
            "某物流快递员工会联合会",
            "济南市历下区",
            "2023-02-26",
        ),
        (
            "M2023-0811",
            "吴某",
            sid("371502", 1983, 7, 21, 90),
            "13706359876",
            "某商场工会",
            "聊城市东昌府区",
            "2023-08-11",
        ),
        (
            "M2024-0105",
            "",
            sid("370612", 1998, 9, 9, 310),
            "18765439012",
            "某楼宇工会联合会",
            "烟台市莱山区",
            "2024-01-05",
        ),
        (
            "M2024-0330",
            "徐某",
            sid("371402", 1975, 1, 31, 26),
            "",
            "某保安保洁员工会联合会",
            "德州市德城区",
            "2024-03-30",
        ),
        (
            "M2025-0618",
            "孙某",
            sid("370902", 1991, 2, 28, 5)[:10] + "02290058",
            "13515381234",
            "某蔬菜合作社工会联合会",
            "泰安市泰山区",
            "2025-06-18",
        ),
        (
            "M2025-0702",
            "李某梅",
            sid("371722", 1992, 4, 18, 264),
            "13905306218",
            "某物流园区工会联合会",
            "青岛市城阳区",
            "2025-07-02",
        ),
        (
            "M2025-1120",
            "马某",
            sid("371002", 2001, 11, 11, 611),
            "+86 139-6318-8888",
            "某船厂工会",
            "威海市环翠区",
            "2025-11-20",
        ),
        (
            "M2026-0214",
            "胡某",
            sid("371602", 1989, 3, 3, 47),
            "15254377777",
            "某网约送餐员工会联合会",
            "滨州市滨城区",
            "2026-02-14",
        ),
    ]
    keys = ["会员编号", "姓名", "身份证号", "手机号", "所在工会", "工作地", "入会日期"]
    return [dict(zip(keys, row, strict=True)) for row in base]


def street_rows() -> list[dict]:
    base = [
        ("某汽车配件厂", "制造", "工业园区", 180, "否", 12),
        ("某电子元件厂", "制造", "工业园区", 86, "否", 27),
        ("某食品加工厂", "制造", "工业园区", 140, "是", 95),
        ("某快递网点", "物流快递员", "街面", 18, "否", 6),
        ("某配送站（外卖代理商）", "网约送餐员", "街面", 64, "否", 33),
        ("某物业公司", "保安保洁员", "楼宇", 45, "否", 9),
        ("某科技公司", "软件", "楼宇", 22, "否", 0),
        ("某家政服务公司", "家政服务员", "村居", 30, "否", 14),
        ("某连锁超市门店", "零售", "街面", 26, "否", 4),
        ("某建筑劳务公司", "建筑", "建设项目部", 120, "否", 40),
        ("某饭店", "餐饮", "街面", 15, "否", 2),
        ("某商场", "商场信息员", "楼宇", 210, "是", 168),
    ]
    keys = ["单位", "行业", "场所", "职工人数", "已建会", "会员人数"]
    return [dict(zip(keys, row, strict=True)) for row in base]


# 编号, 姓名, 职业, 用人单位, 单位已建会, 工作场所 -> expected federation (kept for the hidden tests)
WORKERS = [
    ("W01", "刘某", "网约送餐员", "", "", "无", "网约送餐员工会联合会"),
    ("W02", "陈某", "物流快递员", "某快递网点", "否", "街面", "物流快递员工会联合会"),
    ("W03", "杨某", "物流快递员", "某快递公司分拨中心", "是", "工业园区", "本单位工会"),
    ("W04", "赵某", "钢筋工", "某建筑劳务公司", "否", "建设项目部", "建设项目部工会联合会"),
    ("W05", "黄某", "焊工", "某机械厂", "是", "工业园区", "本单位工会"),
    ("W06", "周某", "装配工", "某电子元件厂", "否", "工业园区", "工业园区工会联合会"),
    ("W07", "吴某", "家政服务员", "", "", "村居", "家政服务员工会联合会"),
    ("W08", "徐某", "护工护理员", "某护理服务公司", "否", "无", "护工护理员工会联合会"),
    ("W09", "孙某", "保安保洁员", "某物业公司", "否", "楼宇", "保安保洁员工会联合会"),
    ("W10", "马某", "前台文员", "某科技公司", "否", "楼宇", "楼宇工会联合会"),
    ("W11", "朱某", "餐馆服务员", "某饭店", "否", "街面", "街面工会联合会"),
    ("W12", "胡某", "大棚种植工", "某蔬菜合作社", "否", "农业专业合作组织", "农业专业合作组织工会联合会"),
    ("W13", "郭某", "网约车司机", "", "", "无", "灵活就业人员联合工会"),
    ("W14", "何某", "货运驾驶员", "", "", "无", "货运驾驶员工会联合会"),
    ("W15", "高某", "房产中介员", "某房产中介门店", "否", "街面", "房产中介员工会联合会"),
    ("W16", "林某", "商场信息员", "某商场", "是", "楼宇", "本单位工会"),
    ("W17", "罗某", "理发师", "某理发店", "否", "无", "灵活就业人员联合工会"),
    ("W18", "梁某", "网约送餐员", "某配送站", "否", "街面", "网约送餐员工会联合会"),
    ("W19", "谢某", "厨师", "某养老院", "否", "村居", "村居工会联合会"),
    ("W20", "宋某", "搬运工", "", "", "工业园区", "工业园区工会联合会"),
    ("W21", "唐某", "网约送餐员", "某餐饮集团", "是", "无", "本单位工会"),
    ("W22", "许某", "水电工", "某装修公司", "否", "无", "灵活就业人员联合工会"),
    ("W23", "韩某", "家政服务员", "某家政公司", "是", "无", "本单位工会"),
    ("W24", "冯某", "砌筑工", "", "", "建设项目部", "建设项目部工会联合会"),
]
WORKER_KEYS = ["编号", "姓名", "职业", "用人单位", "单位已建会", "工作场所"]


def worker_rows() -> list[dict]:
    return [dict(zip(WORKER_KEYS, row[:6], strict=True)) for row in WORKERS]


def write_csv(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def build() -> None:
    write_csv(COURSE / "data" / "members.csv", members_rows())
    write_csv(COURSE / "data" / "street_survey.csv", street_rows())
    write_csv(A2_DATA / "workers.csv", worker_rows())


if __name__ == "__main__":
    build()
