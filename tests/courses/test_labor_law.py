"""The `labor-law` course: calculators vs hand-worked cases, widgets, lessons, assignments.

Fixtures (module-scoped):
    lc           the lessons' calculator module, courses/labor-law/lessons/laborcalc.py
    executed     every lesson executed once, top to bottom, in a real python3 kernel
    selfchecks   grader.selfcheck.check_assignment run once per assignment (real nbgrader)
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import sys
import tomllib
from pathlib import Path

import nbformat
import opencc
import pytest
from nbclient import NotebookClient

from airclass.core.catalog import load_course
from grader.selfcheck import check_assignment, locked_cell_ids

REPO = Path(__file__).resolve().parents[2]
COURSE = REPO / "courses" / "labor-law"
LESSONS = sorted((COURSE / "lessons").glob("*.ipynb"))
ASSIGNMENTS = ["a1-calculators", "a2-cases"]
D = dt.date


@pytest.fixture(scope="module")
def lc():
    spec = importlib.util.spec_from_file_location("labor_law_laborcalc", COURSE / "lessons" / "laborcalc.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


# ------------------------------------------------------------- hand-worked cases


def test_overtime_pay_article_44(lc):
    # 《劳动法》第四十四条: 4350 / 21.75 / 8 = 25 元/小时;
    # 40 h workday × 150% = 1500, 16 h rest day × 200% = 800, 8 h holiday × 300% = 600.
    assert lc.hourly_wage(4350) == 25.0
    assert lc.overtime_pay(4350, workday_hours=40) == 1500.0
    assert lc.overtime_pay(4350, restday_hours=16) == 800.0
    assert lc.overtime_pay(4350, holiday_hours=8) == 600.0
    assert lc.overtime_pay(4350, 40, 16, 0) == 2300.0
    # 5220 / 174 = 30 元/小时; 10 h × 150% = 450.
    assert lc.overtime_pay(5220, 10) == 450.0
    # 4800 / 174 × (20×1.5 + 16×2 + 8×3 = 86) = 2372.413… → 2372.41.
    assert lc.overtime_pay(4800, 20, 16, 8) == 2372.41
    with pytest.raises(ValueError):
        lc.overtime_pay(4350, workday_hours=-1)


def test_service_length_counts_calendar_months(lc):
    # 2021-03-01 .. 2024-09-30, both days included = 3 years 7 months exactly.
    assert lc.service_length(D(2021, 3, 1), D(2024, 9, 30)) == (43, 0)
    # One day short: 3 years 6 months and 29 days (Sept 1 .. Sept 29).
    assert lc.service_length(D(2021, 3, 1), D(2024, 9, 29)) == (42, 29)
    # Month-end: 2020-02-29 + 12 months has no Feb 29 → Feb 28 closes the year.
    assert lc.service_length(D(2020, 2, 29), D(2021, 2, 27)) == (12, 0)
    assert lc.service_length(D(2024, 1, 20), D(2024, 3, 5)) == (1, 15)  # leap February
    with pytest.raises(ValueError):
        lc.service_length(D(2024, 5, 1), D(2024, 4, 30))


def test_compensation_six_month_rule_article_47(lc):
    # 《劳动合同法》第四十七条第一款.
    assert lc.compensation_months(D(2021, 3, 1), D(2024, 9, 30)) == 4.0  # 3y7m → 4
    assert lc.compensation_months(D(2021, 3, 1), D(2024, 8, 31)) == 4.0  # 3y6m → 4
    assert lc.compensation_months(D(2021, 3, 1), D(2024, 8, 30)) == 3.5  # 3y5m30d → 3.5
    assert lc.compensation_months(D(2021, 3, 1), D(2024, 2, 29)) == 3.0  # exactly 3y
    assert lc.compensation_months(D(2021, 3, 1), D(2024, 3, 10)) == 3.5  # 3y + 10 days
    assert lc.compensation_months(D(2025, 1, 1), D(2025, 3, 31)) == 0.5  # under 6 months


def test_economic_compensation_article_47(lc):
    # The brief's case: wage 6000, 3 years 7 months → 4 months' wage = 24000 (§47).
    assert lc.economic_compensation(6000, D(2021, 3, 1), D(2024, 9, 30), 7000) == 24000.0
    # 2 years 5 months at 5000 → 2.5 months = 12500 (§47 half-month rule).
    assert lc.economic_compensation(5000, D(2022, 3, 1), D(2024, 7, 31), 7000) == 12500.0
    # Under 6 months → half a month: 5000 × 0.5 = 2500 (§47).
    assert lc.economic_compensation(5000, D(2025, 1, 1), D(2025, 3, 31), 7000) == 2500.0


def test_compensation_caps_article_47_para_2(lc):
    # Wage 30000 > 3 × 7000: base 21000; 14y9m → 15 months, capped at 12 → 252000.
    detail = lc.economic_compensation_detail(30000, D(2010, 7, 1), D(2025, 3, 31), 7000)
    assert (detail.capped, detail.base_wage, detail.months_due, detail.amount) == (
        True,
        21000,
        12.0,
        252000.0,
    )
    # Cap on the base only (10 years < 12): 21000 × 10 = 210000.
    assert lc.economic_compensation(30000, D(2015, 1, 1), D(2024, 12, 31), 7000) == 210000.0
    # Wage exactly 3 × average is not "higher than": 17 years, no caps → 357000.
    assert lc.economic_compensation(21000, D(2008, 1, 1), D(2024, 12, 31), 7000) == 357000.0
    # One cent above: both caps → 21000 × 12 = 252000.
    assert lc.economic_compensation(21000.01, D(2008, 1, 1), D(2024, 12, 31), 7000) == 252000.0
    # Ordinary wage, 15 years: the 12-year cap does not apply → 5500 × 15 = 82500.
    assert lc.economic_compensation(5500, D(2009, 4, 1), D(2024, 3, 31), 7000) == 82500.0


def test_unlawful_termination_twice_article_87(lc):
    # §87: twice the §47 amount. 6000, 3y7m → 24000 × 2 = 48000.
    assert lc.unlawful_termination_damages(6000, D(2021, 3, 1), D(2024, 9, 30), 7000) == 48000.0
    # 4800, 2021-03-01..2022-05-20 = 1y2m20d → 1.5 months → 7200 × 2 = 14400.
    assert lc.unlawful_termination_damages(4800, D(2021, 3, 1), D(2022, 5, 20), 7000) == 14400.0
    # Caps carry over: 252000 × 2 = 504000.
    assert lc.unlawful_termination_damages(30000, D(2010, 7, 1), D(2025, 3, 31), 7000) == 504000.0


def test_double_wages_article_82(lc):
    # §82 + 实施条例第六条: started 2024-03-01, signed 2024-07-01 → Apr 1 .. Jun 30 = 3 months.
    assert lc.double_wage_months(D(2024, 3, 1), signed=D(2024, 7, 1)) == 3
    assert lc.double_wage_extra(4500, D(2024, 3, 1), signed=D(2024, 7, 1)) == 13500.0
    # Signed within the first month (§10), on the start day or before it → nothing, no error.
    for signed in (D(2024, 3, 20), D(2024, 4, 1), D(2024, 3, 1), D(2024, 2, 20)):
        assert lc.double_wage_parts(D(2024, 3, 1), signed=signed) == (0, 0)
        assert lc.double_wage_extra(4500, D(2024, 3, 1), signed=signed) == 0.0
    # Signed on day 33: the extra wage runs Apr 1 (a Monday) to the day before signing, Apr 1
    # → one working day at 4500 ÷ 21.75 = 206.896… → 206.90 (实施条例第六条, 劳社部发〔2008〕3号).
    assert lc.double_wage_parts(D(2024, 3, 1), signed=D(2024, 4, 2)) == (0, 1)
    assert lc.double_wage_extra(4500, D(2024, 3, 1), signed=D(2024, 4, 2)) == 206.90
    # Never signed, left after 14 months → capped at 11 (§82, 实施条例第七条): 4800 × 11.
    assert lc.double_wage_extra(4800, D(2021, 3, 1), last_day=D(2022, 5, 20)) == 52800.0
    assert lc.double_wage_months(D(2023, 1, 10), last_day=D(2025, 4, 30)) == 11
    # Signed one day before the anniversary: Feb 10 .. Jan 8 = 10 months (to Dec 9) and
    # Dec 10 (a Sunday) .. Jan 8: 4 full weeks (20 weekdays) + Jan 8 (Monday) = 21 working days.
    assert lc.double_wage_parts(D(2023, 1, 10), signed=D(2024, 1, 9)) == (10, 21)
    # Left 2024-09-13 after starting 2024-03-15: Apr 15 .. Aug 14 = 4 months, then Aug 15
    # (Thursday) .. Sep 13 (Friday) = 2 + 4 × 5 = 22 working days: 20,000 + 5000 ÷ 21.75 × 22.
    assert lc.double_wage_parts(D(2024, 3, 15), last_day=D(2024, 9, 13)) == (4, 22)
    assert lc.double_wage_extra(5000, D(2024, 3, 15), last_day=D(2024, 9, 13)) == 25057.47
    # Whichever comes first: signed 2024-06-15 before leaving → Apr 15 .. Jun 14 = 2 months.
    assert lc.double_wage_parts(D(2024, 3, 15), D(2024, 6, 15), D(2024, 12, 31)) == (2, 0)
    with pytest.raises(ValueError):
        lc.double_wage_months(D(2024, 3, 1))


def test_pay_days_counts_weekdays(lc):
    assert lc.pay_days(D(2024, 4, 1), D(2024, 4, 7)) == 5  # Monday .. Sunday
    assert lc.pay_days(D(2024, 4, 6), D(2024, 4, 7)) == 0  # a weekend
    assert lc.pay_days(D(2024, 4, 5), D(2024, 4, 4)) == 0  # empty


def test_arrears_and_average_wage_articles_85_and_47(lc):
    # §85: 50%–100% of the amount owed, only after the deadline passes.
    assert lc.arrears_compensation_range(12000) == (6000.0, 12000.0)
    assert lc.arrears_compensation_range(12000, paid_by_deadline=True) == (0.0, 0.0)
    # §47 para 3 / 实施条例第二十七条: last 12 months only; minimum wage floor.
    assert lc.average_monthly_wage([9000, 9000] + [5000] * 12) == 5000.0
    assert lc.average_monthly_wage([4000, 5000, 6000]) == 5000.0
    assert lc.average_monthly_wage([1500] * 12, minimum_wage=2100) == 2100.0


def test_lesson_data_matches_the_lesson_text(lc):
    # Lesson 2 says 陈某's last-12-month average is 6000; lesson 4's site owes its workers.
    import pandas as pd

    wages = pd.read_csv(COURSE / "data" / "wage_history.csv")
    assert len(wages) == 15
    assert (wages["基本工资"] + wages["绩效奖金"] + wages["津贴补贴"] == wages["应发工资"]).all()
    assert lc.average_monthly_wage(wages["应发工资"].tolist()) == 6000.0
    site = pd.read_csv(COURSE / "data" / "site_arrears.csv")
    assert (site["月工资"] * site["欠薪月数"]).sum() > 0


def test_who_pays_cites_the_regulation(lc):
    answer, article = lc.who_pays("subcontractor")
    assert "施工总承包单位先行清偿" in answer and "第三十条" in article
    for key in lc.WHO_PAYS:
        assert "《保障农民工工资支付条例》" in lc.who_pays(key)[1]


# ------------------------------------------------------------- widgets


def test_overtime_widget_updates_with_article(lc):
    calc = lc.OvertimeCalculator(wage=5000)
    calc.inputs["wage"].value = 4350
    calc.inputs["workday"].value = 40
    calc.inputs["restday"].value = 16
    calc.button.click()
    out = calc.output.value
    assert "2,300.00 元" in out and "第四十四条" in out and "21.75" in out
    calc.inputs["holiday"].value = 8  # observing the input recomputes without a click
    assert "2,900.00 元" in calc.output.value and "300%" in calc.output.value


def test_compensation_widget_dates_caps_and_unlawful(lc):
    calc = lc.CompensationCalculator()
    calc.inputs["wage"].value = 6000
    calc.inputs["entry"].value = D(2021, 3, 1)
    calc.inputs["last_day"].value = D(2024, 9, 30)
    calc.inputs["local_avg"].value = 7000
    calc.button.click()
    assert "24,000.00 元" in calc.output.value and "3 年 7 个月" in calc.output.value
    assert "第四十七条" in calc.output.value
    calc.inputs["unlawful"].value = True
    assert "48,000.00 元" in calc.output.value and "第八十七条" in calc.output.value
    calc.inputs["unlawful"].value = False
    calc.inputs["wage"].value = 30000
    calc.inputs["entry"].value = D(2010, 7, 1)
    calc.inputs["last_day"].value = D(2025, 3, 31)
    assert "252,000.00 元" in calc.output.value and "十二年" in calc.output.value
    calc.inputs["last_day"].value = D(2009, 1, 1)  # before the entry date
    assert "不能早于" in calc.output.value


def test_double_wage_widget_and_optional_dates(lc):
    calc = lc.DoubleWageCalculator()
    calc.inputs["wage"].value = 4500
    calc.inputs["start"].value = D(2024, 3, 1)
    calc.inputs["signed"].value = D(2024, 7, 1)
    calc.button.click()
    assert "13,500.00 元" in calc.output.value and "第八十二条" in calc.output.value
    calc.inputs["signed"].value = None
    assert "请给出" in calc.output.value  # neither date: a clear message, no traceback
    calc.inputs["wage"].value = 4800
    calc.inputs["start"].value = D(2021, 3, 1)
    calc.inputs["last_day"].value = D(2022, 5, 20)
    assert "52,800.00 元" in calc.output.value and "无固定期限" in calc.output.value


def test_arrears_and_who_pays_widgets(lc):
    calc = lc.ArrearsCalculator(owed=12000, overdue=True)
    calc.button.click()
    assert "6,000.00 元 至 12,000.00 元" in calc.output.value and "第八十五条" in calc.output.value
    calc.inputs["overdue"].value = False
    assert "0.00 元" in calc.output.value and "期限内付清" in calc.output.value
    helper = lc.WhoPaysHelper()
    helper.inputs["scenario"].value = "individual"
    assert "第三十六条" in helper.output.value


# ------------------------------------------------------------- catalog and language


def _markdown_sources(path: Path) -> list[str]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [
        "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
        for c in nb["cells"]
        if c["cell_type"] == "markdown"
    ]


def test_catalog_loads():
    course = load_course(COURSE)
    assert [x.id for x in course.lessons] == [
        "how-to",
        "overtime",
        "compensation",
        "contract-wages",
        "migrant-wages",
    ]
    assert [a.id for a in course.assignments] == ["a0-practice", "fill-in", *ASSIGNMENTS]


def test_text_is_simplified_chinese():
    t2s = opencc.OpenCC("t2s")
    texts = []
    meta = tomllib.loads((COURSE / "course.toml").read_text(encoding="utf-8"))
    texts += [meta["title"], meta["description"], meta["audience"]]
    for item in meta["lessons"] + meta["assignments"]:
        texts += [v for v in item.values() if isinstance(v, str)]
    for nb in [*LESSONS, *sorted((COURSE / "source").rglob("*.ipynb"))]:
        texts += _markdown_sources(nb)
    assert len(texts) > 40
    for text in texts:
        assert t2s.convert(text) == text, text[:80]


def test_notebooks_are_committed_clean():
    for nb in [*LESSONS, *sorted((COURSE / "source").rglob("*.ipynb"))]:
        for cell in json.loads(nb.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "code":
                assert cell["outputs"] == [] and cell["execution_count"] is None, nb


def test_lessons_open_and_close_with_lessonkit():
    meta = tomllib.loads((COURSE / "course.toml").read_text(encoding="utf-8"))
    for lesson in meta["lessons"]:
        nb = nbformat.read(COURSE / lesson["notebook"], as_version=4)
        code = [c.source for c in nb.cells if c.cell_type == "code"]
        assert code[0].startswith("from airclass.lessons import kit as lk")
        assert f'lk.video("labor-law", "{lesson["id"]}")' in code[0]
        assert code[-1].startswith(f'lk.finish_lesson("labor-law", "{lesson["id"]}")')
        assert sum("lk.quick_check(" in c for c in code) >= 2


def test_quick_checks_accept_their_answer_and_cite_a_source():
    from airclass.lessons import kit as lk

    count = 0
    for path in LESSONS:
        for cell in nbformat.read(path, as_version=4).cells:
            if (
                cell.cell_type != "code"
                or "lk.quick_check(" not in cell.source
                or path.name.startswith("00-")
            ):
                continue  # 第0课 is about the notebook, not the law
            namespace = {"lk": lk}
            exec(cell.source, namespace)  # the lesson's own cell, with the real lessonkit
            q = next(v for v in namespace.values() if isinstance(v, lk.QuickCheck))
            assert "《" in q.explanation, q.explanation  # names the law or document it rests on
            q.choice.value = q.choice.options[(q.answer + 1) % len(q.choice.options)]
            q.check_button.click()
            assert "还不对" in q.feedback.value
            q.choice.value = q.choice.options[q.answer]
            q.check_button.click()
            assert "回答正确" in q.feedback.value
            count += 1
    assert count >= 3 * (len(LESSONS) - 1)


# ------------------------------------------------------------- lessons execute


@pytest.fixture(scope="module")
def executed():
    env_path = os.environ.get("PYTHONPATH", "")
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env_path) if p)
    try:
        results = {}
        for path in LESSONS:
            nb = nbformat.read(path, as_version=4)
            NotebookClient(
                nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
            ).execute()
            results[path.name] = nb
        return results
    finally:
        if env_path:
            os.environ["PYTHONPATH"] = env_path
        else:
            os.environ.pop("PYTHONPATH", None)


@pytest.mark.slow
@pytest.mark.parametrize("name", [p.name for p in LESSONS])
def test_lesson_executes(executed, name):
    nb = executed[name]
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert len(code[0].outputs) == 1 and len(code[-1].outputs) == 1  # video, finish: shown once
    text = json.dumps(nb.cells, ensure_ascii=False)
    assert "基层经验视频" in text or "本课文字版" in text  # lk.video rendered (player or text only)
    assert "完成本课" in text  # lk.finish_lesson rendered


@pytest.mark.slow
def test_lesson_outputs_show_the_worked_numbers(executed):
    overtime = json.dumps(executed["01-overtime.ipynb"].cells, ensure_ascii=False)
    assert "合计：2300.00 元" in overtime  # 小刘, §44
    comp = json.dumps(executed["02-compensation.ipynb"].cells, ensure_ascii=False)
    assert "24000.0 元" in comp and "6,000.00 元" in comp  # 陈某, §47 and the CSV average


# ------------------------------------------------------------- assignments through nbgrader


@pytest.fixture(scope="module")
def selfchecks(tmp_path_factory):
    return {a: check_assignment(COURSE, a, workdir=tmp_path_factory.mktemp(a)) for a in ASSIGNMENTS}


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_assignment_grades_solution_full_and_release_zero(selfchecks, assignment):
    r = selfchecks[assignment]
    assert r.solution.code_score == r.solution.max_code_score > 0
    assert r.released.code_score == 0
    assert r.hidden_test_leaks == []
    assert r.solution.written_max > 0  # every assignment also has manually graded writing
    course = load_course(COURSE)
    total = r.solution.max_code_score + r.solution.written_max
    assert total == course.assignment(assignment).points


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_released_test_cells_are_locked(selfchecks, assignment):
    r = selfchecks[assignment]
    for released in r.release_dir.glob("*.ipynb"):
        source = json.loads((COURSE / "source" / assignment / released.name).read_text("utf-8"))
        test_ids = {
            c["metadata"]["nbgrader"]["grade_id"]
            for c in source["cells"]
            if c.get("metadata", {}).get("nbgrader", {}).get("grade") and c["cell_type"] == "code"
        }
        assert test_ids and test_ids <= set(locked_cell_ids(released))
        text = released.read_text(encoding="utf-8")
        assert "BEGIN SOLUTION" not in text and "参考答案" not in text
    if assignment == "a2-cases":
        assert (r.release_dir / "data" / "site_wages.csv").is_file()
