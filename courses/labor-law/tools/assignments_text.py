# ruff: noqa: E501  (long lines are Chinese prose and notebook cell sources, kept unwrapped)
"""nbgrader source notebooks of the `labor-law` course.

a1-calculators: implement the calculators (autograded, many hidden cases) + one written answer.
a2-cases: three synthetic disputes; autograded claim amounts / articles + written analyses.
All amounts in the hidden tests were worked out by hand (see the comments beside them).
"""

from __future__ import annotations

from nbformat.v4 import new_code_cell, new_markdown_cell

from tests.nbcells import nbgrader_cell as nbg


def info(grade_id: str, text: str):
    return nbg(new_markdown_cell(text), grade_id, locked=True)


def answer(grade_id: str, source: str):
    return nbg(new_code_cell(source), grade_id, solution=True)


def tests(grade_id: str, points: int, source: str):
    return nbg(new_code_cell(source), grade_id, grade=True, locked=True, points=points)


def written(grade_id: str, points: int, model_answer: str):
    return nbg(new_markdown_cell(model_answer), grade_id, grade=True, solution=True, points=points)


# =========================================================================== a1


A1_INTRO = """# 作业一　劳动法计算器（编程，自动评分为主）

本作业要求你用 Python 实现课上用过的几个计算器。每个函数下面都有一个**测试单元格**：
可见的测试帮你自查，提交后还会用更多**隐藏测试**（包括各种封顶、边界和日期情形）自动评分。

**通用约定（请严格遵守，隐藏测试按此判分）：**
1. 金额一律**四舍五入保留两位小数**，只在最后一步取舍（不要先把小时工资四舍五入）；评分允许 0.01 元误差。
2. 日期参数都是 `datetime.date` 对象。工作年限从**入职日**算到**最后工作日**，两头都算。
3. “整月”按对日计算：令 `终点 = 最后工作日的次日`，整月数 n 是满足 `add_months(入职日, n) <= 终点`
   的最大整数；剩余天数 = `(终点 - add_months(入职日, n)).days`。`add_months` 已在下面提供，
   它在目标月份没有对应日期时取该月最后一天（例如 1月31日 加一个月是 2月28日或29日）。
4. 参数不合理（金额或小时数为负、最后工作日早于入职日等）时 `raise ValueError`。
5. 本作业假定工作年限全部在 2008年1月1日《劳动合同法》施行之后，不考虑第九十七条的分段计算。

共 15 分自动评分 + 3 分人工评分。"""

A1_HELPERS = '''from datetime import date, timedelta
import calendar


def add_months(day, months):
    """day 之后 months 个月的对应日；目标月份没有该日时取该月最后一天。"""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def _close(actual, expected):
    """评分用：金额相差不超过 0.01 元即视为正确。"""
    return abs(actual - expected) <= 0.0101


print(add_months(date(2024, 1, 31), 1), add_months(date(2023, 3, 15), 12))'''


def a1_cells() -> list:
    return [
        info("a1-intro", A1_INTRO),
        nbg(new_code_cell(A1_HELPERS), "a1-helpers", locked=True),
        info(
            "a1-q1",
            """## 1. 加班费（2 分）——《劳动法》第四十四条

实现 `overtime_pay(monthly_wage, workday_hours=0, restday_hours=0, holiday_hours=0)`，返回加班费合计（元）。

- 小时工资 = 月工资 ÷ 21.75 ÷ 8（原劳动和社会保障部《关于职工全年月平均工作时间和工资折算问题的通知》的通行算法）；
- 工作日延长工作时间按 150%，休息日工作且未安排补休按 200%，法定休假日工作按 300%；
- 合计 = 小时工资 ×（1.5 × 工作日小时 + 2 × 休息日小时 + 3 × 法定休假日小时），最后保留两位小数；
- 任一参数为负数时 `raise ValueError`。

例：月工资 4,350 元（小时工资 25 元），工作日延时 10 小时 → 375.0。""",
        ),
        answer(
            "a1-overtime",
            """def overtime_pay(monthly_wage, workday_hours=0, restday_hours=0, holiday_hours=0):
    ### BEGIN SOLUTION
    values = (monthly_wage, workday_hours, restday_hours, holiday_hours)
    if any(v < 0 for v in values):
        raise ValueError("金额和小时数不能为负数")
    hourly = monthly_wage / 21.75 / 8
    return round(hourly * (1.5 * workday_hours + 2 * restday_hours + 3 * holiday_hours) + 1e-9, 2)
    ### END SOLUTION""",
        ),
        tests(
            "a1-test-overtime",
            2,
            """assert _close(overtime_pay(4350, workday_hours=10), 375.0)     # 25 × 10 × 150%
assert _close(overtime_pay(4350, restday_hours=8), 400.0)      # 25 × 8 × 200%
### BEGIN HIDDEN TESTS
assert _close(overtime_pay(4350, holiday_hours=8), 600.0)      # 25 × 8 × 300%
assert _close(overtime_pay(4350, 10, 8, 8), 1375.0)            # 375 + 400 + 600
assert _close(overtime_pay(6000, 3), 155.17)                   # 6000/174 = 34.4828 × 4.5
assert _close(overtime_pay(4800, 20, 16, 8), 2372.41)          # 4800/174 × (30 + 32 + 24)
assert _close(overtime_pay(8700, 36), 2700.0)                  # 50 × 36 × 150%
assert _close(overtime_pay(2000, 1.5), 25.86)                  # 11.4943 × 2.25
assert _close(overtime_pay(5000), 0.0)
assert _close(overtime_pay(5220, 0, 0, 1), 90.0)               # 30 × 1 × 300%
for bad in [(-1, 0, 0, 0), (5000, -2, 0, 0), (5000, 0, -1, 0), (5000, 0, 0, -8)]:
    try:
        overtime_pay(*bad)
    except ValueError:
        pass
    else:
        raise AssertionError(f"负数参数 {bad} 应当 raise ValueError")
### END HIDDEN TESTS""",
        ),
        info(
            "a1-q2",
            """## 2. 工作年限（3 分）

实现 `service_length(entry, last_day)`，返回元组 `(整月数, 剩余天数)`，规则见开头“通用约定”第 3 条。
`last_day` 早于 `entry` 时 `raise ValueError`。

例：2021年3月1日入职，2024年9月30日为最后工作日 → `(43, 0)`，即 3 年 7 个月。""",
        ),
        answer(
            "a1-service",
            """def service_length(entry, last_day):
    ### BEGIN SOLUTION
    if last_day < entry:
        raise ValueError("最后工作日不能早于入职日")
    stop = last_day + timedelta(days=1)
    months = (stop.year - entry.year) * 12 + (stop.month - entry.month)
    while months > 0 and add_months(entry, months) > stop:
        months -= 1
    return months, (stop - add_months(entry, months)).days
    ### END SOLUTION""",
        ),
        tests(
            "a1-test-service",
            3,
            """assert service_length(date(2021, 3, 1), date(2024, 9, 30)) == (43, 0)
assert service_length(date(2023, 5, 15), date(2023, 5, 15)) == (0, 1)
### BEGIN HIDDEN TESTS
assert service_length(date(2021, 3, 1), date(2024, 9, 29)) == (42, 29)    # 终点 9月30日
assert service_length(date(2019, 7, 10), date(2025, 1, 9)) == (66, 0)     # 整 5 年 6 个月
assert service_length(date(2024, 1, 20), date(2024, 3, 5)) == (1, 15)     # 2月20日→3月6日，闰年
assert service_length(date(2023, 1, 20), date(2023, 3, 5)) == (1, 14)     # 平年
assert service_length(date(2020, 2, 29), date(2021, 2, 27)) == (12, 0)    # 对应日不存在，取 2月28日
assert service_length(date(2022, 12, 1), date(2022, 12, 31)) == (1, 0)
assert service_length(date(2022, 12, 2), date(2022, 12, 31)) == (0, 30)
assert service_length(date(2010, 7, 1), date(2025, 3, 31)) == (177, 0)    # 14 年 9 个月
assert service_length(date(2018, 6, 18), date(2025, 6, 16)) == (83, 30)   # 终点 2025-06-17
try:
    service_length(date(2024, 5, 1), date(2024, 4, 30))
except ValueError:
    pass
else:
    raise AssertionError("最后工作日早于入职日应当 raise ValueError")
### END HIDDEN TESTS""",
        ),
        info(
            "a1-q3",
            """## 3. 经济补偿的月数（2 分）——《劳动合同法》第四十七条第一款

实现 `compensation_months(entry, last_day)`，返回应支付的工资月数（`float`，尚未考虑封顶）：

- 每满一年（12 个整月）计 1 个月；
- 零头在六个月以上（≥ 6 个整月）不满一年的，按一年计算，计 1 个月；
- 零头不满六个月的（只要还有零头，哪怕只有几天），计 0.5 个月；
- 没有零头（正好整年）的，不加。

例：3 年 7 个月 → 4.0；3 年 5 个月 → 3.5；整 3 年 → 3.0。""",
        ),
        answer(
            "a1-months",
            """def compensation_months(entry, last_day):
    ### BEGIN SOLUTION
    months, days = service_length(entry, last_day)
    years, rest = divmod(months, 12)
    if rest >= 6:
        return float(years + 1)
    if rest > 0 or days > 0:
        return years + 0.5
    return float(years)
    ### END SOLUTION""",
        ),
        tests(
            "a1-test-months",
            2,
            """assert compensation_months(date(2021, 3, 1), date(2024, 9, 30)) == 4.0   # 3年7个月
assert compensation_months(date(2021, 3, 1), date(2024, 7, 31)) == 3.5   # 3年5个月
### BEGIN HIDDEN TESTS
assert compensation_months(date(2021, 3, 1), date(2024, 8, 31)) == 4.0   # 3年6个月：六个月以上按一年
assert compensation_months(date(2021, 3, 1), date(2024, 8, 30)) == 3.5   # 3年5个月30天：不满六个月
assert compensation_months(date(2021, 3, 1), date(2024, 2, 29)) == 3.0   # 正好 3 年
assert compensation_months(date(2021, 3, 1), date(2024, 3, 10)) == 3.5   # 3年零10天
assert compensation_months(date(2025, 1, 1), date(2025, 3, 31)) == 0.5   # 不满六个月：半个月
assert compensation_months(date(2024, 1, 1), date(2024, 6, 30)) == 1.0   # 正好六个月：按一年
assert compensation_months(date(2025, 6, 1), date(2025, 6, 1)) == 0.5    # 只干了一天
assert compensation_months(date(2010, 7, 1), date(2025, 3, 31)) == 15.0  # 14年9个月
assert compensation_months(date(2012, 9, 1), date(2025, 8, 31)) == 13.0  # 正好 13 年
### END HIDDEN TESTS""",
        ),
        info(
            "a1-q4",
            """## 4. 经济补偿金额（3 分）——《劳动合同法》第四十七条

实现 `economic_compensation(monthly_wage, entry, last_day, local_avg_wage)`，返回经济补偿（元）：

- `monthly_wage`：解除或终止前十二个月的平均工资（第四十七条第三款）；
- `local_avg_wage`：本地区上年度职工月平均工资；
- 若 `monthly_wage > 3 × local_avg_wage`（严格大于），基数按 `3 × local_avg_wage`，
  且月数最多 12（第四十七条第二款）；否则基数就是 `monthly_wage`，月数不封顶；
- 金额 = 基数 × `compensation_months(...)`（必要时先封顶），保留两位小数；
- 工资为负或 `local_avg_wage <= 0` 时 `raise ValueError`。

例：月工资 6,000 元，3 年 7 个月 → 4 个月 × 6,000 = 24,000.0。""",
        ),
        answer(
            "a1-compensation",
            """def economic_compensation(monthly_wage, entry, last_day, local_avg_wage):
    ### BEGIN SOLUTION
    if monthly_wage < 0 or local_avg_wage <= 0:
        raise ValueError("工资必须为正数")
    months = compensation_months(entry, last_day)
    base = monthly_wage
    if monthly_wage > 3 * local_avg_wage:
        base = 3 * local_avg_wage
        months = min(months, 12)
    return round(base * months + 1e-9, 2)
    ### END SOLUTION""",
        ),
        tests(
            "a1-test-compensation",
            3,
            """assert _close(economic_compensation(6000, date(2021, 3, 1), date(2024, 9, 30), 7000), 24000.0)
assert _close(economic_compensation(5000, date(2025, 1, 1), date(2025, 3, 31), 7000), 2500.0)
### BEGIN HIDDEN TESTS
# 三倍封顶 + 十二年封顶：14年9个月 → 15 → 封顶 12；基数 3 × 7000
assert _close(economic_compensation(30000, date(2010, 7, 1), date(2025, 3, 31), 7000), 252000.0)
# 只触发三倍封顶：整 10 年
assert _close(economic_compensation(30000, date(2015, 1, 1), date(2024, 12, 31), 7000), 210000.0)
# 恰好等于三倍：不封顶，17 年按 17 个月
assert _close(economic_compensation(21000, date(2008, 1, 1), date(2024, 12, 31), 7000), 357000.0)
# 超过三倍一分钱：两个封顶同时起作用
assert _close(economic_compensation(21000.01, date(2008, 1, 1), date(2024, 12, 31), 7000), 252000.0)
# 普通工资、工龄很长：不封顶
assert _close(economic_compensation(5500, date(2009, 4, 1), date(2024, 3, 31), 7000), 82500.0)
# 2年7个月 → 3 个月
assert _close(economic_compensation(4567.89, date(2022, 5, 1), date(2024, 11, 30), 7000), 13703.67)
# 9 个月 → 1 个月，基数封顶 24000
assert _close(economic_compensation(25000, date(2024, 1, 1), date(2024, 9, 30), 8000), 24000.0)
# 2年5个月 → 2.5 个月
assert _close(economic_compensation(5000, date(2022, 3, 1), date(2024, 7, 31), 7000), 12500.0)
for bad in [(-1, date(2020, 1, 1), date(2021, 1, 1), 7000), (5000, date(2020, 1, 1), date(2021, 1, 1), 0)]:
    try:
        economic_compensation(*bad)
    except ValueError:
        pass
    else:
        raise AssertionError(f"{bad} 应当 raise ValueError")
### END HIDDEN TESTS""",
        ),
        info(
            "a1-q5",
            """## 5. 违法解除赔偿金（1 分）——《劳动合同法》第八十七条

实现 `unlawful_termination_damages(monthly_wage, entry, last_day, local_avg_wage)`：
按第四十七条经济补偿标准的**二倍**支付（封顶规则同上），保留两位小数。""",
        ),
        answer(
            "a1-damages",
            """def unlawful_termination_damages(monthly_wage, entry, last_day, local_avg_wage):
    ### BEGIN SOLUTION
    return round(2 * economic_compensation(monthly_wage, entry, last_day, local_avg_wage) + 1e-9, 2)
    ### END SOLUTION""",
        ),
        tests(
            "a1-test-damages",
            1,
            """assert _close(unlawful_termination_damages(6000, date(2021, 3, 1), date(2024, 9, 30), 7000), 48000.0)
### BEGIN HIDDEN TESTS
assert _close(unlawful_termination_damages(30000, date(2010, 7, 1), date(2025, 3, 31), 7000), 504000.0)
assert _close(unlawful_termination_damages(4800, date(2021, 3, 1), date(2022, 5, 20), 7000), 14400.0)
assert _close(unlawful_termination_damages(5000, date(2025, 1, 1), date(2025, 3, 31), 7000), 5000.0)
assert _close(unlawful_termination_damages(21000, date(2008, 1, 1), date(2024, 12, 31), 7000), 714000.0)
### END HIDDEN TESTS""",
        ),
        info(
            "a1-q6",
            """## 6. 未签书面合同的二倍工资（2 分）——《劳动合同法》第八十二条

实现 `double_wage_extra(monthly_wage, start, signed=None, last_day=None)`，返回用人单位应**另外支付**的那一份工资（元）：

- `start`：用工之日；`signed`：补签书面劳动合同的日期（从未签订为 `None`）；
  `last_day`：最后工作日（仍在职为 `None`）；两者都为 `None` 时 `raise ValueError`；
- 未签合同期间的终点 = `signed` 与 `last_day 的次日` 中较早的一个；
- 用“通用约定”第 3 条的对日方法数出 `[start, 终点)` 中的整月数 n（即 `add_months(start, n) <= 终点` 的最大 n）；
- 第一个月是宽限期（《劳动合同法》第十条），所以另付的月数 = n − 1，不小于 0，**最多 11 个月**
  （《劳动合同法实施条例》第六条、第七条）；不足整月的零头不计；
- 金额 = 月工资 × 月数，保留两位小数。

例：2024年3月1日上岗，2024年7月1日补签，月工资 4,500 元 → 3 个月 → 13,500.0。""",
        ),
        answer(
            "a1-double",
            """def double_wage_extra(monthly_wage, start, signed=None, last_day=None):
    ### BEGIN SOLUTION
    stops = []
    if signed is not None:
        stops.append(signed)
    if last_day is not None:
        stops.append(last_day + timedelta(days=1))
    if not stops:
        raise ValueError("请给出补签日期或最后工作日")
    stop = min(stops)
    if stop <= start:
        return 0.0
    n = (stop.year - start.year) * 12 + (stop.month - start.month)
    while n > 0 and add_months(start, n) > stop:
        n -= 1
    months = max(0, min(n - 1, 11))
    return round(monthly_wage * months + 1e-9, 2)
    ### END SOLUTION""",
        ),
        tests(
            "a1-test-double",
            2,
            """assert _close(double_wage_extra(4500, date(2024, 3, 1), signed=date(2024, 7, 1)), 13500.0)
assert _close(double_wage_extra(4500, date(2024, 3, 1), signed=date(2024, 3, 20)), 0.0)
### BEGIN HIDDEN TESTS
assert _close(double_wage_extra(4500, date(2024, 3, 1), signed=date(2024, 4, 1)), 0.0)     # 正好一个月内签
assert _close(double_wage_extra(4500, date(2024, 3, 1), signed=date(2024, 4, 2)), 0.0)     # 只多一天，不足整月
assert _close(double_wage_extra(4800, date(2021, 3, 1), last_day=date(2022, 5, 20)), 52800.0)  # 封顶 11 个月
assert _close(double_wage_extra(5000, date(2024, 3, 15), last_day=date(2024, 9, 14)), 25000.0)  # n=6 → 5
assert _close(double_wage_extra(5000, date(2024, 3, 15), last_day=date(2024, 9, 13)), 20000.0)  # n=5 → 4
assert _close(double_wage_extra(5000, date(2024, 3, 15), signed=date(2024, 6, 15),
                                last_day=date(2024, 12, 31)), 10000.0)                      # 以补签日为终点
assert _close(double_wage_extra(3800, date(2023, 1, 10), signed=date(2024, 1, 10)), 41800.0)  # n=12 → 11
assert _close(double_wage_extra(3800, date(2023, 1, 10), signed=date(2025, 5, 1)), 41800.0)   # 封顶 11
assert _close(double_wage_extra(3800, date(2023, 1, 10), signed=date(2024, 1, 9)), 38000.0)   # n=11 → 10
assert _close(double_wage_extra(6100, date(2024, 1, 31), signed=date(2024, 4, 30)), 12200.0)  # 月末对日 n=3 → 2
try:
    double_wage_extra(4000, date(2024, 1, 1))
except ValueError:
    pass
else:
    raise AssertionError("signed 与 last_day 都为 None 时应当 raise ValueError")
### END HIDDEN TESTS""",
        ),
        info(
            "a1-q7",
            """## 7. 欠薪加付赔偿金区间（1 分）——《劳动合同法》第八十五条

实现 `arrears_compensation_range(owed)`，返回元组 `(下限, 上限)` = 应付金额的 50% 和 100%，各保留两位小数；
`owed` 为负时 `raise ValueError`。（前提是劳动行政部门责令限期支付后用人单位逾期仍未支付。）""",
        ),
        answer(
            "a1-arrears",
            """def arrears_compensation_range(owed):
    ### BEGIN SOLUTION
    if owed < 0:
        raise ValueError("拖欠金额不能为负数")
    return (round(owed * 0.5 + 1e-9, 2), round(owed + 1e-9, 2))
    ### END SOLUTION""",
        ),
        tests(
            "a1-test-arrears",
            1,
            """low, high = arrears_compensation_range(12000)
assert _close(low, 6000.0) and _close(high, 12000.0)
### BEGIN HIDDEN TESTS
low, high = arrears_compensation_range(0)
assert _close(low, 0.0) and _close(high, 0.0)
low, high = arrears_compensation_range(3333.33)
assert _close(low, 1666.67) and _close(high, 3333.33)
low, high = arrears_compensation_range(205000)
assert _close(low, 102500.0) and _close(high, 205000.0)
try:
    arrears_compensation_range(-5)
except ValueError:
    pass
else:
    raise AssertionError("负数应当 raise ValueError")
### END HIDDEN TESTS""",
        ),
        info(
            "a1-q8",
            """## 8. 十二个月平均工资（1 分）——《劳动合同法》第四十七条第三款、《劳动合同法实施条例》第二十七条

实现 `average_monthly_wage(wages, minimum_wage=None)`：`wages` 是按时间顺序排列的每月应发工资列表（最后一项是离职前最后一个月）。

- 取**最后 12 个月**求平均；不足 12 个月的，按实际月数平均；
- 给出 `minimum_wage` 且平均数低于它时，按 `minimum_wage` 计算；
- 保留两位小数；列表为空时 `raise ValueError`。""",
        ),
        answer(
            "a1-average",
            """def average_monthly_wage(wages, minimum_wage=None):
    ### BEGIN SOLUTION
    wages = list(wages)
    if not wages:
        raise ValueError("至少需要一个月的工资")
    last = wages[-12:]
    avg = sum(last) / len(last)
    if minimum_wage is not None and avg < minimum_wage:
        avg = minimum_wage
    return round(avg + 1e-9, 2)
    ### END SOLUTION""",
        ),
        tests(
            "a1-test-average",
            1,
            """assert _close(average_monthly_wage([5000] * 12), 5000.0)
### BEGIN HIDDEN TESTS
assert _close(average_monthly_wage([9000, 9000] + [5000] * 12), 5000.0)   # 只取最后 12 个月
assert _close(average_monthly_wage([4000, 5000, 6000]), 5000.0)           # 不足 12 个月按实际月数
assert _close(average_monthly_wage([1500] * 12, minimum_wage=2100), 2100.0)
assert _close(average_monthly_wage([2500] * 12, minimum_wage=2100), 2500.0)
assert _close(average_monthly_wage([5000] * 11 + [5100]), 5008.33)
assert _close(average_monthly_wage([24000, 24000] + [26000] * 9 + [62000, 26000, 26000]), 29000.0)
try:
    average_monthly_wage([])
except ValueError:
    pass
else:
    raise AssertionError("空列表应当 raise ValueError")
### END HIDDEN TESTS""",
        ),
        info(
            "a1-written-task",
            """## 9. 简答（人工评分，3 分）

老周在济南某公司做技术主管 15 年，最后 12 个月平均工资 26,000 元，被公司依法裁员。
当地上年度职工月平均工资（假设）为 8,000 元。公司给了 288,000 元经济补偿，老周认为应该是
26,000 × 15 = 390,000 元，觉得公司“少给了十万”。

请用通俗的话（150–300 字）给老周解释：公司的算法依据是什么、对不对，还有哪些地方值得他再核实。

**评分标准（3 分）：**
1. 指出《劳动合同法》第四十七条第二款的两个封顶：月工资高于当地上年度职工月平均工资三倍（24,000 元）的，
   基数按 24,000 元、年限最多 12 年，并说明十二年封顶只在超过三倍时才适用（1 分）；
2. 算出 24,000 × 12 = 288,000 元，得出公司算法正确的结论（1 分）；
3. 给出至少两条值得核实之处，如：所用社平工资是否为设区的市政府公布的上年度数字；平均工资是否按解除前
   十二个月应得工资（含奖金、津贴补贴，《劳动合同法实施条例》第二十七条）计算；裁员是否合法——
   若属违法解除，应按第八十七条支付二倍赔偿金（1 分）。""",
        ),
        written(
            "a1-written",
            3,
            """**参考答案：**

老周的工资超过了当地社平工资的三倍（8,000 × 3 = 24,000 元），这时《劳动合同法》第四十七条第二款有两个“封顶”：
一是计算基数按 24,000 元而不是实际的 26,000 元；二是年限最多算 12 年。十二年封顶只对工资超过三倍的人适用，
普通职工干 15 年就按 15 个月算。所以公司按 24,000 × 12 = 288,000 元计算是符合法律规定的，并没有少给。

不过有几点值得再核实：第一，公司用的“上年度职工月平均工资”是不是济南市政府公布的上一年度数字；
第二，26,000 元是不是离职前十二个月的应得工资平均数，年终奖、津贴有没有算进去
（《劳动合同法实施条例》第二十七条）；第三，裁员程序是否合法，比如是否事先向工会说明情况、听取意见
（《劳动合同法》第四十一条）。如果属于违法解除，老周可以按第八十七条主张 576,000 元赔偿金。""",
        ),
    ]


# =========================================================================== a2

A2_INTRO = """# 作业二　劳动争议案例分析

下面是三个根据基层常见情况编写的**虚构**案例（人名、单位、数字均为教学虚构；“当地上年度职工月平均工资”
等数字为假设）。每个案例分两部分：

- **计算与法条（自动评分）**：在代码单元格里给指定变量赋值。金额保留两位小数，评分允许 0.01 元误差；
  法条用阿拉伯数字表示条号，例如《劳动合同法》第八十二条写 `82`。你可以手算后直接填数，也可以写代码计算。
- **书面分析（人工评分）**：按每题的评分标准作答，要写明法条依据。

计算约定与作业一相同：小时工资 = 月工资 ÷ 21.75 ÷ 8；工作年限按对日计算整月，两头都算；
经济补偿零头六个月以上按一年、不满六个月按半个月（《劳动合同法》第四十七条）。

共 8 分自动评分 + 12 分人工评分。"""

CASE1 = """## 案例一　没签合同的包装工（烟台）

王某 **2021年3月1日** 到烟台某水产加工厂做包装工，月工资固定 **4,800 元**，每月通过银行转账发放。
工厂始终没有和她签订书面劳动合同。**2022年4月** 赶订单：工作日下班后加班共 **20 小时**，
两个周六加班共 **16 小时** 且没有安排补休，清明节（法定休假日）当天上班 **8 小时**；
这个月的加班费工厂一分没发。**2022年5月20日** 车间主任口头通知她“订单少了，明天不用来了”，
没有说明任何理由，也没有书面通知。6月初王某到镇总工会求助，要求离开工厂、不再回去上班。

**计算与法条（3 分）：** 请给以下变量赋值：
- `case1_overtime`：2022年4月应发的加班费（元）；
- `case1_double_wage`：未签书面合同应另付的工资（元，按作业一的整月规则，最多 11 个月）；
- `case1_damages`：违法解除劳动合同的赔偿金（元，当地上年度职工月平均工资假设为 7,000 元）；
- `case1_double_wage_article`、`case1_damages_article`：上面两项请求分别依据《劳动合同法》第几条（整数）；
- `case1_total`：三项请求合计（元）。"""

CASE1_TASK = """### 案例一　书面分析（人工评分，4 分）

请以镇总工会法律援助工作人员的身份，给王某写一份书面答复（300–600 字）：她能主张哪些请求、各依据哪一条、
金额多少；没有书面合同时怎样证明劳动关系；维权的途径和时间上要注意什么。

**评分标准（4 分）：**
1. 请求完整、依据正确：加班费（《劳动法》第四十四条三档）、未签书面合同二倍工资差额（《劳动合同法》第八十二条）、
   违法解除赔偿金（第八十七条；王某不要求继续履行，依第四十八条可选择赔偿金）（1 分）；
2. 金额与计算口径正确：二倍工资算 2021年4月1日至2022年2月28日共 11 个月，并指出自 2022年3月1日起视为已订立
   无固定期限劳动合同（第十四条第三款、实施条例第七条）；赔偿金按 1 年 2 个月零 20 天 → 1.5 个月 × 2（1 分）；
3. 证据：工资转账记录、考勤或打卡记录、工作服工牌、工作群聊天记录、同事证言等，可参照原劳动和社会保障部
   《关于确立劳动关系有关事项的通知》；并说明考勤等由用人单位掌握的证据应由单位提供
   （《劳动争议调解仲裁法》第六条）（1 分）；
4. 途径与时效：协商、调解、向劳动争议仲裁委员会申请仲裁（不收费，第五十三条），仲裁时效一年
   （《劳动争议调解仲裁法》第二十七条），提示二倍工资较早月份可能存在时效争议，应尽快申请（1 分）。"""

CASE1_MODEL = """**参考答案：**

王某你好：根据你提供的情况，你可以向工厂主张三项请求。

一、2022年4月的加班费 2,372.41 元。你的小时工资为 4,800 ÷ 21.75 ÷ 8 ≈ 27.59 元；工作日延时 20 小时按 150%、
周六未补休 16 小时按 200%、清明节 8 小时按 300%（《劳动法》第四十四条），合计 2,372.41 元。

二、未签书面劳动合同的二倍工资差额 52,800 元。工厂应在用工之日起一个月内与你签订书面合同（《劳动合同法》第十条），
超过一个月未签的，应每月支付二倍工资（第八十二条）。从 2021年4月1日算到 2022年2月28日，共 11 个月，
另付 4,800 × 11 = 52,800 元。自 2022年3月1日起，法律上视为双方已订立无固定期限劳动合同（第十四条第三款、实施条例第七条）。

三、违法解除劳动合同赔偿金 14,400 元。车间主任口头辞退、没有任何法定理由，属于违法解除。你不打算回去上班，
可以依第四十八条选择要求赔偿金：工作 1 年 2 个月零 20 天，按第四十七条为 1.5 个月工资，第八十七条规定加倍，
即 4,800 × 1.5 × 2 = 14,400 元。三项合计 69,572.41 元。

证据方面：没有书面合同，可以用银行工资转账记录、考勤打卡记录、工作服和工牌、工作群聊天记录、同事证言等证明劳动关系
（参照《关于确立劳动关系有关事项的通知》）；考勤表、工资表在工厂手里，仲裁时可以要求工厂提供，不提供要承担不利后果
（《劳动争议调解仲裁法》第六条）。

途径：可以先由工会出面协商或调解；不成的，向当地劳动人事争议仲裁委员会申请仲裁，仲裁不收费（第五十三条），
工会法律援助可以代理。仲裁时效为一年（第二十七条）；二倍工资较早的月份，有的地方认为按月起算时效，
可能有争议，所以请尽快申请，不要拖延。"""

CASE2 = """## 案例二　工地上的三个月欠薪（潍坊）

潍坊某住宅项目，施工总承包单位甲建设公司把劳务作业分包给乙劳务公司。乙劳务公司招用的 12 名农民工，
已在项目上做了实名制登记，但被拖欠了 1 至 3 个月的工资，其中 3 人领过少量生活费预支。
乙劳务公司说“甲公司工程款没结清，我们也没钱”；项目经理说“人是乙公司招的，跟我们没关系”。
工人们拨打 12351 后，园区工会联合会介入，并陪同工人向劳动保障监察机构投诉。
劳动保障监察机构责令乙劳务公司限期支付，**期限届满乙劳务公司仍未支付**。

欠薪明细见 `data/site_wages.csv`（列：工号、月工资、欠薪月数、已预支生活费）。每人欠薪 = 月工资 × 欠薪月数 − 已预支生活费。

**计算与法条（2 分）：** 请给以下变量赋值：
- `case2_total_owed`：12 人欠薪合计（元）；
- `case2_extra_range`：依《劳动合同法》第八十五条可责令加付的赔偿金区间 `(下限, 上限)`（元）；
- `case2_first_payer_article`：施工总承包单位应当先行清偿的依据是《保障农民工工资支付条例》第几条（整数）。"""

CASE2_TASK = """### 案例二　书面分析（人工评分，4 分）

请以园区工会联合会干部的身份，写出处置方案（300–600 字）：欠薪由谁承担、怎样反驳两家公司的说法、
怎样核实每个人的金额、接下来的步骤，以及工会能提供哪些帮助。

**评分标准（4 分）：**
1. 责任主体：分包单位拖欠的，由施工总承包单位先行清偿、再依法追偿（《保障农民工工资支付条例》第三十条），
   并指出工程款结算纠纷不能成为拖欠工资的理由（1 分）；
2. 核实金额：利用实名制登记与考勤（条例第六条、第二十八条）、农民工工资专用账户流水（第二十六条）、
   总包代发记录（第三十一条）等核对每人工资，算出合计 205,000 元（1 分）；
3. 程序：劳动保障监察责令限期支付后逾期未付，可责令按应付金额 50%–100% 加付赔偿金，
   即 102,500 至 205,000 元（《劳动合同法》第八十五条）；必要时申请仲裁（1 分）；
4. 工会的作用：“零门槛”法律援助（劳动报酬、社会保险诉求）、12351 热线跟进、代理仲裁、引导依法理性维权，
   顺势吸收农民工入会、推动项目建立工会或联合会（1 分）。"""

CASE2_MODEL = """**参考答案：**

一、谁来承担。乙劳务公司是用人单位，对工资支付负直接责任；但《保障农民工工资支付条例》第三十条规定，分包单位拖欠
农民工工资的，由施工总承包单位先行清偿，再依法追偿。项目经理“跟我们没关系”的说法没有依据，甲建设公司应先行清偿。
乙公司以“工程款没结清”为由拖欠也不能成立：工程款纠纷是两家公司之间的事，不能转嫁给农民工。

二、核实金额。12 人都做了实名制登记（条例第六条、第二十八条），可以调取实名制登记、考勤记录，结合农民工工资专用账户的流水
（第二十六条）和总包代发记录（第三十一条），逐人核对月工资、欠薪月数和已预支的生活费。按明细计算，欠薪合计 205,000 元。

三、下一步。劳动保障监察机构已责令限期支付，乙公司逾期未付，依《劳动合同法》第八十五条，应责令其按应付金额 50% 以上
100% 以下加付赔偿金，即 102,500 元至 205,000 元。工会应继续跟进监察程序，同时约谈甲建设公司，要求其依第三十条先行清偿；
仍不解决的，由工会法律援助机构代理工人申请劳动争议仲裁。

四、工会的帮助。对农民工讨要劳动报酬提供“零门槛”法律援助，不设门槛直接受理；通过 12351 热线持续回访到账情况；
引导工人依法理性维权，防止过激行为；事后把这批农民工吸收入会，推动项目部或园区建立工会联合会，把欠薪预防做在前面。"""

CASE3 = """## 案例三　技术经理的“双封顶”（济南）

孙某 **2010年7月1日** 入职济南某软件公司任技术经理。公司建有工会。2025年初公司业务整体迁往外省，
与孙某协商变更工作地点未达成一致，公司以《劳动合同法》第四十条第（三）项（客观情况发生重大变化）为由，
提前三十日书面通知孙某，于 **2025年3月31日** 解除劳动合同，但**事先没有将解除理由通知公司工会**。
当地上年度职工月平均工资（假设）为 **8,000 元**。孙某最后 14 个月的工资见 `data/manager_payroll.csv`
（列：月份、应发工资；2025年1月含年终奖）。

**计算与法条（3 分）：** 请给以下变量赋值：
- `case3_avg_wage`：用于计算经济补偿的月工资（解除前十二个月的平均工资，元）；
- `case3_capped`：是否适用第四十七条第二款的封顶（`True`/`False`）；
- `case3_compensation`：若解除合法，应支付的经济补偿（元）；
- `case3_damages`：若被认定为违法解除，应支付的赔偿金（元）。"""

CASE3_TASK = """### 案例三　书面分析（人工评分，4 分）

孙某问：公司说给我经济补偿就算仁至义尽了，我还能争取什么？请写出你的分析（300–600 字）。

**评分标准（4 分）：**
1. 程序问题：用人单位单方解除劳动合同，应当事先将理由通知工会（《劳动合同法》第四十三条）；建立了工会的用人单位未事先通知工会，
   劳动者可主张违法解除、要求赔偿金，但起诉前已补正程序的除外（《最高人民法院关于审理劳动争议案件适用法律问题的解释（一）》第四十七条）（1 分）；
2. 金额：平均工资只取解除前十二个月并计入年终奖（第四十七条第三款、实施条例第二十七条），得 29,000 元；
   高于 24,000 元，基数封顶 24,000 元、年限 14 年 9 个月本应 15 个月但封顶 12 个月，经济补偿 288,000 元；
   违法解除赔偿金 576,000 元，且赔偿金与经济补偿不能同时主张（实施条例第二十五条）（1 分）；
3. 向孙某解释封顶规则的理由和适用条件，核实社平工资数字来源（1 分）；
4. 企业工会的角色：接到通知后有权提出意见、要求纠正（第四十三条），本案中工会应主动介入，督促公司补正程序或依法协商（1 分）。"""

CASE3_MODEL = """**参考答案：**

一、先算经济补偿。第四十七条第三款的月工资是解除前十二个月的平均工资，即 2024年4月至2025年3月，年终奖也要计入
（实施条例第二十七条）：(26,000 × 11 + 62,000) ÷ 12 = 29,000 元。它高于当地社平工资三倍 24,000 元，
依第四十七条第二款，基数按 24,000 元；孙某工作 14 年 9 个月，本应计 15 个月，但封顶为 12 个月，
经济补偿为 24,000 × 12 = 288,000 元。这是法律对高收入者的统一规则，并不是公司“克扣”，
但要核实 8,000 元是否为济南市政府公布的上年度数字。

二、还能争取什么。公司以第四十条第（三）项单方解除，实体条件看起来具备（客观情况重大变化、协商变更未成、提前三十日通知），
但程序上有缺陷：第四十三条要求用人单位单方解除劳动合同应当事先将理由通知工会，公司建有工会却没有通知。
依最高人民法院劳动争议司法解释（一）第四十七条，孙某可以主张违法解除，要求按第八十七条支付二倍赔偿金
288,000 × 2 = 576,000 元；但如果公司在孙某起诉前补正了通知工会的程序，这一主张就难以得到支持。
赔偿金和经济补偿只能择一，不能同时要（实施条例第二十五条）。

三、工会怎么做。公司工会本应在解除前收到通知并有权提出意见、要求纠正（第四十三条）。工会应主动向公司指出程序问题，
一方面维护孙某的权益，另一方面推动公司规范解除程序，通过协商争取合理的解决方案。"""


_SITE_ROWS = [
    ("G01", 7000, 3, 0),
    ("G02", 7000, 3, 0),
    ("G03", 6600, 3, 1000),
    ("G04", 6600, 2, 0),
    ("G05", 6200, 3, 0),
    ("G06", 7400, 3, 0),
    ("G07", 7400, 2, 2000),
    ("G08", 6900, 3, 0),
    ("G09", 6900, 3, 0),
    ("G10", 6500, 1, 0),
    ("G11", 6000, 2, 500),
    ("G12", 6000, 3, 0),
]
# 7000×3 + 7000×3 + 6600×3 + 6600×2 + 6200×3 + 7400×3 + 7400×2 + 6900×3 + 6900×3 + 6500 + 6000×2
# + 6000×3 = 208,500; minus advances 1000 + 2000 + 500 = 3,500 → 205,000.

_PAYROLL_ROWS = (
    [("2024-02", 24000), ("2024-03", 24000)]
    + [(f"2024-{m:02d}", 26000) for m in range(4, 13)]
    + [("2025-01", 62000), ("2025-02", 26000), ("2025-03", 26000)]
)
# last 12 months: 26000 × 11 + 62000 = 348,000 → 29,000.


def a2_cells() -> list:
    return [
        info("a2-intro", A2_INTRO),
        info("a2-case1", CASE1),
        answer(
            "a2-case1-answer",
            """### BEGIN SOLUTION
hourly = 4800 / 21.75 / 8
case1_overtime = round(hourly * (20 * 1.5 + 16 * 2 + 8 * 3), 2)   # 《劳动法》第四十四条
case1_double_wage = 4800 * 11.0                                   # 2021-04-01 至 2022-02-28
case1_damages = 4800 * 1.5 * 2                                    # 1年2个月20天 → 1.5 个月，× 2
case1_double_wage_article = 82
case1_damages_article = 87
case1_total = round(case1_overtime + case1_double_wage + case1_damages, 2)
### END SOLUTION
print(case1_overtime, case1_double_wage, case1_damages, case1_total)""",
        ),
        tests(
            "a2-test-case1",
            3,
            """assert isinstance(case1_double_wage_article, int) and isinstance(case1_damages_article, int)
assert case1_overtime > 0 and case1_double_wage > 0 and case1_damages > 0
### BEGIN HIDDEN TESTS
assert abs(case1_overtime - 2372.41) <= 0.0101        # 4800/174 × (30 + 32 + 24)
assert abs(case1_double_wage - 52800) <= 0.0101       # 11 个月封顶（第八十二条）
assert abs(case1_damages - 14400) <= 0.0101           # 1.5 个月 × 2（第四十七条、第八十七条）
assert case1_double_wage_article == 82
assert case1_damages_article == 87
assert abs(case1_total - 69572.41) <= 0.0201
### END HIDDEN TESTS""",
        ),
        info("a2-case1-task", CASE1_TASK),
        written("a2-case1-written", 4, CASE1_MODEL),
        info("a2-case2", CASE2),
        answer(
            "a2-case2-answer",
            """import pandas as pd

site = pd.read_csv("data/site_wages.csv")
display(site.head())
### BEGIN SOLUTION
owed = site["月工资"] * site["欠薪月数"] - site["已预支生活费"]
case2_total_owed = float(owed.sum())
case2_extra_range = (round(case2_total_owed * 0.5, 2), round(case2_total_owed, 2))
case2_first_payer_article = 30
### END SOLUTION
print(case2_total_owed, case2_extra_range)""",
        ),
        tests(
            "a2-test-case2",
            2,
            """assert isinstance(case2_first_payer_article, int)
assert len(case2_extra_range) == 2 and case2_extra_range[0] <= case2_extra_range[1]
### BEGIN HIDDEN TESTS
assert abs(case2_total_owed - 205000) <= 0.0101
assert abs(case2_extra_range[0] - 102500) <= 0.0101 and abs(case2_extra_range[1] - 205000) <= 0.0101
assert case2_first_payer_article == 30
### END HIDDEN TESTS""",
        ),
        info("a2-case2-task", CASE2_TASK),
        written("a2-case2-written", 4, CASE2_MODEL),
        info("a2-case3", CASE3),
        answer(
            "a2-case3-answer",
            """import pandas as pd

payroll = pd.read_csv("data/manager_payroll.csv")
display(payroll.tail(3))
### BEGIN SOLUTION
case3_avg_wage = round(float(payroll["应发工资"].tail(12).mean()), 2)   # 第四十七条第三款
case3_capped = case3_avg_wage > 3 * 8000
base = 3 * 8000 if case3_capped else case3_avg_wage
months = 15.0                          # 2010-07-01 至 2025-03-31：14 年 9 个月 → 15
if case3_capped:
    months = min(months, 12)
case3_compensation = round(base * months, 2)
case3_damages = round(2 * case3_compensation, 2)   # 第八十七条
### END SOLUTION
print(case3_avg_wage, case3_capped, case3_compensation, case3_damages)""",
        ),
        tests(
            "a2-test-case3",
            3,
            """assert isinstance(case3_capped, bool)
assert case3_damages >= case3_compensation > 0
### BEGIN HIDDEN TESTS
assert abs(case3_avg_wage - 29000) <= 0.0101          # 只取最后 12 个月，含年终奖
assert case3_capped is True                           # 29000 > 3 × 8000
assert abs(case3_compensation - 288000) <= 0.0101     # 24000 × 12（双封顶）
assert abs(case3_damages - 576000) <= 0.0101          # × 2（第八十七条）
### END HIDDEN TESTS""",
        ),
        info("a2-case3-task", CASE3_TASK),
        written("a2-case3-written", 4, CASE3_MODEL),
    ]


ASSIGNMENTS = [
    ("a1-calculators", "calculators.ipynb", a1_cells),
    ("a2-cases", "cases.ipynb", a2_cells),
]

DATA = {
    "source/a2-cases/data/site_wages.csv": (
        ["工号", "月工资", "欠薪月数", "已预支生活费"],
        [list(r) for r in _SITE_ROWS],
    ),
    "source/a2-cases/data/manager_payroll.csv": (["月份", "应发工资"], [list(r) for r in _PAYROLL_ROWS]),
}
