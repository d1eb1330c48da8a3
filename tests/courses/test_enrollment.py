"""Course `enrollment` (入会与会籍管理): catalog, text, widgets, hand-worked rules, nbgrader.

Fast tests call the lesson helper module `courses/enrollment/lessons/enrollkit.py` directly;
`slow` tests execute the lesson notebooks once (module fixture) and run each assignment
through real nbgrader once (module fixture, grader.selfcheck).
"""

from __future__ import annotations

import datetime as dt
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
COURSE = REPO / "courses" / "enrollment"
LESSONS = COURSE / "lessons"
ASSIGNMENTS = ["a1-id-dispatch", "a2-coverage"]
TODAY = dt.date(2026, 9, 1)

if str(LESSONS) not in sys.path:
    sys.path.insert(0, str(LESSONS))
import enrollkit as ek  # noqa: E402

T2S = opencc.OpenCC("t2s")


def synthetic(area: str, y: int, m: int, d: int, seq: int) -> str:
    return ek.make_synthetic_id(area, dt.date(y, m, d), seq)


HENAN = synthetic("410102", 1993, 11, 20, 457)  # made up, built with the algorithm


# ------------------------------------------------------------------ catalog and text
def test_catalog_loads():
    course = load_course(COURSE)
    assert course.id == "enrollment"
    assert len(course.lessons) >= 3
    assert [a.id for a in course.assignments] == ["a0-practice", "fill-in", *ASSIGNMENTS]


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _notebooks():
    return sorted(LESSONS.glob("*.ipynb")) + sorted((COURSE / "source").glob("*/*.ipynb"))


def test_text_is_simplified_chinese():
    meta = tomllib.loads((COURSE / "course.toml").read_text(encoding="utf-8"))
    texts = list(_strings(meta))
    for path in _notebooks():
        nb = nbformat.read(path, as_version=4)
        texts += [c.source for c in nb.cells if c.cell_type == "markdown"]
    texts.append((LESSONS / "enrollkit.py").read_text(encoding="utf-8"))
    bad = [t[:60] for t in texts if T2S.convert(t) != t]
    assert bad == []


def test_notebooks_committed_without_outputs():
    for path in _notebooks():
        nb = json.loads(path.read_text(encoding="utf-8"))
        assert nb["metadata"]["kernelspec"]["name"] == "python3"
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                assert cell["outputs"] == [] and cell["execution_count"] is None, path.name


def test_lessons_start_with_video_and_end_with_finish():
    meta = tomllib.loads((COURSE / "course.toml").read_text(encoding="utf-8"))
    for lesson in meta["lessons"]:
        nb = nbformat.read(COURSE / lesson["notebook"], as_version=4)
        codes = [c.source for c in nb.cells if c.cell_type == "code"]
        assert codes[0].startswith("from airclass.lessons import kit as lk")
        assert f'lk.video("enrollment", "{lesson["id"]}")' in codes[0]
        assert codes[-1] == f'lk.finish_lesson("enrollment", "{lesson["id"]}")'
        assert sum("lk.quick_check(" in c for c in codes) >= 2
        assert len(lesson["video_fallback"]) > 80


# ------------------------------------------------------------------ hand-worked rules
def test_check_char_gb11643_worked_example():
    # GB 11643-1999: 3·7+7·9+0·10+2·5+0·8+2·4+1·2+9·1+9·6+0·3+0·7+3·9+0·10+7·5+1·8+2·4+3·2
    # = 251; 251 mod 11 = 9; "10X98765432"[9] = "3"
    assert sum(p for *_, p in ek.weighted_terms("37020219900307123")) == 251
    assert ek.check_char("37020219900307123") == "3"


def test_check_char_gb11643_remainder_two_gives_x():
    # 3·7+7·9+1·10+7·5+0·8+2·4+1·2+9·1+8·6+8·3+0·7+8·9+0·10+8·5+0+0+0 = 332; 332 mod 11 = 2 -> X
    assert ek.check_char("37170219880808000") == "X"
    assert ek.validate_id("37170219880808000x", TODAY).ok  # lowercase x accepted


@pytest.mark.parametrize(
    ("number", "ok", "fragment"),
    [
        ("370202199003071233", True, "号码有效"),
        ("370202199003071230", False, "校验码应为 3"),
        ("37020219900307123", False, "长度应为 18 位"),
        ("370303850914021", False, "15 位"),
        ("3702021990030712３3", False, "半角数字"),
        ("990202199003071233", False, "省级行政区划代码"),
        ("379902199003071233", False, "不是山东省的地市代码"),
        ("370102199102290000", False, "不是真实的日期"),  # 1991 is not a leap year
        ("370102202701010000", False, "不合理"),  # born after the application date
    ],
)
def test_validate_id_gb11643_cases(number, ok, fragment):
    result = ek.validate_id(number, TODAY)
    assert result.ok is ok
    assert fragment in result.reason


def test_validate_id_keeps_laiwu_3712_and_other_provinces():
    # 莱芜 merged into 济南 (2019) but numbers never change; out-of-province workers may join (工会法 §3)
    laiwu = synthetic("371202", 1979, 1, 15, 82)
    assert ek.validate_id(laiwu, TODAY).city == "济南"
    henan = ek.validate_id(HENAN, TODAY)
    assert henan.ok and henan.province == "河南" and henan.city == "" and henan.sex == "男"


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("13805312019", True),
        ("+86 138-0531-2019", True),
        ("1380531201", False),
        ("12805312019", False),
        ("138053120190", False),
        ("", False),
    ],
)
def test_validate_mobile(text, ok):
    assert ek.validate_mobile(text)[0] is ok


def test_dispatch_follows_workplace_not_hukou_opinion_measure4():
    # 《意见》第四项措施：属地管理原则 — a 河南 number working in 青岛黄岛区 goes to 青岛黄岛区
    assert ek.validate_id(HENAN, TODAY).province == "河南"
    d = ek.dispatch(
        "青岛", "黄岛区", employer="某劳务公司", employer_union=False, occupation="钢筋工", zone="建设项目部"
    )
    assert (d.city, d.district, d.kind) == ("青岛", "黄岛区", "区域性工会联合会")
    assert d.to == "青岛市黄岛区建设项目部工会联合会"


def test_dispatch_order_opinion_measures_3_and_4():
    own = ek.dispatch(
        "济南", "历城区", employer="某快递公司", employer_union=True, occupation="物流快递员", zone="街面"
    )
    assert own.kind == "本单位工会" and own.to == "某快递公司工会"
    second = ek.dispatch("济南市", "历城区", employer="某网点", occupation="物流快递员", zone="街面")
    assert second.kind == "行业性工会联合会"  # 二次覆盖 before the regional federation
    rider = ek.dispatch("济南", "历城区", occupation="网约送餐员")
    assert rider.to == "济南市历城区网约送餐员工会联合会"
    flexible = ek.dispatch("聊城", "东昌府区", occupation="理发师")
    assert flexible.kind == "灵活就业人员联合工会"
    with pytest.raises(ValueError):
        ek.dispatch("莱芜", "莱芜区")
    with pytest.raises(ValueError):
        ek.dispatch("济南", "黄岛区")


def test_every_city_has_districts_and_code_37():
    assert len(ek.CITY_CODES) == 16 and set(ek.DISTRICTS) == set(ek.CITY_CODES)
    assert all(code.startswith("37") for code in ek.CITY_CODES.values())
    assert "莱芜区" in ek.DISTRICTS["济南"]


@pytest.mark.parametrize(
    ("staff", "members", "has_union", "fragment"),
    [
        (60, 31, False, "应当建立基层工会委员会"),  # 工会法第十一条: 25 members or more
        (60, 25, False, "应当建立基层工会委员会"),
        (60, 24, False, "选举组织员"),  # 工会法第十一条: fewer than 25
        (180, 12, False, "百人以上"),  # 《意见》第二项措施
        (500, 400, True, "已建会"),
    ],
)
def test_organizing_advice_union_law_art11(staff, members, has_union, fragment):
    assert fragment in ek.organizing_advice(staff, members, has_union)


def test_transfer_keeps_membership_charter_art5():
    # 《中国工会章程》第五条: membership follows the employment relation; id and join date stay
    rec = ek.MemberRecord("M2019-0517", "李某梅", dt.date(2019, 5, 17), "某服装厂工会", "菏泽市单县")
    moved = ek.transfer(rec, "某物流园区工会联合会", "青岛市城阳区", dt.date(2026, 9, 1))
    assert (moved.member_id, moved.joined) == (rec.member_id, rec.joined)
    assert ek.membership_years(moved, dt.date(2026, 9, 1)) == 7
    assert len(moved.history) == 1 and "青岛市城阳区" in moved.history[0]
    with pytest.raises(ValueError):
        ek.transfer(moved, "某物流园区工会联合会", "青岛市城阳区", dt.date(2026, 9, 2))


def test_audit_finds_every_planted_problem_in_members_csv():
    import pandas as pd

    rows = pd.read_csv(COURSE / "data" / "members.csv", dtype=str, keep_default_na=False).to_dict("records")
    problems = ek.audit_records(rows, TODAY)
    by_id = {}
    for p in problems:
        by_id.setdefault(p["会员编号"], []).append(p["问题"])
    assert set(by_id) == {
        "M2021-0308",
        "M2022-0701",
        "M2023-0226",
        "M2024-0105",
        "M2024-0330",
        "M2025-0618",
        "M2025-0702",
    }
    assert "重复入会" in by_id["M2025-0702"][0]
    assert "校验码" in by_id["M2021-0308"][0]


# ------------------------------------------------------------------ widgets
def test_application_form_dispatches_by_workplace():
    form = ek.build_application_form(TODAY)
    form.name.value = "赵某"
    form.id_number.value = HENAN
    form.mobile.value = "139 6390 2468"
    form.city.value = "青岛"
    assert "黄岛区" in form.district.options  # district list follows the city
    form.district.value = "黄岛区"
    form.employer.value = "某劳务公司"
    form.zone.value = "建设项目部"
    form.submit.click()
    assert "青岛市黄岛区建设项目部工会联合会" in form.result.value
    assert "户籍在河南" in form.result.value


def test_application_form_rejects_bad_id_underage_and_mobile():
    form = ek.build_application_form(TODAY)
    form.name.value = "钱某"
    form.id_number.value = HENAN[:17] + ("0" if HENAN[17] != "0" else "1")
    form.mobile.value = "1396390246"
    form.employer.value = "某厂"
    form.submit.click()
    assert "校验码应为" in form.result.value and "手机号应为 11 位" in form.result.value
    assert "申请未提交" in form.result.value
    form.id_number.value = synthetic("370102", 2012, 5, 1, 11)  # 14 years old
    form.mobile.value = "13905310000"
    form.submit.click()
    assert "未满 16 周岁" in form.result.value  # 《劳动法》第十五条


def test_application_form_rider_without_employer():
    form = ek.build_application_form(TODAY)
    form.name.value = "刘某"
    form.id_number.value = "37170219880808000x"
    form.mobile.value = "+86 158-6600-1234"
    form.city.value = "济南"
    form.district.value = "历城区"
    form.employment.value = "无固定用人单位"
    form.employer_union.value = True  # ignored without an employer
    form.occupation.value = "网约送餐员"
    form.submit.click()
    assert "济南市历城区网约送餐员工会联合会" in form.result.value


def test_flow_stepper_walks_both_routes():
    s = ek.build_flow_stepper()
    for target in [
        "平台派单",
        "基层工会受理",
        "退回补正",
        "提交申请",
        "平台派单",
        "基层工会受理",
        "审核通过",
        "入会成功",
        "会籍接转",
        "入会成功",
    ]:
        s.button_for(target).click()
    assert s.state == "入会成功"
    assert s.trail.value.count("退回补正") == 1
    assert "会籍连续" not in s.status.value and "会员证" in s.status.value
    with pytest.raises(KeyError):
        s.button_for("平台派单")  # no jump back from 入会成功
    with pytest.raises(ValueError):
        ek.advance("平台派单", "入会成功")  # dispatch is not approval (章程第二条)
    s.reset_button.click()
    assert s.history == ["提交申请"]


def test_coverage_explorer_second_coverage_and_art11():
    c = ek.build_coverage_explorer()
    c.occupation.value = "物流快递员"
    c.staff.value, c.members.value = 40, 26
    c.button.click()
    assert "行业性工会联合会" in c.result.value and "二次覆盖" in c.result.value
    assert "应当建立基层工会委员会" in c.result.value
    c.occupation.value, c.zone.value, c.has_employer.value = "其他职业", "不属于以下区域", False
    c.button.click()
    assert "灵活就业人员联合工会" in c.result.value and "对这家单位" not in c.result.value


def test_transfer_desk_widget():
    rec = ek.MemberRecord("M2019-0517", "李某梅", dt.date(2019, 5, 17), "某服装厂工会", "菏泽市单县")
    desk = ek.build_transfer_desk(rec, dt.date(2026, 9, 1))
    desk.button.click()
    assert "请填写接收工会名称" in desk.result.value
    desk.city.value = "青岛"
    desk.district.value = "城阳区"
    desk.union.value = "某物流园区工会联合会"
    desk.button.click()
    assert "接转完成" in desk.result.value and "会龄：7 年" in desk.result.value
    assert desk.record.member_id == "M2019-0517"


# ------------------------------------------------------------------ lessons agree with a1
def _solution_namespace(assignment: str) -> dict:
    nb = nbformat.read(COURSE / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    ns: dict = {}
    cwd = os.getcwd()
    os.chdir(COURSE / "source" / assignment)
    try:
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type == "code" and not meta.get("grade"):
                exec(cell.source.replace("workers.head(8)", ""), ns)
    finally:
        os.chdir(cwd)
    return ns


def test_assignment_rules_match_lesson_rules():
    ns = _solution_namespace("a1-id-dispatch")
    numbers = [
        synthetic(a, 1970 + i, 1 + i % 12, 1 + i, 3 * i)
        for i, a in enumerate(
            ["370102", "370202", "371202", "379901", "410102", "990101", "370502", "371702"]
        )
    ]
    numbers += [n[:17] + "0" for n in numbers] + ["370102199102290000", "3701021990"]
    for n in numbers:
        assert (ns["validate_id"](n) == "OK") == ek.validate_id(n, ns["APPLY_DATE"]).ok, n
    for occupation in ["钢筋工", *ek.INDUSTRIES]:
        for zone in ["", "无", *ek.ZONES]:
            for union in (False, True):
                app = {
                    "id_number": HENAN,
                    "mobile": "13905310000",
                    "work_city": "日照",
                    "work_district": "岚山区",
                    "employer": "某单位",
                    "employer_union": union,
                    "occupation": occupation,
                    "zone": zone,
                }
                d = ek.dispatch(
                    "日照",
                    "岚山区",
                    employer="某单位",
                    employer_union=union,
                    occupation=occupation,
                    zone=zone,
                )
                assert ns["dispatch"](app) == ("日照", "岚山区", d.kind)


# ------------------------------------------------------------------ slow: lessons execute
QUICK_CHECK_PROBE = """
from airclass.lessons.kit import QuickCheck
_checks = [v for v in list(globals().values()) if isinstance(v, QuickCheck)]
assert len(_checks) >= 2, len(_checks)
for _q in _checks:
    _q.choice.value = _q.choice.options[_q.answer]
    _q.check_button.click()
    assert "回答正确" in _q.feedback.value, _q.feedback.value
    _q.choice.value = _q.choice.options[(_q.answer + 1) % len(_q.choice.options)]
    _q.check_button.click()
    assert "还不对" in _q.feedback.value
print("QUICK_CHECKS_OK", len(_checks))
"""


@pytest.fixture(scope="module")
def executed_lessons():
    """Run every lesson once, top to bottom, cwd = lessons/, plus a quick-check probe."""
    results = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
        mp.delenv("AIRCLASS_API_URL", raising=False)
        for path in sorted(LESSONS.glob("*.ipynb")):
            nb = nbformat.read(path, as_version=4)
            nb.cells.append(nbformat.v4.new_code_cell(QUICK_CHECK_PROBE))
            try:
                NotebookClient(
                    nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(LESSONS)}}
                ).execute()
                results[path.name] = (nb, None)
            except Exception as exc:  # reported per lesson by the test below
                results[path.name] = (nb, exc)
    return results


@pytest.mark.slow
@pytest.mark.parametrize("lesson", [p.name for p in sorted(LESSONS.glob("*.ipynb"))])
def test_lesson_executes_and_quick_checks_answer(executed_lessons, lesson):
    nb, error = executed_lessons[lesson]
    assert error is None, f"{lesson}: {error}"
    probe = nb.cells[-1].outputs
    assert any("QUICK_CHECKS_OK" in o.get("text", "") for o in probe)
    finish = nb.cells[-2].outputs
    assert finish and "application/vnd.jupyter.widget-view+json" in finish[0]["data"]


# ------------------------------------------------------------------ slow: nbgrader
@pytest.fixture(scope="module", params=ASSIGNMENTS)
def selfcheck(request, tmp_path_factory):
    workdir = tmp_path_factory.mktemp(f"selfcheck-{request.param}")
    return request.param, check_assignment(COURSE, request.param, workdir)


@pytest.mark.slow
def test_assignment_through_nbgrader(selfcheck):
    assignment, r = selfcheck
    course = load_course(COURSE)
    assert r.solution.code_score == r.solution.max_code_score > 0
    assert r.released.code_score == 0
    assert r.hidden_test_leaks == []
    assert r.solution.written_max > 0  # every assignment mixes in a written answer
    total = r.solution.max_code_score + r.solution.written_max
    assert total == course.assignment(assignment).points

    released_nb = r.release_dir / f"{assignment}.ipynb"
    source = nbformat.read(COURSE / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    test_ids = [
        c.metadata.nbgrader["grade_id"]
        for c in source.cells
        if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"
    ]
    assert test_ids and set(test_ids) <= set(locked_cell_ids(released_nb))
    released_text = released_nb.read_text(encoding="utf-8")
    assert "BEGIN SOLUTION" not in released_text and "YOUR ANSWER HERE" in released_text
    if assignment == "a2-coverage":
        assert (r.release_dir / "data" / "workers.csv").is_file()
