"""Widgets and pure rules for the `enrollment` course (入会与会籍管理).

Everything a lesson shows is computed by a plain function here, so tests can call the
functions directly and drive the widgets (set values, click, read the output HTML).

Rules and their sources:
- resident ID check character: GB 11643-1999 (weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2,
  sum mod 11 -> "10X98765432");
- dispatch by the workplace (属地管理原则): 2019 Shandong opinion on migrant workers joining
  unions, measure 4 (创新入会形式、拓展入会渠道);
- regional / industry federations and "二次覆盖": the same opinion, measure 3;
- 25 members -> grassroots committee: 工会法 §11; who may join: 工会法 §3;
- transfers: 《中国工会章程》第五条 (membership follows the employment relation).

All ID numbers in this course are synthetic: built with `make_synthetic_id`.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass, field

import ipywidgets as widgets

from airclass.core.cities import CITY_CODES

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"

CITY_BY_CODE = {code: name for name, code in CITY_CODES.items()}
# 莱芜 (3712) was merged into 济南 in January 2019: numbers issued there stay valid for life.
LEGACY_CITY_CODES = {"3712": "济南"}

PROVINCES = {
    "11": "北京",
    "12": "天津",
    "13": "河北",
    "14": "山西",
    "15": "内蒙古",
    "21": "辽宁",
    "22": "吉林",
    "23": "黑龙江",
    "31": "上海",
    "32": "江苏",
    "33": "浙江",
    "34": "安徽",
    "35": "福建",
    "36": "江西",
    "37": "山东",
    "41": "河南",
    "42": "湖北",
    "43": "湖南",
    "44": "广东",
    "45": "广西",
    "46": "海南",
    "50": "重庆",
    "51": "四川",
    "52": "贵州",
    "53": "云南",
    "54": "西藏",
    "61": "陕西",
    "62": "甘肃",
    "63": "青海",
    "64": "宁夏",
    "65": "新疆",
}

DISTRICTS: dict[str, list[str]] = {
    "济南": [
        "历下区",
        "市中区",
        "槐荫区",
        "天桥区",
        "历城区",
        "长清区",
        "章丘区",
        "济阳区",
        "莱芜区",
        "钢城区",
        "平阴县",
        "商河县",
    ],
    "青岛": [
        "市南区",
        "市北区",
        "黄岛区",
        "崂山区",
        "李沧区",
        "城阳区",
        "即墨区",
        "胶州市",
        "平度市",
        "莱西市",
    ],
    "淄博": ["淄川区", "张店区", "博山区", "临淄区", "周村区", "桓台县", "高青县", "沂源县"],
    "枣庄": ["市中区", "薛城区", "峄城区", "台儿庄区", "山亭区", "滕州市"],
    "东营": ["东营区", "河口区", "垦利区", "利津县", "广饶县"],
    "烟台": [
        "芝罘区",
        "福山区",
        "牟平区",
        "莱山区",
        "蓬莱区",
        "龙口市",
        "莱阳市",
        "莱州市",
        "招远市",
        "栖霞市",
        "海阳市",
    ],
    "潍坊": [
        "潍城区",
        "寒亭区",
        "坊子区",
        "奎文区",
        "临朐县",
        "昌乐县",
        "青州市",
        "诸城市",
        "寿光市",
        "安丘市",
        "高密市",
        "昌邑市",
    ],
    "济宁": [
        "任城区",
        "兖州区",
        "微山县",
        "鱼台县",
        "金乡县",
        "嘉祥县",
        "汶上县",
        "泗水县",
        "梁山县",
        "曲阜市",
        "邹城市",
    ],
    "泰安": ["泰山区", "岱岳区", "宁阳县", "东平县", "新泰市", "肥城市"],
    "威海": ["环翠区", "文登区", "荣成市", "乳山市"],
    "日照": ["东港区", "岚山区", "五莲县", "莒县"],
    "临沂": [
        "兰山区",
        "罗庄区",
        "河东区",
        "沂南县",
        "郯城县",
        "沂水县",
        "兰陵县",
        "费县",
        "平邑县",
        "莒南县",
        "蒙阴县",
        "临沭县",
    ],
    "德州": [
        "德城区",
        "陵城区",
        "宁津县",
        "庆云县",
        "临邑县",
        "齐河县",
        "平原县",
        "夏津县",
        "武城县",
        "乐陵市",
        "禹城市",
    ],
    "聊城": ["东昌府区", "茌平区", "阳谷县", "莘县", "东阿县", "冠县", "高唐县", "临清市"],
    "滨州": ["滨城区", "沾化区", "惠民县", "阳信县", "无棣县", "博兴县", "邹平市"],
    "菏泽": ["牡丹区", "定陶区", "曹县", "单县", "成武县", "巨野县", "郓城县", "鄄城县", "东明县"],
}

# 《意见》第三项措施: where regional federations are built, and the industry federations.
ZONES = ["工业园区", "建设项目部", "村居", "街面", "楼宇", "农业专业合作组织"]
INDUSTRIES = [
    "货运驾驶员",
    "物流快递员",
    "护工护理员",
    "家政服务员",
    "商场信息员",
    "网约送餐员",
    "房产中介员",
    "保安保洁员",
]

MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
DIGITS17 = re.compile(r"^[0-9]{17}$")
ID_FORMAT = re.compile(r"^[0-9]{17}[0-9X]$")


# ---------------------------------------------------------------- ID numbers (GB 11643-1999)
def check_char(first17: str) -> str:
    """The 18th character for 17 digits: weighted sum mod 11, then "10X98765432"."""
    if not DIGITS17.fullmatch(first17):
        raise ValueError("需要正好 17 位半角数字")
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def weighted_terms(first17: str) -> list[tuple[int, int, int]]:
    """(digit, weight, product) for each of the 17 digits, for the worked example."""
    return [(int(d), w, int(d) * w) for d, w in zip(first17, WEIGHTS, strict=True)]


def make_synthetic_id(area: str, birth: dt.date, seq: int) -> str:
    """A made-up but well-formed number: 6-digit area, birth date, 3-digit sequence, check."""
    if len(area) != 6 or not area.isdigit() or not 0 <= seq <= 999:
        raise ValueError("area must be 6 digits and seq 0-999")
    body = f"{area}{birth:%Y%m%d}{seq:03d}"
    return body + check_char(body)


@dataclass(frozen=True)
class IdCheck:
    ok: bool
    reason: str
    province: str = ""
    city: str = ""  # Shandong city of the number's area code ('' outside Shandong)
    birth: dt.date | None = None
    sex: str = ""


def validate_id(number: str, today: dt.date | None = None) -> IdCheck:
    """Check an 18-character resident ID number; the reason is shown to the applicant."""
    today = today or dt.date.today()
    text = (number or "").strip().upper()
    if len(text) != 18:
        extra = "（15 位为一代旧号码，请按新号码填写）" if len(text) == 15 else ""
        return IdCheck(False, f"长度应为 18 位，现在是 {len(text)} 位{extra}")
    if not ID_FORMAT.fullmatch(text):
        return IdCheck(False, "前 17 位必须是半角数字，最后一位是数字或 X")
    province = PROVINCES.get(text[:2])
    if province is None:
        return IdCheck(False, f"前两位 {text[:2]} 不是有效的省级行政区划代码")
    city = ""
    if text[:2] == "37":
        code = text[:4]
        if code in CITY_BY_CODE:
            city = CITY_BY_CODE[code]
        elif code in LEGACY_CITY_CODES:
            city = LEGACY_CITY_CODES[code]
        else:
            return IdCheck(False, f"{code} 不是山东省的地市代码", province)
    try:
        birth = dt.datetime.strptime(text[6:14], "%Y%m%d").date()
    except ValueError:
        return IdCheck(False, f"出生日期 {text[6:14]} 不是真实的日期", province, city)
    if birth.year < 1900 or birth > today:
        return IdCheck(False, f"出生日期 {birth:%Y-%m-%d} 不合理", province, city)
    expected = check_char(text[:17])
    if text[17] != expected:
        return IdCheck(
            False, f"校验码应为 {expected}，填写的是 {text[17]}，请核对号码", province, city, birth
        )
    sex = "男" if int(text[16]) % 2 else "女"
    return IdCheck(True, "号码有效", province, city, birth, sex)


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def validate_mobile(text: str) -> tuple[bool, str]:
    """Mainland mobile number: 11 digits, 1 then 3-9; spaces, '-' and a +86 prefix allowed."""
    digits = re.sub(r"[ -]", "", text or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    if MOBILE.fullmatch(digits):
        return True, digits
    return False, "手机号应为 11 位，以 1 开头，第二位为 3～9"


# ---------------------------------------------------------------- dispatch (属地管理原则)
@dataclass(frozen=True)
class Dispatch:
    city: str
    district: str
    kind: str  # 本单位工会 | 行业性工会联合会 | 区域性工会联合会 | 灵活就业人员联合工会
    to: str
    why: str


def dispatch(
    city: str,
    district: str,
    *,
    employer: str = "",
    employer_union: bool = False,
    occupation: str = "",
    zone: str = "",
) -> Dispatch:
    """Where the platform sends an application: always to the place of work.

    Order: the employer's own union; otherwise the industry federation of the worker's
    occupation (二次覆盖); otherwise the regional federation of the zone where the work is;
    otherwise the flexible-employment joint union of the township/street federation.
    """
    city = city.strip().removesuffix("市")
    if city not in CITY_CODES:
        raise ValueError(f"{city}：不是山东省的地市，请选择工作所在的地市")
    if district not in DISTRICTS[city]:
        raise ValueError(f"{district} 不在{city}市")
    place = f"{city}市{district}"
    if employer and employer_union:
        return Dispatch(city, district, "本单位工会", f"{employer}工会", "单位已建会：由本单位工会受理")
    if occupation in INDUSTRIES:
        return Dispatch(
            city,
            district,
            "行业性工会联合会",
            f"{place}{occupation}工会联合会",
            "单位未建会或无固定单位：由工作地的行业性工会联合会“二次覆盖”",
        )
    if zone in ZONES:
        return Dispatch(
            city,
            district,
            "区域性工会联合会",
            f"{place}{zone}工会联合会",
            "单位未建会或无固定单位：由工作所在区域的区域性工会联合会受理",
        )
    return Dispatch(
        city,
        district,
        "灵活就业人员联合工会",
        f"{place}灵活就业人员联合工会",
        "没有对应的联合会：由乡镇（街道）总工会的灵活就业人员联合工会受理",
    )


# ---------------------------------------------------------------- widgets
def _ok(text: str) -> str:
    return f"<span style='color:green'>✔ {html.escape(text)}</span>"


def _bad(text: str) -> str:
    return f"<span style='color:#c00'>✘ {html.escape(text)}</span>"


class ApplicationForm(widgets.VBox):
    """齐鲁工惠-style online application: checks the ID and mobile, shows where it goes."""

    def __init__(self, today: dt.date | None = None):
        self.today = today or dt.date.today()
        self.name = widgets.Text(description="姓名", placeholder="例如：张某")
        self.id_number = widgets.Text(description="身份证号", placeholder="18 位，末位可为 X")
        self.mobile = widgets.Text(description="手机号", placeholder="11 位手机号")
        self.city = widgets.Dropdown(description="工作地市", options=list(CITY_CODES))
        self.district = widgets.Dropdown(description="区（县、市）", options=DISTRICTS["济南"])
        self.employment = widgets.ToggleButtons(
            options=["有固定用人单位", "无固定用人单位"], value="有固定用人单位"
        )
        self.employer = widgets.Text(description="用人单位", placeholder="无固定单位可不填")
        self.employer_union = widgets.Checkbox(description="本单位已建立工会", value=False)
        self.occupation = widgets.Dropdown(description="职业", options=["其他职业", *INDUSTRIES])
        self.zone = widgets.Dropdown(description="工作场所", options=["不属于以下区域", *ZONES])
        self.submit = widgets.Button(description="提交入会申请", button_style="primary")
        self.result = widgets.HTML("")
        self.city.observe(self._city_changed, names="value")
        self.submit.on_click(self._on_submit)
        for w in (self.district, self.occupation, self.zone):
            w.style = {"description_width": "initial"}
        super().__init__(
            [
                widgets.HTML("<b>职工入会申请（模拟“齐鲁工惠”网上入会）</b>"),
                self.name,
                self.id_number,
                self.mobile,
                self.city,
                self.district,
                self.employment,
                self.employer,
                self.employer_union,
                self.occupation,
                self.zone,
                self.submit,
                self.result,
            ]
        )

    def _city_changed(self, change) -> None:
        self.district.options = DISTRICTS[change["new"]]

    def evaluate(self) -> tuple[bool, list[str]]:
        """(accepted, lines of HTML) for the current inputs."""
        lines: list[str] = []
        ok = True
        if not self.name.value.strip():
            ok = False
            lines.append(_bad("请填写姓名（会员实名制：姓名须与身份证一致）"))
        check = validate_id(self.id_number.value, self.today)
        if check.ok:
            where = f"{check.province}" + (f"·{check.city}" if check.city else "")
            lines.append(_ok(f"身份证号有效：{where}，{check.birth:%Y-%m-%d} 出生，{check.sex}"))
            if age_on(check.birth, self.today) < 16:
                ok = False
                lines.append(_bad("申请人未满 16 周岁：《劳动法》第十五条禁止招用，不能作为职工入会"))
        else:
            ok = False
            lines.append(_bad(f"身份证号：{check.reason}"))
        good_mobile, text = validate_mobile(self.mobile.value)
        if good_mobile:
            lines.append(_ok(f"手机号有效：{text}"))
        else:
            ok = False
            lines.append(_bad(text))
        fixed = self.employment.value == "有固定用人单位"
        if fixed and not self.employer.value.strip():
            ok = False
            lines.append(_bad("请填写用人单位名称，或选择“无固定用人单位”"))
        if not ok:
            lines.append("<b>申请未提交：</b>请按上面的提示补正后再提交。")
            return False, lines
        target = dispatch(
            self.city.value,
            self.district.value,
            employer=self.employer.value.strip() if fixed else "",
            employer_union=fixed and self.employer_union.value,
            occupation=self.occupation.value,
            zone=self.zone.value,
        )
        lines.append(
            f"<b>平台派单：</b>{html.escape(target.to)}（{html.escape(target.kind)}）<br>"
            f"依据：{html.escape(target.why)}。按属地管理原则，以<b>工作所在地</b>"
            f"{html.escape(target.city)}市{html.escape(target.district)}为准，"
            "与身份证上的户籍地无关。"
        )
        if check.province != "山东":
            lines.append(
                f"提示：申请人户籍在{html.escape(check.province)}，在山东工作同样可以入会，派单照样按工作地。"
            )
        return True, lines

    def _on_submit(self, _button=None) -> None:
        _, lines = self.evaluate()
        self.result.value = "<br>".join(lines)


def build_application_form(today: dt.date | None = None) -> ApplicationForm:
    return ApplicationForm(today)


# ---------------------------------------------------------------- application states
FLOW: dict[str, dict[str, str]] = {
    "提交申请": {"平台派单": "系统按工作地自动分派"},
    "平台派单": {"基层工会受理": "承接工会在线签收"},
    "基层工会受理": {"审核通过": "材料齐全、符合条件", "退回补正": "材料有误，说明理由退回"},
    "退回补正": {"提交申请": "申请人补正后重新提交"},
    "审核通过": {"入会成功": "登记会籍、发放电子会员证"},
    "入会成功": {"会籍接转": "会员换了工作地或单位"},
    "会籍接转": {"入会成功": "新工会在线接收，会籍连续"},
}

STATE_NOTES = {
    "提交申请": "职工在“齐鲁工惠”填写实名信息、工作单位和工作地，提交入会申请。",
    "平台派单": "平台按属地管理原则，把申请派给工作所在地的基层工会或工会联合会。",
    "基层工会受理": "基层工会在线签收，核对身份、是否以工资收入为主要生活来源（《工会法》第三条）。",
    "退回补正": "退回时写明原因（如身份证号校验码不符、单位名称不全），申请人改正后重新提交。",
    "审核通过": "经基层工会委员会批准（《中国工会章程》第二条），可以登记会籍。",
    "入会成功": "会员实名登记进入数据库，发放会员证，按月交纳会费（《中国工会章程》第四条）。",
    "会籍接转": "会员换了单位或去了外地：原工会转出、新工会接收，凭会员证接转"
    "（《中国工会章程》第五条），一次入会、动态接转，流动不流失。",
}


def next_states(state: str) -> list[str]:
    return list(FLOW[state])


def advance(state: str, target: str) -> str:
    """Move one step; raise ValueError for a step the flow does not allow."""
    if target not in FLOW.get(state, {}):
        allowed = "、".join(FLOW.get(state, {})) or "无"
        raise ValueError(f"“{state}”之后不能直接到“{target}”（可以：{allowed}）")
    return target


class FlowStepper(widgets.VBox):
    """Step through one application's life; one button per allowed next step."""

    def __init__(self):
        self.state = "提交申请"
        self.history: list[str] = ["提交申请"]
        self.status = widgets.HTML("")
        self.buttons = widgets.HBox([])
        self.trail = widgets.HTML("")
        self.reset_button = widgets.Button(description="重新开始", icon="refresh")
        self.reset_button.on_click(lambda _b: self.reset())
        super().__init__([self.status, self.buttons, self.trail, self.reset_button])
        self._render()

    def step(self, target: str) -> None:
        self.state = advance(self.state, target)
        self.history.append(target)
        self._render()

    def reset(self) -> None:
        self.state, self.history = "提交申请", ["提交申请"]
        self._render()

    def _render(self) -> None:
        self.status.value = (
            f"<b>当前状态：{html.escape(self.state)}</b><br>{html.escape(STATE_NOTES[self.state])}"
        )
        row = []
        for target, label in FLOW[self.state].items():
            b = widgets.Button(description=f"→ {target}", tooltip=label, layout=widgets.Layout(width="auto"))
            b.on_click(lambda _b, t=target: self.step(t))
            row.append(b)
        self.buttons.children = row
        self.trail.value = "流程记录：" + " → ".join(html.escape(s) for s in self.history)

    def button_for(self, target: str) -> widgets.Button:
        for b in self.buttons.children:
            if b.description == f"→ {target}":
                return b
        raise KeyError(target)


def build_flow_stepper() -> FlowStepper:
    return FlowStepper()


# ---------------------------------------------------------------- coverage & §11 advice
def organizing_advice(staff: int, members: int, has_union: bool) -> str:
    """What a federation should do next with one employer.

    百人以上企业全部建会 (《意见》第二项措施); 25 members -> committee (工会法第十一条).
    """
    if has_union:
        return "已建会：会员由本单位工会管理"
    if staff >= 100:
        return "百人以上企业：列为建会重点，必须推动单独建会"
    if members >= 25:
        return "会员已达 25 人：应当建立基层工会委员会（工会法第十一条）"
    return (
        "不足 25 名会员：可单独建会、与其他单位联合建会，或选举组织员一人"
        "（工会法第十一条），其间由联合会兜底覆盖"
    )


class CoverageExplorer(widgets.VBox):
    """Pick a worker's situation; see which organization covers them and what to do next."""

    def __init__(self):
        self.occupation = widgets.Dropdown(description="职业", options=["其他职业", *INDUSTRIES])
        self.zone = widgets.Dropdown(description="工作场所", options=["不属于以下区域", *ZONES])
        self.has_employer = widgets.Checkbox(description="有固定用人单位", value=True)
        self.has_union = widgets.Checkbox(description="单位已建工会", value=False)
        self.staff = widgets.BoundedIntText(description="单位人数", value=12, min=0, max=100000)
        self.members = widgets.BoundedIntText(description="已有会员", value=5, min=0, max=100000)
        self.button = widgets.Button(description="判断覆盖", button_style="primary")
        self.result = widgets.HTML("")
        self.button.on_click(self._on_click)
        super().__init__(
            [
                self.occupation,
                self.zone,
                self.has_employer,
                self.has_union,
                self.staff,
                self.members,
                self.button,
                self.result,
            ]
        )

    def _on_click(self, _button=None) -> None:
        employer = "本单位" if self.has_employer.value else ""
        target = dispatch(
            "济南",
            "历城区",
            employer=employer,
            employer_union=bool(employer) and self.has_union.value,
            occupation=self.occupation.value,
            zone=self.zone.value,
        )
        lines = [
            f"<b>覆盖组织：</b>{html.escape(target.kind)}（示例地：济南市历城区）",
            html.escape(target.why),
        ]
        if target.kind == "行业性工会联合会" and employer:
            lines.append("这就是“二次覆盖”：小微企业没建会，同行业的联合会把职工兜进来。")
        if employer:
            advice = organizing_advice(self.staff.value, self.members.value, self.has_union.value)
            lines.append(f"<b>对这家单位：</b>{html.escape(advice)}")
        self.result.value = "<br>".join(lines)


def build_coverage_explorer() -> CoverageExplorer:
    return CoverageExplorer()


# ---------------------------------------------------------------- records & transfers
def audit_records(rows: list[dict], today: dt.date | None = None) -> list[dict]:
    """Problems in a member roster (会员实名制): bad IDs, duplicates, bad phones, no name.

    Each row needs the keys 会员编号, 姓名, 身份证号, 手机号. Returns one dict per problem.
    """
    problems: list[dict] = []
    seen: dict[str, str] = {}
    for row in rows:
        rid = str(row.get("会员编号", ""))
        name = str(row.get("姓名", "") or "").strip()
        number = str(row.get("身份证号", "") or "").strip().upper()
        if not name:
            problems.append({"会员编号": rid, "问题": "缺少姓名"})
        check = validate_id(number, today)
        if not check.ok:
            problems.append({"会员编号": rid, "问题": f"身份证号无效：{check.reason}"})
        elif number in seen:
            problems.append({"会员编号": rid, "问题": f"与 {seen[number]} 是同一身份证号：重复入会"})
        else:
            seen[number] = rid
        if not validate_mobile(str(row.get("手机号", "") or ""))[0]:
            problems.append({"会员编号": rid, "问题": "手机号无效或缺失"})
    return problems


@dataclass
class MemberRecord:
    member_id: str
    name: str
    joined: dt.date
    union: str
    place: str
    history: list[str] = field(default_factory=list)


def transfer(record: MemberRecord, to_union: str, to_place: str, day: dt.date) -> MemberRecord:
    """Move a member to a new union: same member id, same join date, one more history line."""
    if to_union == record.union:
        raise ValueError("转入工会与原工会相同，无需接转")
    line = f"{day:%Y-%m-%d} 由{record.place}{record.union}转出，{to_place}{to_union}接收"
    return MemberRecord(
        record.member_id, record.name, record.joined, to_union, to_place, [*record.history, line]
    )


def membership_years(record: MemberRecord, day: dt.date) -> int:
    """Whole years of membership, counted from the first join date across transfers."""
    return age_on(record.joined, day)


class TransferDesk(widgets.VBox):
    """会籍接转: move one member to a union in another city and see the record."""

    def __init__(self, record: MemberRecord, day: dt.date | None = None):
        self.record = record
        self.day = day or dt.date.today()
        self.city = widgets.Dropdown(description="新工作地市", options=list(CITY_CODES), value="青岛")
        self.district = widgets.Dropdown(description="区（县、市）", options=DISTRICTS["青岛"])
        self.union = widgets.Text(description="接收工会", value="")
        self.button = widgets.Button(description="办理接转", button_style="primary")
        self.result = widgets.HTML(self._card())
        for w in (self.city, self.district):
            w.style = {"description_width": "initial"}
        self.city.observe(lambda c: setattr(self.district, "options", DISTRICTS[c["new"]]), names="value")
        self.button.on_click(self._on_click)
        super().__init__([self.city, self.district, self.union, self.button, self.result])

    def _card(self) -> str:
        r = self.record
        hist = "<br>".join(html.escape(h) for h in r.history) or "（暂无接转）"
        return (
            f"<b>会员 {html.escape(r.name)}（编号 {html.escape(r.member_id)}）</b><br>"
            f"入会日期：{r.joined:%Y-%m-%d}；现所在工会：{html.escape(r.place + r.union)}；"
            f"会龄：{membership_years(r, self.day)} 年<br>接转记录：<br>{hist}"
        )

    def _on_click(self, _button=None) -> None:
        union = self.union.value.strip()
        if not union:
            self.result.value = _bad("请填写接收工会名称") + "<br>" + self._card()
            return
        place = f"{self.city.value}市{self.district.value}"
        try:
            self.record = transfer(self.record, union, place, self.day)
        except ValueError as exc:
            self.result.value = _bad(str(exc)) + "<br>" + self._card()
            return
        self.result.value = _ok("接转完成：会员编号和入会日期不变，会龄连续计算") + "<br>" + self._card()


def build_transfer_desk(record: MemberRecord, day: dt.date | None = None) -> TransferDesk:
    return TransferDesk(record, day)
