"""Labor-law calculators for the `labor-law` lessons: pure functions plus small widgets.

Every rule is tagged with the article that decides it, and every widget shows that
article next to the amount. The pure functions are what the tests check against
hand-worked cases; the widgets only collect inputs and format the result.

Conventions (the same as in assignment a1-calculators):
- money is rounded to 2 decimals, half up, only at the end of a calculation;
- service runs from the entry date to the last working day, both days included;
- full months are counted "对日": n months are complete when the same day of the
  month n months later (or that month's last day, if it is shorter) is not after the
  day following the last working day.
"""

from __future__ import annotations

import calendar
import datetime as dt
import html
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import ipywidgets as widgets

# 原劳动和社会保障部《关于职工全年月平均工作时间和工资折算问题的通知》（劳社部发〔2008〕3号）:
# 月计薪天数 = (365 - 104) / 12 = 21.75；小时工资 = 月工资 / 21.75 / 8。
PAY_DAYS_PER_MONTH = 21.75
HOURS_PER_DAY = 8

OVERTIME_RULES = (
    # key, label, rate, article
    ("workday", "工作日延长工作时间", 1.5, "《劳动法》第四十四条第（一）项：不低于工资的150%"),
    ("restday", "休息日工作且未安排补休", 2.0, "《劳动法》第四十四条第（二）项：不低于工资的200%"),
    ("holiday", "法定休假日工作", 3.0, "《劳动法》第四十四条第（三）项：不低于工资的300%"),
)

ART_47 = "《劳动合同法》第四十七条"
ART_82 = "《劳动合同法》第八十二条"
ART_85 = "《劳动合同法》第八十五条"
ART_87 = "《劳动合同法》第八十七条"


def round2(value: float) -> float:
    """Round money to 2 decimals, half up (1.005 -> 1.01), as a float."""
    return float(Decimal(repr(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def money(value: float) -> str:
    return f"{value:,.2f} 元"


# ---------------------------------------------------------------- overtime (劳动法 §44)


def hourly_wage(monthly_wage: float) -> float:
    """Hourly wage = monthly wage / 21.75 / 8 (unrounded)."""
    return monthly_wage / PAY_DAYS_PER_MONTH / HOURS_PER_DAY


def overtime_items(
    monthly_wage: float, workday_hours: float = 0, restday_hours: float = 0,
    holiday_hours: float = 0,
) -> list[dict]:
    """One row per kind of overtime: label, hours, rate, amount (rounded), article."""
    if monthly_wage < 0:
        raise ValueError("月工资不能为负数")
    hours = {"workday": workday_hours, "restday": restday_hours, "holiday": holiday_hours}
    if any(h < 0 for h in hours.values()):
        raise ValueError("加班小时数不能为负数")
    rows = []
    for key, label, rate, article in OVERTIME_RULES:
        amount = hourly_wage(monthly_wage) * hours[key] * rate
        rows.append({"key": key, "label": label, "hours": hours[key], "rate": rate,
                     "amount": round2(amount), "article": article})
    return rows


def overtime_pay(
    monthly_wage: float, workday_hours: float = 0, restday_hours: float = 0,
    holiday_hours: float = 0,
) -> float:
    """Total overtime pay under 《劳动法》第四十四条, rounded once at the end."""
    overtime_items(monthly_wage, workday_hours, restday_hours, holiday_hours)  # validates
    weighted = 1.5 * workday_hours + 2.0 * restday_hours + 3.0 * holiday_hours
    return round2(hourly_wage(monthly_wage) * weighted)


# ---------------------------------------------------------------- dates


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later; the month's last day when that month is shorter."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def full_months_between(start: dt.date, stop: dt.date) -> tuple[int, int]:
    """Full months and leftover days in the half-open period [start, stop)."""
    if stop < start:
        raise ValueError("结束日期不能早于开始日期")
    months = (stop.year - start.year) * 12 + (stop.month - start.month)
    while months > 0 and add_months(start, months) > stop:
        months -= 1
    return months, (stop - add_months(start, months)).days


def service_length(entry: dt.date, last_day: dt.date) -> tuple[int, int]:
    """Service from entry to last working day, both included: (full months, leftover days)."""
    if last_day < entry:
        raise ValueError("离职日期不能早于入职日期")
    return full_months_between(entry, last_day + dt.timedelta(days=1))


def describe_length(months: int, days: int) -> str:
    years, rest = divmod(months, 12)
    text = f"{years} 年 {rest} 个月"
    return text + (f" 零 {days} 天" if days else "")


# ---------------------------------------------------------------- compensation (§47, §87)


def compensation_months(entry: dt.date, last_day: dt.date) -> float:
    """Months of wage owed under 《劳动合同法》第四十七条 (before any cap).

    One month per full year; a remainder of 6 months or more counts as a year; a shorter
    remainder (even a few days) pays half a month.
    """
    months, days = service_length(entry, last_day)
    years, rest = divmod(months, 12)
    if rest >= 6:
        return float(years + 1)
    if rest > 0 or days > 0:
        return years + 0.5
    return float(years)


@dataclass
class Compensation:
    months_served: int
    days_left: int
    months_due: float          # after the 12-year cap, if it applies
    base_wage: float           # after the 3x cap, if it applies
    capped: bool
    amount: float
    notes: list[str] = field(default_factory=list)


def economic_compensation_detail(
    monthly_wage: float, entry: dt.date, last_day: dt.date, local_avg_wage: float,
) -> Compensation:
    if monthly_wage < 0 or local_avg_wage <= 0:
        raise ValueError("工资必须为正数")
    months_served, days_left = service_length(entry, last_day)
    months_due = compensation_months(entry, last_day)
    notes = [f"{ART_47}第一款：每满一年支付一个月工资；六个月以上不满一年按一年计算；"
             "不满六个月支付半个月工资。"]
    base = monthly_wage
    capped = monthly_wage > 3 * local_avg_wage
    if capped:
        base = 3 * local_avg_wage
        notes.append(f"{ART_47}第二款：月工资 {money(monthly_wage)} 高于本地区上年度职工月平均"
                     f"工资三倍（{money(base)}），按三倍数额计算，且年限最高不超过十二年。")
        if months_due > 12:
            notes.append(f"计算月数由 {months_due:g} 个月封顶为 12 个月。")
            months_due = 12.0
    return Compensation(months_served, days_left, months_due, base, capped,
                        round2(base * months_due), notes)


def economic_compensation(
    monthly_wage: float, entry: dt.date, last_day: dt.date, local_avg_wage: float,
) -> float:
    """Economic compensation under 《劳动合同法》第四十七条, both caps applied."""
    return economic_compensation_detail(monthly_wage, entry, last_day, local_avg_wage).amount


def unlawful_termination_damages(
    monthly_wage: float, entry: dt.date, last_day: dt.date, local_avg_wage: float,
) -> float:
    """Damages for unlawful termination: twice the §47 amount (《劳动合同法》第八十七条)."""
    return round2(2 * economic_compensation(monthly_wage, entry, last_day, local_avg_wage))


def average_monthly_wage(wages: list[float], minimum_wage: float | None = None) -> float:
    """Average of the last 12 months (all months if fewer), not below the minimum wage.

    《劳动合同法》第四十七条第三款; 《劳动合同法实施条例》第二十七条.
    """
    if not wages:
        raise ValueError("至少需要一个月的工资记录")
    last = list(wages)[-12:]
    avg = sum(last) / len(last)
    if minimum_wage is not None and avg < minimum_wage:
        avg = minimum_wage
    return round2(avg)


# ---------------------------------------------------------------- double wages (§82)


DAYS_PER_MONTH = 21.75  # 月计薪天数, 劳社部发〔2008〕3号


def double_wage_period(
    start: dt.date, signed: dt.date | None = None, last_day: dt.date | None = None,
) -> tuple[dt.date, dt.date] | None:
    """First and last day for which the extra wage is owed, or None when there are none.

    《劳动合同法实施条例》第六条: from the day after the first month of employment to the
    day before the written contract is signed; 第七条: at most to the day before the first
    anniversary (from then on an open-ended contract is deemed concluded). Employment that
    ends earlier stops it on the last working day. A contract signed on or before the start
    owes nothing.
    """
    ends = []
    if signed is not None:
        ends.append(signed - dt.timedelta(days=1))
    if last_day is not None:
        ends.append(last_day)
    if not ends:
        raise ValueError("请给出补签合同日期或最后工作日")
    first = add_months(start, 1)
    last = min([*ends, add_months(start, 12) - dt.timedelta(days=1)])
    return (first, last) if last >= first else None


def pay_days(first: dt.date, last: dt.date) -> int:
    """Working days (Monday to Friday) from `first` to `last`, both included.

    Statutory holidays are paid days (they are inside the 21.75), so only weekends are left
    out; make-up working days (调休) are ignored — a simplification the lesson states.
    """
    days = (last - first).days + 1
    if days <= 0:
        return 0
    weeks, extra = divmod(days, 7)
    count = weeks * 5
    for offset in range(extra):
        if (first + dt.timedelta(days=weeks * 7 + offset)).weekday() < 5:
            count += 1
    return count


def double_wage_parts(
    start: dt.date, signed: dt.date | None = None, last_day: dt.date | None = None,
) -> tuple[int, int]:
    """(whole months, working days of the part month) owed the extra wage (§82, 实施条例第六、七条)."""
    period = double_wage_period(start, signed, last_day)
    if period is None:
        return 0, 0
    first, last = period
    months, _days = full_months_between(first, last + dt.timedelta(days=1))
    months = min(months, 11)
    return months, pay_days(add_months(first, months), last)


def double_wage_months(
    start: dt.date, signed: dt.date | None = None, last_day: dt.date | None = None,
) -> int:
    """Whole months of extra wage under 《劳动合同法》第八十二条 (at most 11)."""
    return double_wage_parts(start, signed, last_day)[0]


def double_wage_extra(
    monthly_wage: float, start: dt.date, signed: dt.date | None = None,
    last_day: dt.date | None = None,
) -> float:
    """Extra wage (the second "份" of the double wage) under 《劳动合同法》第八十二条:
    whole months × monthly wage, plus the part month's working days × 月工资 ÷ 21.75."""
    months, days = double_wage_parts(start, signed, last_day)
    return round2(monthly_wage * months + monthly_wage / DAYS_PER_MONTH * days)


# ---------------------------------------------------------------- arrears (§85)


def arrears_compensation_range(owed: float, paid_by_deadline: bool = False) -> tuple[float, float]:
    """Additional compensation under 《劳动合同法》第八十五条: 50%–100% of the amount owed,
    only once the labor authority's deadline has passed without payment."""
    if owed < 0:
        raise ValueError("拖欠金额不能为负数")
    if paid_by_deadline:
        return (0.0, 0.0)
    return (round2(owed * 0.5), round2(owed * 1.0))


# ---------------------------------------------------------------- who pays (农民工工资条例)

WHO_PAYS = {
    "own": ("施工总承包单位自己招用的农民工被欠薪",
            "施工总承包单位作为用人单位直接承担支付责任。",
            "《保障农民工工资支付条例》第三条：农民工有按时足额获得工资的权利"),
    "subcontractor": ("分包单位拖欠其招用的农民工工资",
                      "由施工总承包单位先行清偿，再依法向分包单位追偿。",
                      "《保障农民工工资支付条例》第三十条第三款"),
    "transfer": ("工程被转包，承接方拖欠农民工工资",
                 "由施工总承包单位先行清偿，再依法追偿。",
                 "《保障农民工工资支付条例》第三十条第四款"),
    "individual": ("总包把工程分包给个人（“包工头”）或无合法经营资格的单位，导致欠薪",
                   "由将工程发包或分包出去的建设单位或施工总承包单位清偿。",
                   "《保障农民工工资支付条例》第三十六条第一款"),
    "borrowed": ("他人挂靠施工单位名义承揽工程，导致欠薪",
                 "由被挂靠的施工单位清偿。",
                 "《保障农民工工资支付条例》第三十六条第二款"),
}


def who_pays(scenario: str) -> tuple[str, str]:
    """(who pays, article) for one construction-site arrears scenario."""
    if scenario not in WHO_PAYS:
        raise KeyError(f"未知情形：{scenario}")
    _label, answer, article = WHO_PAYS[scenario]
    return answer, article


# ---------------------------------------------------------------- widgets


def _result_html(title: str, amount: float, lines: list[str], color: str = "#1a5fb4") -> str:
    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
    return (f"<div style='border-left:4px solid {color};padding:4px 10px'>"
            f"<b>{html.escape(title)}：</b><span style='font-size:1.3em;color:{color}'>"
            f"{html.escape(money(amount))}</span><ul>{items}</ul></div>")


def _error_html(message: str) -> str:
    return f"<span style='color:#c00'>⚠ {html.escape(message)}</span>"


class Calculator:
    """Input widgets + a button + an HTML output. `inputs` maps names to widgets; changing
    any input or clicking the button recomputes `output.value`."""

    title = ""

    def __init__(self, inputs: dict[str, widgets.Widget]):
        self.inputs = inputs
        self.button = widgets.Button(description="计算", button_style="primary", icon="calculator")
        self.output = widgets.HTML("")
        self.button.on_click(lambda _b: self.update())
        for widget in inputs.values():
            widget.observe(lambda _change: self.update(), names="value")
        self.box = widgets.VBox([widgets.HTML(f"<b>{html.escape(self.title)}</b>"),
                                 *inputs.values(), self.button, self.output])
        self.update()

    def value(self, name: str):
        return self.inputs[name].value

    def update(self) -> None:
        try:
            self.output.value = self.render()
        except (ValueError, TypeError) as exc:
            self.output.value = _error_html(str(exc))

    def render(self) -> str:  # pragma: no cover - overridden
        raise NotImplementedError

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.box)


def _money_input(description: str, value: float) -> widgets.BoundedFloatText:
    return widgets.BoundedFloatText(value=value, min=0, max=10_000_000, step=100,
                                    description=description, style={"description_width": "12em"})


def _hours_input(description: str, value: float) -> widgets.BoundedFloatText:
    return widgets.BoundedFloatText(value=value, min=0, max=400, step=1,
                                    description=description, style={"description_width": "12em"})


def _date_input(description: str, value: dt.date | None) -> widgets.DatePicker:
    return widgets.DatePicker(value=value, description=description,
                              style={"description_width": "12em"})


class OvertimeCalculator(Calculator):
    title = "加班费计算器（《劳动法》第四十四条）"

    def __init__(self, wage: float = 5000, workday: float = 0, restday: float = 0,
                 holiday: float = 0):
        super().__init__({
            "wage": _money_input("月工资（元）", wage),
            "workday": _hours_input("工作日延时（小时）", workday),
            "restday": _hours_input("休息日未补休（小时）", restday),
            "holiday": _hours_input("法定节假日（小时）", holiday),
        })

    def render(self) -> str:
        wage = self.value("wage")
        rows = overtime_items(wage, self.value("workday"), self.value("restday"),
                              self.value("holiday"))
        total = overtime_pay(wage, self.value("workday"), self.value("restday"),
                             self.value("holiday"))
        lines = [f"小时工资 = {wage:,.2f} ÷ 21.75 ÷ 8 = {hourly_wage(wage):.4f} 元"
                 "（原劳动和社会保障部《关于职工全年月平均工作时间和工资折算问题的通知》的通行算法）"]
        for row in rows:
            if row["hours"]:
                lines.append(f"{row['label']} {row['hours']:g} 小时 × {row['rate']:.0%} = "
                             f"{money(row['amount'])} —— {row['article']}")
        if len(lines) == 1:
            lines.append("还没有填写加班小时数。")
        return _result_html("加班费合计", total, lines)


class CompensationCalculator(Calculator):
    title = "经济补偿 / 违法解除赔偿金计算器（《劳动合同法》第四十七条、第八十七条）"

    def __init__(self, wage: float = 6000, entry: dt.date = dt.date(2021, 3, 1),
                 last_day: dt.date = dt.date(2024, 9, 30), local_avg: float = 7000,
                 unlawful: bool = False):
        super().__init__({
            "wage": _money_input("离职前12个月平均工资", wage),
            "entry": _date_input("入职日期", entry),
            "last_day": _date_input("最后工作日", last_day),
            "local_avg": _money_input("本地上年度职工月平均工资", local_avg),
            "unlawful": widgets.Checkbox(value=unlawful, description="用人单位违法解除劳动合同"),
        })

    def render(self) -> str:
        entry, last_day = self.value("entry"), self.value("last_day")
        if entry is None or last_day is None:
            raise ValueError("请选择入职日期和最后工作日")
        detail = economic_compensation_detail(self.value("wage"), entry, last_day,
                                              self.value("local_avg"))
        lines = [f"工作年限：{describe_length(detail.months_served, detail.days_left)}",
                 f"计算月数：{detail.months_due:g} 个月；计算基数：{money(detail.base_wage)}",
                 *detail.notes,
                 f"经济补偿 = {money(detail.base_wage)} × {detail.months_due:g} = "
                 f"{money(detail.amount)}"]
        if self.value("unlawful"):
            amount = round2(2 * detail.amount)
            lines.append(f"{ART_87}：违法解除或终止的，按第四十七条经济补偿标准的二倍支付赔偿金，"
                         f"即 {money(detail.amount)} × 2；支付了赔偿金的不再另付经济补偿"
                         "（《劳动合同法实施条例》第二十五条）。")
            return _result_html("违法解除赔偿金", amount, lines, color="#c01c28")
        return _result_html("经济补偿", detail.amount, lines)


class DoubleWageCalculator(Calculator):
    title = "未签书面劳动合同二倍工资计算器（《劳动合同法》第八十二条）"

    def __init__(self, wage: float = 4500, start: dt.date = dt.date(2024, 3, 1),
                 signed: dt.date | None = dt.date(2024, 7, 1), last_day: dt.date | None = None):
        super().__init__({
            "wage": _money_input("月工资（元）", wage),
            "start": _date_input("用工之日", start),
            "signed": _date_input("补签书面合同日期（未签留空）", signed),
            "last_day": _date_input("最后工作日（仍在职留空）", last_day),
        })

    def render(self) -> str:
        start = self.value("start")
        if start is None:
            raise ValueError("请选择用工之日")
        signed, last_day = self.value("signed"), self.value("last_day")
        wage = self.value("wage")
        months, days = double_wage_parts(start, signed, last_day)
        amount = double_wage_extra(wage, start, signed, last_day)
        grace_end = add_months(start, 1) - dt.timedelta(days=1)
        lines = [f"{start:%Y-%m-%d} 至 {grace_end:%Y-%m-%d} 是法定的一个月宽限期，不计二倍工资"
                 "（《劳动合同法》第十条、《劳动合同法实施条例》第六条）。"]
        period = double_wage_period(start, signed, last_day)
        if period is None:
            lines.append("在宽限期内（或上岗前）已签书面合同，不产生二倍工资。")
        else:
            lines.append(f"应另付工资的期间：{period[0]:%Y-%m-%d} 至 {period[1]:%Y-%m-%d}"
                         "（满一个月的次日至补签前一日，最多到满一年的前一日，《劳动合同法实施条例》第六条、第七条）。")
        lines += [f"整月 {months} 个月（最多 11 个月）；不足一个月的零头有 {days} 个计薪日（周一至周五）—— {ART_82}",
                  f"另付工资 = {money(wage)} × {months} + {money(wage)} ÷ 21.75 × {days} = {money(amount)}"
                  "（日工资 = 月工资 ÷ 21.75，劳社部发〔2008〕3号）"]
        if months == 11:
            lines.append("满一年仍未签订书面合同的，视为已订立无固定期限劳动合同"
                         "（《劳动合同法》第十四条第三款、《劳动合同法实施条例》第七条）。")
        return _result_html("应另行支付的工资（二倍工资差额）", amount, lines)


class ArrearsCalculator(Calculator):
    title = "欠薪加付赔偿金计算器（《劳动合同法》第八十五条）"

    def __init__(self, owed: float = 12000, overdue: bool = True):
        super().__init__({
            "owed": _money_input("拖欠的应付金额（元）", owed),
            "overdue": widgets.Checkbox(value=overdue,
                                        description="劳动行政部门责令限期支付后仍逾期未付"),
        })

    def render(self) -> str:
        owed = self.value("owed")
        low, high = arrears_compensation_range(owed, paid_by_deadline=not self.value("overdue"))
        if not self.value("overdue"):
            return _result_html("加付赔偿金", 0.0, [
                f"{ART_85}：先由劳动行政部门责令限期支付；在期限内付清的，不产生加付赔偿金，"
                "但欠付的工资本身仍须足额支付。"])
        return _result_html("加付赔偿金（区间下限）", low, [
            f"{ART_85}：逾期不支付的，责令按应付金额50%以上100%以下加付赔偿金。",
            f"区间：{money(low)} 至 {money(high)}（具体比例由劳动行政部门确定）。",
            f"拖欠的 {money(owed)} 本身仍须另行足额支付。"])


class WhoPaysHelper(Calculator):
    title = "工地欠薪，谁来清偿？（《保障农民工工资支付条例》）"

    def __init__(self, scenario: str = "subcontractor"):
        options = [(label, key) for key, (label, _a, _r) in WHO_PAYS.items()]
        super().__init__({"scenario": widgets.Dropdown(options=options, value=scenario,
                                                       description="情形",
                                                       layout=widgets.Layout(width="90%"))})

    def render(self) -> str:
        answer, article = who_pays(self.value("scenario"))
        return (f"<div style='border-left:4px solid #1a5fb4;padding:4px 10px'>"
                f"<b>清偿责任：</b>{html.escape(answer)}<br><b>依据：</b>{html.escape(article)}"
                "</div>")
