"""Writes the two nbgrader source notebooks of the `enrollment` course."""

# Markdown tables and test literals are prose: long lines are intended here.
# ruff: noqa: E501

from __future__ import annotations

import datetime as dt
import json
from collections import Counter

from common import COURSE, code, ek, md, nbg, notebook, sid, with_x, write, wrong_check
from data import WORKERS, expected_cover

APPLY_DATE = dt.date(2026, 9, 1)


def valid_body(area: str, ymd: str, seq: str) -> str:
    """17 digits + the right check character, even when the date is impossible."""
    body = f"{area}{ymd}{seq}"
    return body + ek.check_char(body)


# ------------------------------------------------------------------------------ a1
A1_GIVEN = """
import datetime as dt

APPLY_DATE = dt.date(2026, 9, 1)   # 本次作业统一的“申请日期”

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK_CHARS = "10X98765432"

# 省级行政区划代码（身份证号前两位）
PROVINCES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
}

# 山东省 16 个地市及代码；3712（原莱芜市）已并入济南，但旧号码仍然有效
SHANDONG_CITIES = %(cities)s
LEGACY_CODES = {"3712"}

# 各地市的区（县、市）
DISTRICTS = %(districts)s

INDUSTRIES = %(industries)s  # 八类行业性工会联合会
ZONES = %(zones)s  # 六类区域性工会联合会
"""


def literal(value) -> str:
    """A readable Python literal with double quotes and CJK kept as is."""
    if isinstance(value, dict):
        rows = "".join(f"    {literal(k)}: {literal(v)},\n" for k, v in value.items())
        return "{\n" + rows + "}"
    return json.dumps(value, ensure_ascii=False)


def a1_given() -> str:
    return A1_GIVEN % {
        "cities": literal(dict(ek.CITY_CODES)),
        "districts": literal(ek.DISTRICTS),
        "industries": literal(ek.INDUSTRIES),
        "zones": literal(ek.ZONES),
    }


A1_INTRO = """
# 作业一　身份证号校验与属地派单（共 15 分）

你要为“齐鲁工惠”网上入会写一个简化版的**申请校验和派单程序**：

1. `check_char(first17)`：按 GB 11643-1999 算出第 18 位校验码（2 分）；
2. `validate_id(number)`：校验一个身份证号，返回错误类别（4 分）；
3. `validate_mobile(text)`：校验大陆手机号（1 分）；
4. `dispatch(app)`：按**属地管理原则**决定申请派给哪里（4 分）；
5. 一道简答题（4 分，人工评分）。

> 作业中所有身份证号码都是用校验算法生成的**虚构号码**，不对应任何真实的人。

先运行下面这个单元格，它给出了作业要用的常量（不要修改）。
"""

A1_Q1 = """
## 第 1 题　校验码（2 分）

写函数 `check_char(first17)`：参数是 17 个数字组成的字符串，返回第 18 位校验码（字符串 `"0"`～`"9"` 或 `"X"`）。

算法（GB 11643-1999）：前 17 位分别乘以 `WEIGHTS` 中对应的权重并求和，得 S；r = S 除以 11 的余数；
校验码 = `CHECK_CHARS[r]`。
"""

A1_Q1_SOL = """
def check_char(first17):
    ### BEGIN SOLUTION
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS))
    return CHECK_CHARS[total % 11]
    ### END SOLUTION
"""

A1_Q2 = """
## 第 2 题　身份证号校验（4 分）

写函数 `validate_id(number)`，返回下面 6 个字符串之一：

| 返回值 | 含义 |
|---|---|
| `"OK"` | 号码有效 |
| `"长度错误"` | 去掉首尾空白后不是 18 个字符 |
| `"格式错误"` | 前 17 位不全是半角数字 0–9，或第 18 位不是 0–9 或 X |
| `"地区码错误"` | 前两位不在 `PROVINCES` 中；或者以 37 开头，但前四位既不在 `SHANDONG_CITIES` 的代码里，也不在 `LEGACY_CODES` 里 |
| `"日期错误"` | 第 7–14 位不是真实存在的日期，或年份早于 1900，或晚于 `APPLY_DATE` |
| `"校验码错误"` | 第 18 位与第 1 题算出的校验码不同 |

要求：

- 先去掉首尾空白，小写 `x` 按大写 `X` 处理；
- 按表中**从上到下**的顺序检查，返回**第一个**发现的问题；
- 注意：`str.isdigit()` 对全角数字（如“１”）也返回 `True`，这里只接受半角数字；
- 外省号码（如 41 开头的河南号码）只要各项正确，就是 `"OK"`——户籍地不影响入会。

提示：可以用 `dt.date(年, 月, 日)` 检查日期是否存在（不存在会抛出 `ValueError`）。
"""

A1_Q2_SOL = """
def validate_id(number):
    ### BEGIN SOLUTION
    text = number.strip().upper()
    if len(text) != 18:
        return "长度错误"
    digits = "0123456789"
    if any(ch not in digits for ch in text[:17]) or text[17] not in digits + "X":
        return "格式错误"
    if text[:2] not in PROVINCES:
        return "地区码错误"
    if text[:2] == "37" and text[:4] not in SHANDONG_CITIES.values() and text[:4] not in LEGACY_CODES:
        return "地区码错误"
    try:
        birth = dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return "日期错误"
    if birth.year < 1900 or birth > APPLY_DATE:
        return "日期错误"
    if text[17] != check_char(text[:17]):
        return "校验码错误"
    return "OK"
    ### END SOLUTION
"""

A1_Q3 = """
## 第 3 题　手机号（1 分）

写函数 `validate_mobile(text)`，返回 `True` 或 `False`。规则：

1. 先去掉其中所有的空格和短横线 `-`；
2. 如果以 `+86` 开头，去掉这三个字符；
3. 剩下的必须正好 11 个半角数字，第一位是 1，第二位是 3～9。
"""

A1_Q3_SOL = """
def validate_mobile(text):
    ### BEGIN SOLUTION
    s = text.replace(" ", "").replace("-", "")
    if s.startswith("+86"):
        s = s[3:]
    return (
        len(s) == 11
        and all(ch in "0123456789" for ch in s)
        and s[0] == "1"
        and s[1] in "3456789"
    )
    ### END SOLUTION
"""

A1_Q4 = """
## 第 4 题　属地派单（4 分）

写函数 `dispatch(app)`。`app` 是一个字典，例如：

```python
{"id_number": "…", "mobile": "139 6390 2468",
 "work_city": "青岛", "work_district": "黄岛区",
 "employer": "某劳务公司", "employer_union": False,
 "occupation": "钢筋工", "zone": "建设项目部"}
```

先检查，任一项不满足就返回 `None`（退回补正）：

1. `validate_id(app["id_number"])` 是 `"OK"`；
2. `validate_mobile(app["mobile"])` 是 `True`；
3. 工作地市去掉末尾的“市”字后是 `SHANDONG_CITIES` 中的 16 个地市之一（“莱芜”已不是地市）；
4. `work_district` 是该地市 `DISTRICTS` 中的一个区（县、市）。

都满足时，返回元组 `(地市, 区县, 类型)`，地市不带“市”字。类型按下面顺序确定（第 2、3 课的派单规则）：

1. `employer` 不是空字符串且 `employer_union` 为 `True` → `"本单位工会"`；
2. 否则 `occupation` 在 `INDUSTRIES` 中 → `"行业性工会联合会"`；
3. 否则 `zone` 在 `ZONES` 中 → `"区域性工会联合会"`；
4. 否则 → `"灵活就业人员联合工会"`。

**属地管理原则**：地市和区县一律取**工作地**，与身份证号上的地址码无关。
"""

A1_Q4_SOL = """
def dispatch(app):
    ### BEGIN SOLUTION
    if validate_id(app["id_number"]) != "OK" or not validate_mobile(app["mobile"]):
        return None
    city = app["work_city"].strip().removesuffix("市")
    if city not in SHANDONG_CITIES or app["work_district"] not in DISTRICTS[city]:
        return None
    if app["employer"] and app["employer_union"]:
        kind = "本单位工会"
    elif app["occupation"] in INDUSTRIES:
        kind = "行业性工会联合会"
    elif app["zone"] in ZONES:
        kind = "区域性工会联合会"
    else:
        kind = "灵活就业人员联合工会"
    return (city, app["work_district"], kind)
    ### END SOLUTION
"""

A1_WRITTEN = """
## 第 5 题　简答（4 分，人工评分）

赵某，河南籍（身份证号前两位 41），在**青岛市黄岛区**某建设项目部当钢筋工，所属劳务公司没有建立工会。
他在“齐鲁工惠”上申请入会。请回答（200～400 字）：

1. 他的申请会派到哪里？
2. 为什么按工作地、而不是按户籍地派单？
3. 明年他转到济南的工地干活，他的会籍怎么办？

**评分标准（共 4 分）：**

- 1 分：派到青岛市黄岛区的**建设项目部工会联合会**（区域性工会联合会），并说明理由（劳务公司未建会、工作场所是建设项目部）；
- 1 分：说出**属地管理原则**（《意见》第四项措施）：劳动关系、工资工时安全等问题在工作地，维权和服务要就近开展；
- 1 分：指出户籍（外省、农民身份）不影响入会权利，依据《工会法》第三条；
- 1 分：说明会籍随劳动关系变动**办理接转**而不是重新入会（《中国工会章程》第五条，“一次入会、动态接转”），会员编号与会龄连续。
"""

A1_MODEL = """
1. 派到青岛市黄岛区建设项目部工会联合会。赵某所在的劳务公司没有建会，钢筋工不属于八类行业，
   工作场所是建设项目部，所以由工作地的区域性工会联合会受理。
2. 《意见》第四项措施要求网上入会坚持属地管理原则。赵某的劳动关系在青岛黄岛，工资发放、工时、
   安全生产这些事都发生在工地上，只有工作地的工会能就近了解情况、帮他维权、组织活动；
   派回河南老家，工会既管不着用人单位，也服务不到他本人。
3. 户籍不是入会门槛：《工会法》第三条规定以工资收入为主要生活来源的劳动者都有权入会，
   不分地域和身份。明年转到济南工地后，他不用重新入会，按《中国工会章程》第五条办理会籍接转：
   黄岛区联合会转出、济南工作地的工会接收，会员编号和入会日期不变，会龄连续计算，做到流动不流失。
"""


def a1_tests() -> dict[str, str]:
    good = sid("370202", 1990, 3, 7, 123)
    x_id = with_x("371702", 1988, 8, 8)
    henan = sid("410102", 1993, 11, 20, 457)
    anhui = sid("340102", 1999, 5, 5, 448)
    beijing = sid("110105", 1970, 1, 1, 26)
    xinjiang = sid("650102", 2001, 6, 15, 333)
    laiwu = sid("371202", 1979, 1, 15, 82)
    many = [
        sid(area, y, m, d, seq)
        for area, y, m, d, seq in [
            ("370102", 1965, 4, 9, 17),
            ("370211", 1996, 12, 1, 73),
            ("370303", 1985, 9, 14, 21),
            ("370481", 1978, 2, 2, 900),
            ("370502", 2000, 2, 29, 44),
            ("370602", 1991, 7, 7, 777),
            ("370702", 1994, 2, 14, 8),
            ("370811", 1983, 10, 31, 506),
            ("371002", 2001, 11, 11, 611),
            ("371102", 1988, 5, 20, 2),
            ("371302", 1985, 10, 2, 31),
            ("371402", 1975, 1, 31, 26),
            ("371502", 1983, 7, 21, 90),
            ("371602", 1989, 3, 3, 47),
            ("371722", 1992, 4, 18, 264),
            ("420102", 1998, 8, 18, 620),
            ("440303", 2004, 3, 1, 999),
            ("510104", 1969, 12, 31, 100),
        ]
    ]
    x_many = [
        with_x(a, 1980 + i, 1 + i, 10 + i)
        for i, a in enumerate(["370102", "370203", "371326", "410105", "371402"])
    ]

    check_hidden = "\n".join(f"assert check_char({n[:17]!r}) == {n[17]!r}" for n in many + x_many)
    q1 = f"""
assert check_char({good[:17]!r}) == {good[17]!r}
assert check_char({x_id[:17]!r}) == "X"
### BEGIN HIDDEN TESTS
{check_hidden}
### END HIDDEN TESTS
"""
    full_width = good[:5] + "２" + good[6:]
    id_cases = (
        [
            # (number, expected, note)
            (good, "OK", "山东·青岛"),
            (x_id.lower(), "OK", "末位小写 x"),
            (f"  {good} ", "OK", "首尾空白"),
            (henan, "OK", "外省号码同样有效"),
            (anhui, "OK", "外省"),
            (beijing, "OK", "外省"),
            (xinjiang, "OK", "外省"),
            (laiwu, "OK", "3712 原莱芜市号码仍有效"),
            (good[:17], "长度错误", "17 位"),
            (good + "1", "长度错误", "19 位"),
            ("370303850914021", "长度错误", "15 位旧号码"),
            ("", "长度错误", "空"),
            (good[:8] + "A" + good[9:], "格式错误", "中间有字母"),
            (good[:10] + "X" + good[11:], "格式错误", "X 只能在末位"),
            (good[:17] + "Y", "格式错误", "末位不是数字或 X"),
            (full_width, "格式错误", "全角数字"),
            (valid_body("990102", "19900307", "123"), "地区码错误", "99 不是省级代码"),
            (valid_body("710102", "19900307", "123"), "地区码错误", "不在 PROVINCES 中"),
            (valid_body("379901", "19900307", "123"), "地区码错误", "3799 不是山东地市"),
            (valid_body("370002", "19900307", "123"), "地区码错误", "3700 不是山东地市"),
            (valid_body("379901", "19910229", "123"), "地区码错误", "先查地区码再查日期"),
            (valid_body("370102", "19910229", "123"), "日期错误", "1991 年不是闰年"),
            (valid_body("370102", "20000229", "123"), "OK", "2000 年是闰年"),
            (valid_body("370102", "19901301", "123"), "日期错误", "13 月"),
            (valid_body("370102", "19900400", "123"), "日期错误", "0 日"),
            (valid_body("370102", "19900431", "123"), "日期错误", "4 月 31 日"),
            (valid_body("370102", "18991231", "123"), "日期错误", "早于 1900"),
            (valid_body("370102", "20270101", "123"), "日期错误", "晚于申请日期"),
            (valid_body("370102", "20260902", "123"), "日期错误", "申请日期的第二天"),
            (valid_body("370102", "20260901", "123"), "OK", "恰好是申请日期"),
            (valid_body("370102", "19000101", "123"), "OK", "1900-01-01"),
            (wrong_check(good), "校验码错误", "末位改错"),
            (x_id[:17] + "0", "校验码错误", "应为 X"),
            (wrong_check(henan), "校验码错误", "外省号码也要查校验码"),
            (
                good[:-2] + good[-1] + good[-2] if good[-1] != good[-2] else wrong_check(good),
                "校验码错误",
                "末两位颠倒",
            ),
        ]
        + [(n, "OK", "批量") for n in many + x_many]
        + [(wrong_check(n), "校验码错误", "批量") for n in many[:8]]
    )
    visible_ids = id_cases[:1] + id_cases[1:2] + id_cases[8:9] + [id_cases[31]]
    vis = "\n".join(f"assert validate_id({n!r}) == {e!r}  # {note}" for n, e, note in visible_ids)
    hid = "\n".join(f"assert validate_id({n!r}) == {e!r}, {note!r}" for n, e, note in id_cases)
    q2 = f"""
{vis}
### BEGIN HIDDEN TESTS
{hid}
### END HIDDEN TESTS
"""
    q3 = """
assert validate_mobile("13805312019") is True
assert validate_mobile("1380531201") is False
### BEGIN HIDDEN TESTS
assert validate_mobile("+86 138-0531-2019") is True
assert validate_mobile(" 159 6688 1234 ") is True
assert validate_mobile("199-0000-1111") is True
assert validate_mobile("12805312019") is False
assert validate_mobile("10805312019") is False
assert validate_mobile("23805312019") is False
assert validate_mobile("138053120190") is False
assert validate_mobile("1380531201a") is False
assert validate_mobile("１３８０５３１２０１９") is False
assert validate_mobile("") is False
assert validate_mobile("+86") is False
assert validate_mobile("+8613805312019") is True
### END HIDDEN TESTS
"""
    base = {
        "id_number": henan,
        "mobile": "139 6390 2468",
        "work_city": "青岛",
        "work_district": "黄岛区",
        "employer": "某劳务公司",
        "employer_union": False,
        "occupation": "钢筋工",
        "zone": "建设项目部",
    }
    rider = {
        "id_number": x_id.lower(),
        "mobile": "15866001234",
        "work_city": "济南",
        "work_district": "历城区",
        "employer": "",
        "employer_union": False,
        "occupation": "网约送餐员",
        "zone": "",
    }

    def case(src: dict, **changes) -> dict:
        return {**src, **changes}

    dispatch_cases = [
        (base, ("青岛", "黄岛区", "区域性工会联合会")),
        (rider, ("济南", "历城区", "行业性工会联合会")),
        (case(base, id_number=wrong_check(henan)), None),
        (case(base, employer_union=True), ("青岛", "黄岛区", "本单位工会")),
        (case(base, employer_union=True, occupation="物流快递员"), ("青岛", "黄岛区", "本单位工会")),
        (case(rider, employer_union=True), ("济南", "历城区", "行业性工会联合会")),
        (case(base, occupation="物流快递员"), ("青岛", "黄岛区", "行业性工会联合会")),
        (case(base, occupation="快递员"), ("青岛", "黄岛区", "区域性工会联合会")),
        (case(base, zone="无"), ("青岛", "黄岛区", "灵活就业人员联合工会")),
        (case(base, zone=""), ("青岛", "黄岛区", "灵活就业人员联合工会")),
        (case(base, work_city="青岛市"), ("青岛", "黄岛区", "区域性工会联合会")),
        (case(base, work_city="莱芜", work_district="莱芜区"), None),
        (case(base, work_city="济南", work_district="莱芜区"), ("济南", "莱芜区", "区域性工会联合会")),
        (case(base, work_city="济南"), None),
        (case(base, work_city="郑州", work_district="中原区"), None),
        (case(base, mobile="1396390246"), None),
        (case(base, mobile="+86 139-6390-2468"), ("青岛", "黄岛区", "区域性工会联合会")),
        (
            case(base, id_number=anhui, work_city="临沂", work_district="兰山区", zone="工业园区"),
            ("临沂", "兰山区", "区域性工会联合会"),
        ),
        (
            case(rider, id_number=laiwu, work_city="威海", work_district="荣成市", occupation="货运驾驶员"),
            ("威海", "荣成市", "行业性工会联合会"),
        ),
        (
            case(
                rider, id_number=good, work_city="菏泽", work_district="曹县", occupation="厨师", zone="村居"
            ),
            ("菏泽", "曹县", "区域性工会联合会"),
        ),
        (
            case(rider, id_number=good, work_city="聊城", work_district="东昌府区", occupation="理发师"),
            ("聊城", "东昌府区", "灵活就业人员联合工会"),
        ),
        (case(rider, id_number=valid_body("370102", "19910229", "123")), None),
        (case(rider, id_number=good[:17]), None),
        (
            case(
                base,
                employer="某商场",
                employer_union=True,
                work_city="枣庄",
                work_district="市中区",
                occupation="商场信息员",
                zone="楼宇",
            ),
            ("枣庄", "市中区", "本单位工会"),
        ),
        (
            case(base, work_city="日照", work_district="岚山区", occupation="保安保洁员", zone="楼宇"),
            ("日照", "岚山区", "行业性工会联合会"),
        ),
        (
            case(
                base,
                work_city="潍坊",
                work_district="寿光市",
                occupation="大棚种植工",
                zone="农业专业合作组织",
            ),
            ("潍坊", "寿光市", "区域性工会联合会"),
        ),
    ]
    vis4 = "\n".join(f"assert dispatch({a!r}) == {e!r}" for a, e in dispatch_cases[:3])
    hid4 = "\n".join(f"assert dispatch({a!r}) == {e!r}" for a, e in dispatch_cases[3:])
    q4a = f"""
{vis4}
### BEGIN HIDDEN TESTS
{hid4}
### END HIDDEN TESTS
"""
    # second test cell: the result must be a tuple exactly (hidden), and territorial checks
    q4b = f"""
# 属地管理原则：派单看工作地，不看身份证上的户籍地
app = {base!r}
assert dispatch(app)[0] == "青岛"
### BEGIN HIDDEN TESTS
assert isinstance(dispatch(app), tuple) and len(dispatch(app)) == 3
for city, code in SHANDONG_CITIES.items():
    district = DISTRICTS[city][-1]
    got = dispatch({{**app, "work_city": city, "work_district": district}})
    assert got == (city, district, "区域性工会联合会"), (city, got)
    got = dispatch({{**app, "work_city": city + "市", "work_district": DISTRICTS[city][0]}})
    assert got == (city, DISTRICTS[city][0], "区域性工会联合会"), (city, got)
for zone in ZONES:
    assert dispatch({{**app, "zone": zone}})[2] == "区域性工会联合会"
for occupation in INDUSTRIES:
    assert dispatch({{**app, "occupation": occupation}})[2] == "行业性工会联合会"
    assert dispatch({{**app, "occupation": occupation, "employer_union": True}})[2] == "本单位工会"
### END HIDDEN TESTS
"""
    return {"q1": q1, "q2": q2, "q3": q3, "q4a": q4a, "q4b": q4b}


def a1_notebook():
    tests = a1_tests()
    return notebook(
        [
            nbg(md(A1_INTRO), "a1-intro", locked=True),
            nbg(code(a1_given()), "a1-given", locked=True),
            nbg(md(A1_Q1), "a1-q1-text", locked=True),
            nbg(code(A1_Q1_SOL), "a1-check-char", solution=True),
            nbg(code(tests["q1"]), "a1-test-check-char", grade=True, locked=True, points=2),
            nbg(md(A1_Q2), "a1-q2-text", locked=True),
            nbg(code(A1_Q2_SOL), "a1-validate-id", solution=True),
            nbg(code(tests["q2"]), "a1-test-validate-id", grade=True, locked=True, points=4),
            nbg(md(A1_Q3), "a1-q3-text", locked=True),
            nbg(code(A1_Q3_SOL), "a1-validate-mobile", solution=True),
            nbg(code(tests["q3"]), "a1-test-validate-mobile", grade=True, locked=True, points=1),
            nbg(md(A1_Q4), "a1-q4-text", locked=True),
            nbg(code(A1_Q4_SOL), "a1-dispatch", solution=True),
            nbg(code(tests["q4a"]), "a1-test-dispatch-rules", grade=True, locked=True, points=2),
            nbg(code(tests["q4b"]), "a1-test-dispatch-territorial", grade=True, locked=True, points=2),
            nbg(md(A1_WRITTEN), "a1-q5-text", locked=True),
            nbg(md(A1_MODEL), "a1-q5-answer", grade=True, solution=True, points=4),
        ]
    )


# ------------------------------------------------------------------------------ a2
A2_INTRO = """
# 作业二　谁来覆盖：联合会判定与骑手组织方案（共 18 分）

`data/workers.csv` 是某区工会摸底得到的 24 名职工（教学虚构数据）。列的含义：

| 列 | 含义 |
|---|---|
| 编号、姓名 | 职工编号和化名 |
| 职业 | 例如“网约送餐员”“钢筋工” |
| 用人单位 | 没有固定用人单位的为空 |
| 单位已建会 | “是”“否”，没有单位的为空 |
| 工作场所 | 六类区域之一，或“无” |

本作业：

1. `cover(worker)`：判定每名职工由哪个组织覆盖（4 分）；
2. `coverage_counts(df)` 与 `second_coverage(df)`：汇总覆盖情况（2 分）；
3. `advice(staff, members, has_union)`：给单位的建会建议（2 分）；
4. 网约送餐员组织方案（10 分，人工评分）。

先运行下面的单元格读入数据（不要修改）。
"""

A2_GIVEN = """
import pandas as pd

INDUSTRIES = %(industries)s  # 八类行业性工会联合会
ZONES = %(zones)s  # 六类区域性工会联合会

workers = pd.read_csv("data/workers.csv", dtype=str, keep_default_na=False)
workers.head(8)
"""

A2_Q1 = """
## 第 1 题　由谁覆盖（4 分）

写函数 `cover(worker)`。`worker` 是一个字典（`workers` 表中的一行），函数给出覆盖这名职工的组织名称：

1. `用人单位` 不为空且 `单位已建会` 为 `"是"` → `"本单位工会"`；
2. 否则 `职业` 在 `INDUSTRIES` 中 → `职业 + "工会联合会"`，如 `"网约送餐员工会联合会"`（行业性，“二次覆盖”）；
3. 否则 `工作场所` 在 `ZONES` 中 → `工作场所 + "工会联合会"`，如 `"楼宇工会联合会"`（区域性）；
4. 否则 → `"灵活就业人员联合工会"`（乡镇、街道总工会所建）。

依据：《意见》第三项措施（区域性、行业性工会联合会）、第四项措施（灵活就业人员联合工会）。
"""

A2_Q1_SOL = """
def cover(worker):
    ### BEGIN SOLUTION
    if worker["用人单位"] and worker["单位已建会"] == "是":
        return "本单位工会"
    if worker["职业"] in INDUSTRIES:
        return worker["职业"] + "工会联合会"
    if worker["工作场所"] in ZONES:
        return worker["工作场所"] + "工会联合会"
    return "灵活就业人员联合工会"
    ### END SOLUTION
"""

A2_Q2 = """
## 第 2 题　汇总（2 分）

1. `coverage_counts(df)`：对表 `df` 中每名职工调用 `cover`，返回字典 `{组织名称: 人数}`；
2. `second_coverage(df)`：返回“二次覆盖”职工的**编号列表**（按表中顺序）。本题中“二次覆盖”指：
   有用人单位、单位**未建会**（`单位已建会` 为 `"否"`），并由**行业性**工会联合会覆盖的职工。
"""

A2_Q2_SOL = """
def coverage_counts(df):
    ### BEGIN SOLUTION
    counts = {}
    for worker in df.to_dict("records"):
        name = cover(worker)
        counts[name] = counts.get(name, 0) + 1
    return counts
    ### END SOLUTION


def second_coverage(df):
    ### BEGIN SOLUTION
    return [
        w["编号"]
        for w in df.to_dict("records")
        if w["用人单位"] and w["单位已建会"] == "否" and w["职业"] in INDUSTRIES
    ]
    ### END SOLUTION
"""

A2_Q3 = """
## 第 3 题　建会建议（2 分）

写函数 `advice(staff, members, has_union)`（职工人数、已有会员人数、是否已建会），按顺序返回：

1. 已建会 → `"已建会"`；
2. 职工 100 人以上（含 100）→ `"重点建会"`（《意见》第二项措施：百人以上企业全部建会）；
3. 会员 25 人以上（含 25）→ `"应建委员会"`（《工会法》第十一条）；
4. 其余 → `"联合建会或组织员"`（《工会法》第十一条：不足 25 人可单独或联合建会，或选举组织员）。
"""

A2_Q3_SOL = """
def advice(staff, members, has_union):
    ### BEGIN SOLUTION
    if has_union:
        return "已建会"
    if staff >= 100:
        return "重点建会"
    if members >= 25:
        return "应建委员会"
    return "联合建会或组织员"
    ### END SOLUTION
"""

A2_WRITTEN = """
## 第 4 题　网约送餐员组织方案（10 分，人工评分）

**情境（教学虚构）：** 某市某区约有 3,200 名网约送餐员，接两家平台的订单，由 9 家配送代理商（站点）
用工和结算，约六成来自省内其他地市和外省。目前只有 1 家代理商建了工会（会员 40 人）。
区总工会请你起草一份**组织骑手入会的工作方案**（600～900 字）。

**评分标准（共 10 分）：**

1. **对象与依据（2 分）**：说明骑手有权入会，依据《工会法》第三条（2021 年修正，新就业形态劳动者），
   入会不看户籍、不看是否签劳动合同（各 1 分）。
2. **组织形式（2 分）**：依托区总工会建立区级**网约送餐员行业性工会联合会**，依托行业主管部门、
   平台和代理商，对未建会站点“二次覆盖”（《意见》第三项措施）（1 分）；已建会代理商的会员留在本单位工会，
   会员达 25 人的代理商推动单独建会（《工会法》第十一条），站点可设工会小组（1 分）。
3. **入会渠道（2 分）**：用“齐鲁工惠”网上入会：网上申请、平台按属地派单、联合会线上办理（1 分）；
   在商圈、骑手集中点设流动服务窗口，现场帮办，坚持实名（1 分）（《意见》第四项措施）。
4. **会籍管理（1 分）**：实名登记、查重；骑手流动大，换区、换城时办理接转，一次入会、动态接转
   （《中国工会章程》第五条）。
5. **服务吸引（2 分）**：至少两项具体服务并说明为什么骑手需要，例如：劳动报酬、社保诉求的“零门槛”法律援助，
   12351 热线，互助医疗保险，休息驿站（《意见》第五、六项措施）。只罗列不说明的得 1 分。
6. **目标与进度（1 分）**：给出可衡量的目标和时间表（如三个月内入会人数、站点覆盖数），
   并说明怎样用“智慧工会”数据库核查。
"""

A2_MODEL = """
**一、对象和依据。** 全区约 3,200 名网约送餐员，靠送餐报酬生活，属于《工会法》第三条（2021 年修正）
保障的新就业形态劳动者，有权参加和组织工会。入会不看户籍（六成外地骑手同样可以入会），
也不以是否与平台签订劳动合同为前提。

**二、组织形式。** 由区总工会牵头，依托商务、市场监管等行业主管部门和两家平台的区域负责人，
建立“区网约送餐员工会联合会”，吸收 8 家未建会代理商的骑手，实现行业“二次覆盖”（《意见》第三项措施）。
已建会代理商的 40 名会员留在本单位工会，联合会与其联动。每个站点设工会小组、推选小组长；
某站点会员达到 25 人的，推动代理商单独建立基层工会委员会（《工会法》第十一条）。

**三、入会渠道。** 以“齐鲁工惠”网上入会为主：骑手扫码申请，平台按属地派到区联合会，联合会 3 个工作日内
线上受理；在两个主要商圈和午晚高峰间隙的骑手集中点设流动服务窗口，帮骑手当场填报并核对身份证号、手机号，
坚持实名（《意见》第四项措施）。

**四、会籍管理。** 联合会建立骑手会员实名名册，每月按身份证号查重；骑手跳槽到其他代理商仍在本区的，
在联合会内部变更站点；去外区外市的，办理会籍接转，不重新入会（《中国工会章程》第五条，一次入会、动态接转）。

**五、服务吸引。** ① 骑手最常见的纠纷是扣款、报酬结算和工伤，联合会联系区工会法律援助站，对劳动报酬、
社会保险诉求提供“零门槛”援助，并公布 12351 热线；② 为入会骑手办理互助医疗保险，降低交通意外后的负担；
③ 在商圈建设 3 处骑手驿站，提供饮水、充电、休息（《意见》第五、六项措施）。

**六、目标与进度。** 第 1 个月建立联合会、完成 9 家代理商摸底；第 3 个月前入会 1,500 人、覆盖全部站点；
年底前入会 2,500 人。每月从“智慧工会”数据库导出名册核对人数和查重结果，向区总工会报告。
"""


def a2_tests() -> dict[str, str]:
    expected = expected_cover()
    counts = dict(Counter(expected.values()))
    second = [row[0] for row in WORKERS if row[3] and row[4] == "否" and row[2] in ek.INDUSTRIES]
    q1a = """
assert cover({"编号": "X1", "姓名": "甲", "职业": "网约送餐员", "用人单位": "", "单位已建会": "", "工作场所": "无"}) == "网约送餐员工会联合会"
assert cover({"编号": "X2", "姓名": "乙", "职业": "焊工", "用人单位": "某机械厂", "单位已建会": "是", "工作场所": "工业园区"}) == "本单位工会"
### BEGIN HIDDEN TESTS
def w(职业, 用人单位="", 单位已建会="", 工作场所="无"):
    return {"编号": "T", "姓名": "测", "职业": 职业, "用人单位": 用人单位, "单位已建会": 单位已建会, "工作场所": 工作场所}

assert cover(w("物流快递员", "某网点", "否", "街面")) == "物流快递员工会联合会"
assert cover(w("物流快递员", "某快递公司", "是", "街面")) == "本单位工会"
assert cover(w("前台文员", "某公司", "否", "楼宇")) == "楼宇工会联合会"
assert cover(w("网约车司机")) == "灵活就业人员联合工会"
assert cover(w("搬运工", "", "", "工业园区")) == "工业园区工会联合会"
assert cover(w("厨师", "某饭店", "否", "无")) == "灵活就业人员联合工会"
assert cover(w("快递员", "某网点", "否", "街面")) == "街面工会联合会"
assert cover(w("家政服务员", "", "是", "村居")) == "家政服务员工会联合会"
for industry in INDUSTRIES:
    assert cover(w(industry)) == industry + "工会联合会"
    assert cover(w(industry, "某单位", "否", "楼宇")) == industry + "工会联合会"
    assert cover(w(industry, "某单位", "是", "楼宇")) == "本单位工会"
for zone in ZONES:
    assert cover(w("其他", "某单位", "否", zone)) == zone + "工会联合会"
    assert cover(w("其他", "", "", zone)) == zone + "工会联合会"
### END HIDDEN TESTS
"""
    q1b = f"""
result = {{row["编号"]: cover(row) for row in workers.to_dict("records")}}
assert len(result) == 24
assert result["W01"] == "网约送餐员工会联合会"
### BEGIN HIDDEN TESTS
EXPECTED = {expected!r}
for key, value in EXPECTED.items():
    assert result[key] == value, (key, result[key], value)
### END HIDDEN TESTS
"""
    q2 = f"""
counts = coverage_counts(workers)
assert sum(counts.values()) == 24
assert counts["本单位工会"] == {counts["本单位工会"]}
assert isinstance(second_coverage(workers), list)
### BEGIN HIDDEN TESTS
assert counts == {counts!r}
assert second_coverage(workers) == {second!r}
small = pd.DataFrame([
    {{"编号": "S1", "姓名": "甲", "职业": "网约送餐员", "用人单位": "某站", "单位已建会": "否", "工作场所": "无"}},
    {{"编号": "S2", "姓名": "乙", "职业": "网约送餐员", "用人单位": "", "单位已建会": "", "工作场所": "无"}},
    {{"编号": "S3", "姓名": "丙", "职业": "保安保洁员", "用人单位": "某物业", "单位已建会": "是", "工作场所": "楼宇"}},
    {{"编号": "S4", "姓名": "丁", "职业": "保安保洁员", "用人单位": "某物业", "单位已建会": "否", "工作场所": "楼宇"}},
])
assert coverage_counts(small) == {{"网约送餐员工会联合会": 2, "本单位工会": 1, "保安保洁员工会联合会": 1}}
assert second_coverage(small) == ["S1", "S4"]
assert second_coverage(small.iloc[[1, 2]]) == []
### END HIDDEN TESTS
"""
    q3 = """
assert advice(60, 31, False) == "应建委员会"
assert advice(12, 3, False) == "联合建会或组织员"
### BEGIN HIDDEN TESTS
assert advice(180, 12, False) == "重点建会"
assert advice(100, 0, False) == "重点建会"
assert advice(99, 0, False) == "联合建会或组织员"
assert advice(99, 25, False) == "应建委员会"
assert advice(30, 24, False) == "联合建会或组织员"
assert advice(500, 400, True) == "已建会"
assert advice(10, 10, True) == "已建会"
assert advice(120, 40, False) == "重点建会"
assert advice(0, 0, False) == "联合建会或组织员"
### END HIDDEN TESTS
"""
    return {"q1a": q1a, "q1b": q1b, "q2": q2, "q3": q3}


def a2_notebook():
    tests = a2_tests()
    given = A2_GIVEN % {"industries": literal(ek.INDUSTRIES), "zones": literal(ek.ZONES)}
    return notebook(
        [
            nbg(md(A2_INTRO), "a2-intro", locked=True),
            nbg(code(given), "a2-given", locked=True),
            nbg(md(A2_Q1), "a2-q1-text", locked=True),
            nbg(code(A2_Q1_SOL), "a2-cover", solution=True),
            nbg(code(tests["q1a"]), "a2-test-cover-rules", grade=True, locked=True, points=2),
            nbg(code(tests["q1b"]), "a2-test-cover-list", grade=True, locked=True, points=2),
            nbg(md(A2_Q2), "a2-q2-text", locked=True),
            nbg(code(A2_Q2_SOL), "a2-summary", solution=True),
            nbg(code(tests["q2"]), "a2-test-summary", grade=True, locked=True, points=2),
            nbg(md(A2_Q3), "a2-q3-text", locked=True),
            nbg(code(A2_Q3_SOL), "a2-advice", solution=True),
            nbg(code(tests["q3"]), "a2-test-advice", grade=True, locked=True, points=2),
            nbg(md(A2_WRITTEN), "a2-q4-text", locked=True),
            nbg(md(A2_MODEL), "a2-q4-plan", grade=True, solution=True, points=10),
        ]
    )


def build() -> None:
    write(a1_notebook(), COURSE / "source" / "a1-id-dispatch" / "a1-id-dispatch.ipynb")
    write(a2_notebook(), COURSE / "source" / "a2-coverage" / "a2-coverage.ipynb")


if __name__ == "__main__":
    build()
