"""labor-law assignments judged by what was asked: alternative correct solutions score full,
plausible wrong ones do not, and one gap costs only its own points — through real nbgrader."""

from __future__ import annotations

import pytest

from tests.courses.variants import grade_variants
from tests.paths import COURSES

COURSE = COURSES / "labor-law"

DECIMAL_OVERTIME = """from decimal import ROUND_HALF_UP, Decimal


def overtime_pay(monthly_wage, workday_hours=0, restday_hours=0, holiday_hours=0):
    if min(monthly_wage, workday_hours, restday_hours, holiday_hours) < 0:
        raise ValueError("不能为负数")
    hourly = Decimal(str(monthly_wage)) / Decimal("174")
    weight = Decimal("1.5") * Decimal(str(workday_hours)) + 2 * Decimal(str(restday_hours))
    weight += 3 * Decimal(str(holiday_hours))
    return (hourly * weight).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)"""

LOOP_DOUBLE_WAGE = """def double_wage_extra(monthly_wage, start, signed=None, last_day=None):
    if signed is None and last_day is None:
        raise ValueError("缺少日期")
    candidates = [add_months(start, 12) - timedelta(days=1)]
    if signed:
        candidates.append(signed - timedelta(days=1))
    if last_day:
        candidates.append(last_day)
    end = min(candidates)
    first = add_months(start, 1)
    if end < first:
        return 0
    months = 0
    while months < 11 and add_months(first, months + 1) - timedelta(days=1) <= end:
        months += 1
    rest = pay_days(add_months(first, months), end)
    return round(monthly_wage * months + rest * monthly_wage / 21.75, 2)"""

NUMPY_SERVICE = """import numpy as np


def service_length(entry, last_day):
    if last_day < entry:
        raise ValueError("日期顺序不对")
    stop = last_day + timedelta(days=1)
    months = np.int64(0)
    while add_months(entry, int(months) + 1) <= stop:
        months += 1
    return [months, np.int64((stop - add_months(entry, int(months))).days)]"""

NUMPY_AVERAGE = """import numpy as np


def average_monthly_wage(wages, minimum_wage=None):
    wages = np.asarray(list(wages), dtype=float)
    if wages.size == 0:
        raise ValueError("没有工资记录")
    average = np.round(wages[-12:].mean(), 2)
    return max(average, minimum_wage) if minimum_wage is not None else average"""

WHOLE_MONTHS_ONLY = """def double_wage_extra(monthly_wage, start, signed=None, last_day=None):
    stops = []
    if signed is not None:
        stops.append(signed)
    if last_day is not None:
        stops.append(last_day + timedelta(days=1))
    if not stops:
        raise ValueError("缺少日期")
    stop = min(stops)
    n = 0
    while add_months(start, n + 1) <= stop:
        n += 1
    return round(monthly_wage * max(0, min(n - 1, 11)), 2)"""

CRASHES_ON_EARLY_SIGNING = """def double_wage_extra(monthly_wage, start, signed=None, last_day=None):
    ends = [d for d in (signed - timedelta(days=1) if signed else None, last_day) if d is not None]
    if not ends:
        raise ValueError("缺少日期")
    first = add_months(start, 1)
    last = min(ends + [add_months(start, 12) - timedelta(days=1)])
    if last < first:
        raise ValueError("补签日期早于宽限期结束")
    n = 0
    while n < 11 and add_months(first, n + 1) <= last + timedelta(days=1):
        n += 1
    return round(monthly_wage * n + monthly_wage / 21.75 * pay_days(add_months(first, n), last), 2)"""

A1 = {
    "right-decimal-loop": {"a1-overtime": DECIMAL_OVERTIME, "a1-double": LOOP_DOUBLE_WAGE},
    "right-numpy-list": {"a1-service": NUMPY_SERVICE, "a1-average": NUMPY_AVERAGE},
    "wrong-whole-months-only": {"a1-double": WHOLE_MONTHS_ONLY},
    "wrong-crash-signed-early": {"a1-double": CRASHES_ON_EARLY_SIGNING},
    "gap-service-length": {"a1-service": "def service_length(entry, last_day):\n    pass"},
    "wrong-damages-once": {
        "a1-damages": "def unlawful_termination_damages(monthly_wage, entry, last_day, local_avg_wage):\n"
        "    return economic_compensation(monthly_wage, entry, last_day, local_avg_wage)"
    },
}
# 15 autograded points: overtime 2, service 3, months 2, compensation 3, damages 1, double 2,
# arrears 1, average 1.
A1_SCORES = {
    "right-decimal-loop": 15,
    "right-numpy-list": 15,
    "wrong-whole-months-only": 13,
    "wrong-crash-signed-early": 13,
    "gap-service-length": 12,  # only its own 3 points: months, compensation, damages use the reference
    "wrong-damages-once": 14,
}

A2 = {
    "right-numpy-decimal": {
        "a2-case1-answer": (
            "from decimal import Decimal\n\n"
            "case1_overtime = Decimal('2372.41')\ncase1_double_wage = Decimal(4800 * 11)\n"
            "case1_damages = 4800 * 1.5 * 2\ncase1_double_wage_article = 82.0\ncase1_damages_article = 87\n"
            "case1_total = case1_overtime + case1_double_wage + Decimal(str(case1_damages))"
        ),
        "a2-case3-answer": (
            "import pandas as pd\n\npayroll = pd.read_csv('data/manager_payroll.csv')\n"
            "case3_avg_wage = payroll['应发工资'].tail(12).mean()\n"
            "case3_capped = case3_avg_wage > 3 * 8000\n"  # numpy.bool_
            "case3_compensation = min(case3_avg_wage, 24000) * 12\ncase3_damages = case3_compensation * 2"
        ),
    },
    "right-list-range": {
        "a2-case2-answer": (
            "import pandas as pd\n\nsite = pd.read_csv('data/site_wages.csv')\n"
            "case2_total_owed = (site['月工资'] * site['欠薪月数'] - site['已预支生活费']).sum()\n"
            "case2_extra_range = [case2_total_owed / 2, case2_total_owed]\ncase2_first_payer_article = 30"
        ),
    },
    "wrong-no-caps": {
        "a2-case1-answer": (
            "case1_overtime = 2372.41\ncase1_double_wage = 4800 * 13\ncase1_damages = 14400\n"
            "case1_double_wage_article = 82\ncase1_damages_article = 87\n"
            "case1_total = 2372.41 + 4800 * 13 + 14400"
        ),
        "a2-case3-answer": (
            "case3_avg_wage = 29000\ncase3_capped = True\ncase3_compensation = 24000 * 15\n"
            "case3_damages = 24000 * 15 * 2"
        ),
    },
    "wrong-article-as-text": {
        "a2-case1-answer": (
            "case1_overtime = 2372.41\ncase1_double_wage = 52800\ncase1_damages = 14400\n"
            'case1_double_wage_article = "第八十二条"\ncase1_damages_article = 87\ncase1_total = 69572.41'
        ),
    },
}
A2_SCORES = {"right-numpy-decimal": 8, "right-list-range": 8, "wrong-no-caps": 2, "wrong-article-as-text": 5}


@pytest.mark.parametrize(
    "assignment, variants, expected",
    [("a1-calculators", A1, A1_SCORES), ("a2-cases", A2, A2_SCORES)],
    ids=["a1", "a2"],
)
def test_variants_through_nbgrader(assignment, variants, expected, tmp_path):
    scores = grade_variants(COURSE, assignment, variants, tmp_path)
    got = {name: s.score for name, s in scores.items()}
    assert got == expected, {name: s.by_cell for name, s in scores.items()}
