"""Generate the synthetic data set of the `union-data` course (工会数据实务).

Everything here is invented: enterprise names, head counts, distances and targets are drawn
from a fixed seed so that lessons, assignments and tests always see the same figures. Only
the city names, division codes and district/county names are real geography.

Run from anywhere:  python courses/union-data/data/generate.py
It writes, next to this file,
    enterprises.csv       clean enterprise ledger (one row per enterprise)
    enterprises_raw.csv   the same ledger as a messy GBK "system export" (lesson 1 cleans it)
    zones.csv             industrial zones / development zones and their union social workers
    stations.csv          union legal-aid stations (one per district/county, more in big districts)
    targets.csv           yearly migrant-worker membership targets per city, 2020-2024
and copies the files each assignment needs into ../source/<assignment>/data/.
"""

from __future__ import annotations

import csv
import math
import random
import shutil
import sys
from pathlib import Path

SEED = 20191107  # the day the 2019 Shandong opinion was reported
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "lessons"))  # the lessons' own helper module
import uniondata as ud  # noqa: E402

from airclass.core.cities import CITY_CODES  # noqa: E402

URBAN = "市辖区"
COUNTY = "县/县级市"

# city, weight (relative size), urban districts, counties / county-level cities
CITY_AREAS: list[tuple[str, int, list[str], list[str]]] = [
    ("济南", 120, ["历下区", "市中区", "槐荫区", "历城区", "章丘区", "莱芜区"], ["平阴县", "商河县"]),
    (
        "青岛",
        130,
        ["市南区", "市北区", "黄岛区", "崂山区", "城阳区", "即墨区"],
        ["胶州市", "平度市", "莱西市"],
    ),
    ("淄博", 80, ["张店区", "淄川区", "博山区", "临淄区", "周村区"], ["桓台县", "高青县", "沂源县"]),
    ("枣庄", 50, ["市中区", "薛城区", "峄城区", "台儿庄区"], ["滕州市"]),
    ("东营", 50, ["东营区", "河口区", "垦利区"], ["利津县", "广饶县"]),
    ("烟台", 100, ["芝罘区", "福山区", "莱山区", "蓬莱区"], ["龙口市", "莱阳市", "莱州市", "招远市"]),
    (
        "潍坊",
        110,
        ["潍城区", "寒亭区", "坊子区", "奎文区"],
        ["青州市", "诸城市", "寿光市", "高密市", "昌乐县"],
    ),
    ("济宁", 90, ["任城区", "兖州区"], ["曲阜市", "邹城市", "嘉祥县", "金乡县", "梁山县"]),
    ("泰安", 60, ["泰山区", "岱岳区"], ["新泰市", "肥城市", "宁阳县", "东平县"]),
    ("威海", 50, ["环翠区", "文登区"], ["荣成市", "乳山市"]),
    ("日照", 45, ["东港区", "岚山区"], ["莒县", "五莲县"]),
    ("临沂", 100, ["兰山区", "罗庄区", "河东区"], ["沂水县", "兰陵县", "郯城县", "费县", "临沭县"]),
    ("德州", 70, ["德城区", "陵城区"], ["禹城市", "乐陵市", "齐河县", "平原县"]),
    ("聊城", 70, ["东昌府区", "茌平区"], ["临清市", "阳谷县", "冠县", "高唐县"]),
    ("滨州", 60, ["滨城区", "沾化区"], ["邹平市", "博兴县", "惠民县"]),
    ("菏泽", 80, ["牡丹区", "定陶区"], ["曹县", "单县", "郓城县", "巨野县"]),
]
# the same with the division code from airclass.core.cities: (city, code, weight, urban, counties)
CITIES = [(city, CITY_CODES[city], *rest) for city, *rest in CITY_AREAS]
assert sorted(city for city, *_ in CITY_AREAS) == sorted(CITY_CODES), "one row per city"

# industry, share of migrant workers, chance to sit in an industrial zone, size factor
INDUSTRIES: list[tuple[str, float, float, float]] = [
    ("制造业", 0.62, 0.75, 1.4),
    ("建筑业", 0.85, 0.25, 1.2),
    ("交通运输和物流", 0.55, 0.40, 0.9),
    ("批发和零售", 0.45, 0.15, 0.7),
    ("住宿和餐饮", 0.58, 0.05, 0.6),
    ("居民服务（家政、保安保洁）", 0.70, 0.05, 0.7),
    ("快递和外卖配送", 0.75, 0.20, 0.8),
    ("农业专业合作社", 0.90, 0.05, 0.5),
]
INDUSTRY_WEIGHTS = [34, 16, 10, 10, 8, 8, 8, 6]

BRAND = [
    "恒泰",
    "鑫盛",
    "瑞丰",
    "宏达",
    "金桥",
    "泰和",
    "永安",
    "新元",
    "盛源",
    "嘉禾",
    "利民",
    "东升",
    "广益",
    "福瑞",
    "汇通",
    "锦程",
    "德信",
    "万隆",
    "安泰",
    "兴业",
    "华岳",
    "齐鲁星",
    "海川",
    "沂蒙源",
    "泉城晟",
    "远航",
    "春晖",
    "立信",
    "和润",
    "卓越",
]
NAME_TAIL = {
    "制造业": [
        "机械制造有限公司",
        "纺织有限公司",
        "化工有限公司",
        "食品有限公司",
        "轮胎有限公司",
        "电子科技有限公司",
        "汽车配件有限公司",
    ],
    "建筑业": ["建筑工程有限公司", "建设集团有限公司", "安装工程有限公司"],
    "交通运输和物流": ["物流有限公司", "运输有限公司", "供应链有限公司"],
    "批发和零售": ["商贸有限公司", "购物广场有限公司", "超市连锁有限公司"],
    "住宿和餐饮": ["餐饮管理有限公司", "酒店有限公司"],
    "居民服务（家政、保安保洁）": ["家政服务有限公司", "保安服务有限公司", "物业管理有限公司"],
    "快递和外卖配送": ["速递有限公司", "配送服务有限公司"],
    "农业专业合作社": ["果蔬专业合作社", "农机专业合作社", "种植专业合作社"],
}

# How far each city has got with the 百人以上企业全部建会 push: chance that a 100+ firm has a union.
BIG_FIRM_UNION_RATE = {
    "济南": 0.95,
    "青岛": 0.93,
    "淄博": 0.92,
    "枣庄": 0.80,
    "东营": 0.96,
    "烟台": 0.90,
    "潍坊": 0.91,
    "济宁": 0.84,
    "泰安": 0.88,
    "威海": 0.97,
    "日照": 0.86,
    "临沂": 0.78,
    "德州": 0.83,
    "聊城": 0.81,
    "滨州": 0.89,
    "菏泽": 0.74,
}

# the ledger's columns exactly as the lesson helpers read them
RAW_HEADER = list(ud.RAW_TO_CLEAN)
CLEAN_HEADER = ud.CLEAN_COLUMNS

ASSIGNMENT_FILES = {
    "a1-coverage": ["enterprises.csv", "targets.csv"],
    "a2-services": ["enterprises.csv", "zones.csv", "stations.csv"],
}


def short(district: str) -> str:
    """历城区 -> 历城, but 莒县 stays 莒县 (one-character names keep their suffix)."""
    stem = district[:-1]
    return stem if len(stem) >= 2 else district


def employees_for(rng: random.Random, size_factor: float) -> int:
    """Head count: many small firms, a band of 100-999, a few large ones (log-normal)."""
    n = int(round(math.exp(rng.gauss(math.log(55 * size_factor), 1.05))))
    return max(8, min(n, 6800))


def district_plan(rng: random.Random):
    """Per district: type, side of its square (km), station positions, zones."""
    plan = {}
    zone_rows = []
    station_rows = []
    for city, code, _weight, urban, counties in CITIES:
        zone_seq = 0
        station_seq = 0
        for dtype, names in ((URBAN, urban), (COUNTY, counties)):
            for district in names:
                side = rng.uniform(5, 8) if dtype == URBAN else rng.uniform(24, 38)
                n_st = rng.choice([2, 3, 3, 4]) if dtype == URBAN else rng.choice([1, 2, 2, 3])
                stations = []
                for k in range(n_st):
                    station_seq += 1
                    sid = f"LA{code}{station_seq:02d}"
                    kind = "职工法律援助中心" if k == 0 else "职工法律援助工作站"
                    station_rows.append(
                        {
                            "station_id": sid,
                            "name": f"{city}市{district}总工会{kind}",
                            "city": city,
                            "city_code": code,
                            "district": district,
                            "district_type": dtype,
                            "level": "县级中心" if k == 0 else "街镇工作站",
                            "opened_year": rng.randint(2012, 2019) if k == 0 else rng.randint(2019, 2023),
                            "hotline": "12351",
                        }
                    )
                    stations.append((sid, rng.uniform(0, side), rng.uniform(0, side)))
                plan[(city, district)] = {"type": dtype, "side": side, "stations": stations}
        # zones: 2-4 per city, named after one of its districts
        n_zones = 1 + (_weight >= 60) + (_weight >= 100)
        hosts = rng.sample(urban + counties, n_zones)
        for host in hosts:
            zone_seq += 1
            kind = rng.choice(["经济开发区", "高新技术产业园", "工业园区", "物流园区"])
            zone_rows.append(
                {
                    "zone_id": f"Z{code}{zone_seq:02d}",
                    "zone_name": f"{city}{short(host)}{kind}",
                    "city": city,
                    "city_code": code,
                    "district": host,
                    "zone_type": "开发区" if kind == "经济开发区" else "工业园区",
                    "regional_federation": rng.random() < 0.8,
                    "social_workers": 0,  # filled in once the head counts are known
                }
            )
    return plan, zone_rows, station_rows


def make_enterprises(rng: random.Random, plan, zone_rows) -> list[dict]:
    rows = []
    zones_by_city: dict[str, list[dict]] = {}
    for z in zone_rows:
        zones_by_city.setdefault(z["city"], []).append(z)
    used_names: set[str] = set()
    for city, code, weight, urban, counties in CITIES:
        districts = [(d, URBAN) for d in urban] + [(d, COUNTY) for d in counties]
        dweights = [3 if t == URBAN else 2 for _, t in districts]
        for seq in range(1, weight + 1):
            district, dtype = rng.choices(districts, dweights)[0]
            ind_i = rng.choices(range(len(INDUSTRIES)), INDUSTRY_WEIGHTS)[0]
            industry, migrant_share, zone_chance, size = INDUSTRIES[ind_i]
            employees = employees_for(rng, size)
            migrants = min(employees, max(0, round(employees * rng.gauss(migrant_share, 0.08))))
            big = employees >= 100
            p_union = BIG_FIRM_UNION_RATE[city] if big else 0.22 + 0.002 * employees
            founded = rng.random() < p_union
            year = None
            members = 0
            if founded:
                year = rng.randint(1996, 2019) if rng.random() < 0.6 else rng.randint(2020, 2024)
                members = min(employees, round(employees * rng.uniform(0.62, 0.99)))
            # distance to the nearest legal-aid station, from synthetic coordinates
            info = plan[(city, district)]
            x, y = rng.uniform(0, info["side"]), rng.uniform(0, info["side"])
            if rng.random() < 0.6:  # stations were sited where workers cluster
                _sid, sx, sy = rng.choice(info["stations"])
                spread = 1.3 if dtype == URBAN else 7.0
                x = min(max(sx + rng.gauss(0, spread), 0), info["side"])
                y = min(max(sy + rng.gauss(0, spread), 0), info["side"])
            best = min(info["stations"], key=lambda s: math.hypot(s[1] - x, s[2] - y))
            km = round(math.hypot(best[1] - x, best[2] - y) * rng.uniform(1.1, 1.3) + 0.2, 1)
            speed = 22 if dtype == URBAN else 42  # km/h door to door
            minutes = int(round(km / speed * 60 + rng.uniform(4, 10)))
            zone_id = ""
            city_zones = zones_by_city[city]
            if rng.random() < zone_chance:
                zone_id = rng.choice(city_zones)["zone_id"]
            tail = rng.choice(NAME_TAIL[industry])
            place = short(district) if rng.random() < 0.5 else city
            name = f"{place}{rng.choice(BRAND)}{tail}"
            while name in used_names:
                name = f"{place}{rng.choice(BRAND)}{rng.choice(BRAND)}{tail}"
            used_names.add(name)
            rows.append(
                {
                    "enterprise_id": f"E{code}{seq:04d}",
                    "name": name,
                    "city": city,
                    "city_code": code,
                    "district": district,
                    "district_type": dtype,
                    "industry": industry,
                    "employees": employees,
                    "migrant_workers": migrants,
                    "union_founded": founded,
                    "union_year": year,
                    "members": members,
                    "legal_aid_km": km,
                    "legal_aid_minutes": minutes,
                    "nearest_station_id": best[0],
                    "zone_id": zone_id,
                }
            )
    return rows


def staff_zones(rng: random.Random, zone_rows, enterprises) -> None:
    """Zones over 2,000 workers mostly have union social workers by now; some still do not."""
    workers = {}
    for e in enterprises:
        if e["zone_id"]:
            workers[e["zone_id"]] = workers.get(e["zone_id"], 0) + e["employees"]
    for z in zone_rows:
        w = workers.get(z["zone_id"], 0)
        if w > 2000:
            z["social_workers"] = 0 if rng.random() < 0.35 else rng.randint(1, 1 + w // 2500)
        else:
            z["social_workers"] = 1 if rng.random() < 0.2 else 0


def make_targets(rng: random.Random) -> list[dict]:
    rows = []
    for city, code, weight, _u, _c in CITIES:
        base = weight * 420  # new migrant-worker members a year, roughly
        for year in range(2020, 2025):
            target = int(round(base * (1 + 0.04 * (year - 2020)) * rng.uniform(0.9, 1.1), -2))
            ratio = rng.gauss(1.04, 0.07)
            if rng.random() < 0.18:
                ratio -= rng.uniform(0.05, 0.2)  # a bad year
            rows.append(
                {
                    "city": city,
                    "city_code": code,
                    "year": year,
                    "target": target,
                    "achieved": int(round(target * ratio)),
                }
            )
    return rows


BOOL_SPELLINGS_YES = ["是", "是", "是", "已建", "Y"]
BOOL_SPELLINGS_NO = ["否", "否", "否", "未建", "N"]


def messy(rng: random.Random, enterprises: list[dict]) -> list[list[str]]:
    """The ledger as the county unions typed it: mixed spellings, units, duplicates, gaps."""
    out = []
    for e in enterprises:
        city = e["city"]
        r = rng.random()
        if r < 0.3:
            city = city + "市"
        elif r < 0.38:
            city = f" {city} "
        emp = str(e["employees"])
        r = rng.random()
        if r < 0.12:
            emp = f"{emp}人"
        elif r < 0.2 and e["employees"] >= 1000:
            emp = f"{e['employees']:,}"
        founded = rng.choice(BOOL_SPELLINGS_YES if e["union_founded"] else BOOL_SPELLINGS_NO)
        out.append(
            [
                e["enterprise_id"],
                e["name"],
                city,
                e["district"],
                e["district_type"],
                e["industry"],
                emp,
                str(e["migrant_workers"]),
                founded,
                "" if e["union_year"] is None else str(e["union_year"]),
                str(e["members"]),
                f"{e['legal_aid_km']:.1f}",
                str(e["legal_aid_minutes"]),
                e["nearest_station_id"],
                e["zone_id"],
            ]
        )
    # the same enterprise exported twice by two township unions
    for row in rng.sample(out, 14):
        out.append(list(row))
    # enterprises still being checked: no head count yet (set aside by the cleaning step)
    for k, (city, code, *_rest) in enumerate(rng.sample(CITIES, 5), start=1):
        out.append(
            [
                f"E{code}9{k:03d}",
                f"{city}待核实企业{k}",
                city,
                "",
                "",
                "制造业",
                "",
                "",
                "否",
                "",
                "0",
                "",
                "",
                "",
                "",
            ]
        )
    rng.shuffle(out)
    return out


def write_csv(path: Path, header: list[str], rows: list, encoding: str = "utf-8") -> None:
    with path.open("w", newline="", encoding=encoding) as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        for row in rows:
            if isinstance(row, dict):
                row = ["" if row[h] is None else row[h] for h in header]
                row = [("True" if v else "False") if isinstance(v, bool) else v for v in row]
            w.writerow(row)


def main(out: Path = HERE, sources: Path | None = HERE.parent / "source") -> None:
    """Write the CSVs into `out`; copy each assignment's share into `sources` (None: skip)."""
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)
    plan, zone_rows, station_rows = district_plan(rng)
    enterprises = make_enterprises(rng, plan, zone_rows)
    staff_zones(rng, zone_rows, enterprises)
    targets = make_targets(rng)
    write_csv(out / "enterprises.csv", CLEAN_HEADER, enterprises)
    write_csv(out / "zones.csv", list(zone_rows[0]), zone_rows)
    write_csv(out / "stations.csv", list(station_rows[0]), station_rows)
    write_csv(out / "targets.csv", list(targets[0]), targets)
    write_csv(out / "enterprises_raw.csv", RAW_HEADER, messy(rng, enterprises), encoding="gbk")
    if sources is None or not sources.is_dir():  # e.g. the copy in a cadre's home has no source/
        return
    for assignment, files in ASSIGNMENT_FILES.items():
        dest = sources / assignment / "data"
        dest.mkdir(parents=True, exist_ok=True)
        for name in files:
            shutil.copyfile(out / name, dest / name)


if __name__ == "__main__":
    main()
