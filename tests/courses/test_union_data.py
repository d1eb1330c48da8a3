"""Tests of the `union-data` course (工会数据实务).

Fast tests: data set facts and reproducibility, the lesson helpers and widgets, the
assignment solutions on tiny hand-made DataFrames (figures worked out by hand in the
comments), and the hidden tests rejecting typical wrong answers (run in-process).
Slow tests (marked): every lesson executed headless once, and each assignment run once
through real nbgrader (generate_assignment + autograde) by grader.selfcheck.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import tomllib
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import opencc  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from airclass.core.catalog import load_course  # noqa: E402
from airclass.core.cities import CITY_CODES  # noqa: E402  (DOMAIN.md: the 16 prefecture-level cities)
from airclass.lessons import kit as lk  # noqa: E402
from grader.selfcheck import check_assignment, locked_cell_ids  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
COURSE = REPO / "courses" / "union-data"
LESSONS = COURSE / "lessons"
DATA = COURSE / "data"
A1 = COURSE / "source" / "a1-coverage"
A2 = COURSE / "source" / "a2-services"
A1_NB = A1 / "coverage.ipynb"
A2_NB = A2 / "services.ipynb"


def _import(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ud = _import("uniondata", LESSONS / "uniondata.py")


def _enterprises() -> pd.DataFrame:
    return ud.load_enterprises(DATA / "enterprises.csv")


def _targets() -> pd.DataFrame:
    return pd.read_csv(DATA / "targets.csv", dtype={"city_code": str})


def _cells(nb_path: Path) -> dict[str, str]:
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    out = {}
    for cell in nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader")
        if meta:
            out[meta["grade_id"]] = "".join(cell["source"])
    return out


def _solutions(nb_path: Path, *grade_ids: str) -> dict:
    """The solution cells of a source notebook, executed into a fresh namespace."""
    cells = _cells(nb_path)
    ns: dict = {"pd": pd, "plt": plt, "math": math}
    for gid in grade_ids:
        exec(compile(cells[gid], f"{nb_path.name}:{gid}", "exec"), ns)
    return ns


# ---------------------------------------------------------------- catalog and text


def test_catalog_loads():
    course = load_course(COURSE)
    assert course.id == "union-data"
    assert len(course.lessons) >= 3
    assert [a.id for a in course.assignments] == ["a0-practice", "fill-in", "a1-coverage", "a2-services"]
    assert [a.points for a in course.assignments] == [2, 8, 10, 14]


def _all_notebooks() -> list[Path]:
    return sorted(LESSONS.glob("*.ipynb")) + [A1_NB, A2_NB]


def _toml_strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _toml_strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _toml_strings(v)]
    return []


def test_text_is_simplified_chinese():
    t2s = opencc.OpenCC("t2s")
    texts = _toml_strings(tomllib.loads((COURSE / "course.toml").read_text(encoding="utf-8")))
    for nb_path in _all_notebooks():
        nb = nbformat.read(nb_path, as_version=4)
        texts += [c.source for c in nb.cells if c.cell_type == "markdown"]
        # quick-check questions and explanations live in code cells
        texts += [c.source for c in nb.cells if c.cell_type == "code" and "quick_check" in c.source]
    bad = [t[:60] for t in texts if t2s.convert(t) != t]
    assert bad == []


def test_notebooks_committed_without_outputs():
    for nb_path in _all_notebooks():
        nb = nbformat.read(nb_path, as_version=4)
        assert nb.metadata.kernelspec.name == "python3"
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, nb_path.name


def test_lessons_open_with_video_and_end_with_finish():
    course = load_course(COURSE)
    for lesson in course.lessons:
        nb = nbformat.read(COURSE / lesson.notebook, as_version=4)
        code = [c.source for c in nb.cells if c.cell_type == "code"]
        assert code[0].startswith("from airclass.lessons import kit as lk")
        assert f'lk.video("union-data", "{lesson.id}")' in code[0]
        assert code[-1] == f'lk.finish_lesson("union-data", "{lesson.id}")'
        assert sum("lk.quick_check(" in c for c in code) >= (2 if lesson.id == "how-to" else 3)
        assert lesson.video_fallback.startswith("文字版：") and len(lesson.video_fallback) > 100


def test_quick_checks_are_well_formed_and_accept_their_answer():
    for nb_path in sorted(LESSONS.glob("*.ipynb")):
        nb = nbformat.read(nb_path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type != "code" or "lk.quick_check(" not in cell.source:
                continue
            ns = {"lk": lk}
            exec(cell.source, ns)
            q = next(v for v in ns.values() if isinstance(v, lk.QuickCheck))
            assert 0 <= q.answer < len(q.choice.options)
            q.choice.value = q.choice.options[q.answer]
            q.check_button.click()
            assert "回答正确" in q.feedback.value, (nb_path.name, cell.source[:60])
            wrong = (q.answer + 1) % len(q.choice.options)
            q.choice.value = q.choice.options[wrong]
            q.check_button.click()
            assert "还不对" in q.feedback.value


# ---------------------------------------------------------------- data set


def test_generator_is_reproducible(tmp_path):
    gen = _import("union_data_generate", DATA / "generate.py")
    gen.main(tmp_path, None)
    for name in ("enterprises.csv", "enterprises_raw.csv", "zones.csv", "stations.csv", "targets.csv"):
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name


def test_assignments_carry_identical_copies_of_their_data():
    for folder, names in (
        (A1, ["enterprises.csv", "targets.csv"]),
        (A2, ["enterprises.csv", "zones.csv", "stations.csv"]),
    ):
        for name in names:
            assert (folder / "data" / name).read_bytes() == (DATA / name).read_bytes()


def test_committed_csvs_stay_small():
    total = sum(p.stat().st_size for p in COURSE.rglob("*.csv"))
    assert total < 2_000_000


def test_data_set_facts():
    e = _enterprises()
    assert e["enterprise_id"].is_unique
    assert dict(zip(e["city"], e["city_code"], strict=True)) == CITY_CODES
    assert "3712" not in set(e["city_code"])  # 莱芜 merged into 济南 in 2019
    assert set(e["district_type"]) == {"市辖区", "县/县级市"}
    assert (e["members"] <= e["employees"]).all()
    assert (e["migrant_workers"] <= e["employees"]).all()
    assert (e.loc[~e["union_founded"], "members"] == 0).all()
    assert e.loc[e["union_founded"], "union_year"].notna().all()
    # 百人以上企业全部建会 is not yet reached everywhere: some 100+ firms still lack a union
    big = e[e["employees"] >= 100]
    assert 0.75 < big["union_founded"].mean() < 0.95
    # zones: some over 2,000 workers with social workers, some without
    zw = ud.zone_workers(e, pd.read_csv(DATA / "zones.csv"))
    over = zw[zw["workers"] > 2000]
    assert (over["social_workers"] == 0).sum() >= 2 and (over["social_workers"] > 0).sum() >= 2
    # legal aid: neither standard is met everywhere
    assert 0.3 < ud.legal_aid_reachable(e).mean() < 0.95
    stations = pd.read_csv(DATA / "stations.csv")
    assert set(e["nearest_station_id"]) <= set(stations["station_id"])
    t = _targets()
    assert sorted(t["year"].unique()) == [2020, 2021, 2022, 2023, 2024]
    assert len(t) == 16 * 5
    assert (t["achieved"] < t["target"]).groupby(t["year"]).sum().min() >= 1


def test_raw_export_is_messy_and_cleans_to_the_ledger():
    raw = ud.load_raw(DATA / "enterprises_raw.csv")
    report = ud.quality_report(ud.apply_steps(raw, []))
    assert report["city_spellings"] > 16 and report["duplicate_rows"] > 0
    assert not report["employees_numeric"] and report["missing_employees"] > 0
    pd.testing.assert_frame_equal(ud.clean_raw(raw), _enterprises())


# ---------------------------------------------------------------- lesson helpers


def test_coverage_table_hand_worked():
    # 百人以上企业全部建会 (2019 opinion); "以上" includes 100 itself (《民法典》第一千二百五十九条)
    tiny = pd.DataFrame(
        {
            "city": ["青岛", "青岛", "青岛", "济南"],
            "employees": [100, 99, 400, 150],
            "union_founded": [False, True, True, True],
        }
    )
    table = ud.coverage_table(tiny)
    assert list(table.index) == ["济南", "青岛"]  # division-code order
    assert table.loc["青岛", "required"] == 2 and table.loc["青岛", "founded"] == 1
    assert math.isclose(table.loc["青岛", "coverage"], 0.5)


def test_legal_aid_rule_two_km_urban_half_hour_elsewhere():
    # 2019 opinion: 市辖区 "2公里" 范围内, 非市辖区 "半小时" 工作圈内; boundaries count (民法典 §1259)
    tiny = pd.DataFrame(
        {
            "district_type": ["市辖区", "市辖区", "县/县级市", "县/县级市"],
            "legal_aid_km": [2.0, 2.1, 20.0, 3.0],
            "legal_aid_minutes": [40, 6, 30, 31],
        }
    )
    assert ud.legal_aid_reachable(tiny).tolist() == [True, False, True, False]


def test_cleaning_widget_steps():
    w = ud.CleaningWidget(ud.load_raw(DATA / "enterprises_raw.csv"))
    assert "先别急着统计" in w.report.value and "48 种" in w.report.value
    w.boxes["duplicates"].value = True
    assert "重复行：0 行" in w.report.value and "城市写法：48 种" in w.report.value
    for box in w.boxes.values():
        box.value = True
    assert "数据已可用于统计" in w.report.value
    assert "行数：1265" in w.report.value and len(w.result) == 1265


def test_threshold_explorer_updates_on_slider_and_dropdown():
    e = _enterprises()
    w = ud.ThresholdExplorer(e)
    n100 = int((e["employees"] >= 100).sum())
    assert f"企业 {n100} 家" in w.summary.value
    w.city.value = "青岛"
    w.threshold.value = 300
    q = e[(e["city"] == "青岛") & (e["employees"] >= 300)]
    assert f"职工 300 人及以上企业 {len(q)} 家，已建会 {int(q['union_founded'].sum())} 家" in (
        w.summary.value
    )
    for district in q["district"].unique():
        assert district in w.table.value


def test_target_explorer_lists_cities_behind():
    t = _targets()
    w = ud.TargetExplorer(t)
    w.year.value = 2020
    one = t[t["year"] == 2020]
    behind = one[one["achieved"] < one["target"]]
    assert f"{len(behind)} 个市未完成目标" in w.summary.value
    for city in behind["city"]:
        assert city in w.summary.value
    w.only_behind.value = False
    assert all(city in w.table.value for city in CITY_CODES)


def test_city_dashboard_shows_the_chosen_city():
    e, t = _enterprises(), _targets()
    w = ud.CityDashboard(e, t)
    w.city.value = "菏泽"
    big = e[(e["city"] == "菏泽") & (e["employees"] >= 100)]
    rate = big["union_founded"].mean()
    assert f"百人以上企业 {len(big)} 家" in w.summary.value
    assert f"建会率 {rate:.1%}" in w.summary.value
    assert w.figure.axes[0].get_title() == "菏泽各区县百人以上企业建会率"
    assert w.chart.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert w.figure.axes[0].get_xlim()[0] == 0
    w.zero_axis.value = False
    assert w.figure.axes[0].get_xlim()[0] > 0


# ---------------------------------------------------------------- solutions, hand-checked


@pytest.fixture(scope="module")
def a1():
    return _solutions(A1_NB, "coverage_by_city", "missing_list", "cities_behind")


@pytest.fixture(scope="module")
def a2():
    return _solutions(
        A2_NB, "zones_needing_social_workers", "urban_legal_aid_share", "legal_aid_by_city", "legal_aid_chart"
    )


def test_a1_coverage_by_city_hundred_or_more_includes_100(a1):
    # 2019 opinion 百人以上企业全部建会; 《民法典》第一千二百五十九条: 以上 includes 100.
    tiny = pd.DataFrame(
        {
            "city": ["临沂", "临沂", "临沂", "临沂", "威海", "日照"],
            "city_code": ["3713", "3713", "3713", "3713", "3710", "3711"],
            "employees": [100, 99, 260, 1500, 120, 80],
            "union_founded": [False, True, True, True, True, False],
        }
    )
    t = a1["coverage_by_city"](tiny)
    # 临沂: 100, 260, 1500 qualify (99 does not) -> 3 required, 2 founded, 2/3
    # 威海: 120 -> 1 of 1; 日照: only an 80-person firm -> no row
    assert list(t.index) == ["威海", "临沂"]
    assert t.loc["临沂"].tolist()[:3] == [3, 2, 1]
    assert math.isclose(t.loc["临沂", "coverage"], 2 / 3, rel_tol=1e-9)
    assert math.isclose(t.loc["威海", "coverage"], 1.0)
    t200 = a1["coverage_by_city"](tiny, threshold=200)
    assert t200.loc["临沂", "required"] == 2 and t200.loc["临沂", "missing"] == 0


def test_a1_missing_list_orders_by_size(a1):
    tiny = pd.DataFrame(
        {
            "enterprise_id": ["E3", "E1", "E2", "E4"],
            "name": ["丙", "甲", "乙", "丁"],
            "city": ["菏泽"] * 4,
            "district": ["曹县"] * 4,
            "industry": ["建筑业"] * 4,
            "employees": [180, 180, 640, 100],
            "migrant_workers": [150, 160, 500, 90],
            "union_founded": [False, False, False, True],
        }
    )
    got = a1["missing_list"](tiny, "菏泽")
    assert got["enterprise_id"].tolist() == ["E2", "E1", "E3"]  # 640, then the two 180s by id
    assert got.index.tolist() == [0, 1, 2]


def test_a1_cities_behind_compares_raw_counts_not_rounded_rates(a1):
    tiny = pd.DataFrame(
        {
            "city": ["滨州", "东营", "济南", "滨州"],
            "year": [2020, 2020, 2020, 2021],
            "target": [30000, 20000, 40000, 100],
            "achieved": [29995, 20000, 36000, 120],
        }
    )
    got = a1["cities_behind"](tiny, 2020)
    # 济南 36000/40000 = 90%; 滨州 29995/30000 = 99.98% (shows as 100.0% but is behind);
    # 东营 exactly on target is not behind
    assert got["city"].tolist() == ["济南", "滨州"]
    assert got["gap"].tolist() == [4000, 5]
    assert math.isclose(got["rate"].iloc[0], 0.9)
    assert len(a1["cities_behind"](tiny, 2021)) == 0


def test_a2_zones_over_2000_workers_need_social_workers(a2):
    # 2019 opinion: 职工人数超过2000人的开发区（工业园区）配备工会社会工作专业人才; 超过 excludes 2000
    enterprises = pd.DataFrame(
        {
            "zone_id": ["Z1", "Z1", "Z2", "Z3", "Z4", None],
            "employees": [1200, 801, 2000, 3000, 2500, 7000],
        }
    )
    zones = pd.DataFrame(
        {
            "zone_id": ["Z1", "Z2", "Z3", "Z4", "Z5"],
            "zone_name": ["甲园", "乙园", "丙园", "丁园", "戊园"],
            "city": ["潍坊"] * 5,
            "social_workers": [0, 0, 0, 2, 0],
        }
    )
    got = a2["zones_needing_social_workers"](enterprises, zones)
    # Z3 3000 and Z1 2001 need one; Z2 exactly 2000 does not; Z4 has 2; Z5 has no firms
    assert got["zone_id"].tolist() == ["Z3", "Z1"]
    assert got["workers"].tolist() == [3000, 2001]


def test_a2_urban_share_within_two_km_is_worker_weighted(a2):
    tiny = pd.DataFrame(
        {
            "district_type": ["市辖区", "市辖区", "市辖区", "县/县级市"],
            "legal_aid_km": [0.8, 2.0, 3.4, 0.5],
            "employees": [300, 100, 600, 5000],
        }
    )
    # (300 + 100) / (300 + 100 + 600) = 0.4; the county firm does not count
    assert math.isclose(a2["urban_legal_aid_share"](tiny), 0.4)


def test_a2_legal_aid_by_city_two_standards(a2):
    tiny = pd.DataFrame(
        {
            "city": ["德州", "德州", "德州", "济南"],
            "city_code": ["3714", "3714", "3714", "3701"],
            "district_type": ["市辖区", "县/县级市", "县/县级市", "县/县级市"],
            "legal_aid_km": [1.9, 18.0, 9.0, 25.0],
            "legal_aid_minutes": [35, 30, 31, 28],
            "employees": [200, 300, 500, 40],
        }
    )
    got = a2["legal_aid_by_city"](tiny)
    # 德州: 1.9 km urban ok (200), 30 min county ok (300), 31 min not -> 500 / 1000
    assert got.index.tolist() == ["济南", "德州"]
    assert got.loc["德州"].tolist()[:2] == [1000, 500]
    assert math.isclose(got.loc["德州", "share"], 0.5)
    assert math.isclose(got.loc["济南", "share"], 1.0)


def test_a2_chart_is_a_readable_sorted_barh(a2):
    table = pd.DataFrame(
        {"workers": [100, 100, 100], "covered": [38, 84, 62], "share": [0.38, 0.84, 0.62]},
        index=pd.Index(["枣庄", "泰安", "济南"], name="city"),
    )
    fig = a2["legal_aid_chart"](table)
    ax = fig.axes[0]
    widths = [p.get_width() for p in ax.patches]
    assert sorted(widths) == pytest.approx([38, 62, 84])
    assert widths == sorted(widths, reverse=True)
    assert ax.get_title() and "%" in ax.get_xlabel() and ax.get_ylabel()
    plt.close(fig)


# ---------------------------------------------------------------- hidden tests bite

BUGGY_A1 = {
    "coverage_by_city": ('employees"] >= threshold', 'employees"] > threshold'),
    "missing_list": ("ascending=[False, True]", "ascending=[True, True]"),
    "cities_behind": ('one["achieved"] < one["target"]', 'one["achieved"] <= one["target"]'),
}
BUGGY_A2 = {
    "zones_needing_social_workers": ("> min_workers", ">= min_workers"),
    "urban_legal_aid_share": ("<= km", "< km"),
    "legal_aid_by_city": ("<= minutes", "< minutes"),
    # Values sorted but the city labels left in the table's order: bars no longer match their cities.
    "legal_aid_chart": (
        'ax.barh(list(data.index), data["share"] * 100',
        'ax.barh(list(table.index), data["share"] * 100',
    ),
}


def _run_cells(folder: Path, nb_path: Path, sources: list[str], monkeypatch) -> None:
    monkeypatch.chdir(folder)
    ns: dict = {}
    for src in sources:
        exec(compile(src, nb_path.name, "exec"), ns)
    plt.close("all")


@pytest.mark.parametrize(
    ("folder", "nb_path", "load_id", "bugs"),
    [(A1, A1_NB, "a1-load", BUGGY_A1), (A2, A2_NB, "a2-load", BUGGY_A2)],
    ids=["a1", "a2"],
)
def test_hidden_tests_pass_the_solution_and_reject_typical_mistakes(
    folder, nb_path, load_id, bugs, monkeypatch
):
    cells = _cells(nb_path)
    solution_ids = list(bugs)
    correct = [cells[load_id]] + [s for gid in solution_ids for s in (cells[gid], cells[f"test_{gid}"])]
    _run_cells(folder, nb_path, correct, monkeypatch)
    for gid, (good, bad) in bugs.items():
        assert good in cells[gid], gid
        sources = [cells[load_id]]
        for other in solution_ids:  # notebook order: earlier answers right, this one wrong
            if other == gid:
                sources += [cells[gid].replace(good, bad), cells[f"test_{gid}"]]
                break
            sources += [cells[other], cells[f"test_{other}"]]
        with pytest.raises(AssertionError):
            _run_cells(folder, nb_path, sources, monkeypatch)


# ---------------------------------------------------------------- real nbgrader


@pytest.fixture(scope="module")
def selfchecks(tmp_path_factory):
    return {
        a: check_assignment(COURSE, a, tmp_path_factory.mktemp(a)) for a in ("a1-coverage", "a2-services")
    }


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ["a1-coverage", "a2-services"])
def test_assignment_through_nbgrader(selfchecks, assignment):
    r = selfchecks[assignment]
    course = load_course(COURSE)
    assert r.solution.code_score == r.solution.max_code_score > 0
    assert r.released.code_score == 0
    assert r.hidden_test_leaks == []
    points = course.assignment(assignment).points
    assert r.solution.max_code_score + r.solution.written_max == points
    assert r.solution.written_max > 0  # a manually graded written answer in each assignment
    for released_nb in r.release_dir.glob("*.ipynb"):
        source_ids = _cells(COURSE / "source" / assignment / released_nb.name)
        test_ids = [gid for gid in source_ids if gid.startswith("test_")]
        assert test_ids and set(test_ids) <= set(locked_cell_ids(released_nb))
        text = released_nb.read_text(encoding="utf-8")
        assert "### BEGIN SOLUTION" not in text and "raise NotImplementedError" in text
    assert (r.release_dir / "data" / "enterprises.csv").is_file()


# ---------------------------------------------------------------- lessons run headless


@pytest.fixture(scope="module")
def executed_lessons():
    from nbclient import NotebookClient

    out = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
        mp.delenv("AIRCLASS_API_URL", raising=False)
        for nb_path in sorted(LESSONS.glob("*.ipynb")):
            nb = nbformat.read(nb_path, as_version=4)
            NotebookClient(
                nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(LESSONS)}}
            ).execute()
            out[nb_path.name] = nb
    return out


@pytest.mark.slow
def test_lessons_execute_top_to_bottom(executed_lessons):
    assert len(executed_lessons) == 5  # 第0课 and four lessons
    for name, nb in executed_lessons.items():
        outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
        assert not [o for o in outputs if o.output_type == "error"], name
        stderr = [o.text for o in outputs if o.output_type == "stream" and o.name == "stderr"]
        assert not [s for s in stderr if "Glyph" in s or "Warning" in s], (name, stderr)


@pytest.mark.slow
def test_lesson_one_cleaning_reaches_the_official_ledger(executed_lessons):
    nb = executed_lessons["01-cleaning.ipynb"]
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "清洗结果与 enterprises.csv 完全一致： 1265 家企业" in text
    assert "按 UTF-8 读失败" in text
