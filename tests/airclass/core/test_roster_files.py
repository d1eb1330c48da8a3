"""Roster files as admins really have them: Excel's GBK CSV, BOMs, broken and foreign files.

Each bad file ends in one RosterError naming file, row and column; `airclass roster import`
exits non-zero and the platform database is byte-for-byte unchanged.
"""

import csv
import io
import zipfile

import openpyxl
import pytest

from airclass.admin import cli
from airclass.core.platform_db import PlatformDB
from airclass.core.roster import MAX_LISTED_PROBLEMS, RosterError, parse_roster
from airclass.core.settings import Settings, validate

HEADER = ["学员编号", "姓名", "城市", "工会", "角色", "课程", "级别", "手机"]
GOOD = [
    ["jn0001", "王建国", "济南市", "济南市快递行业工会联合会", "学员", "labor-law", "", "13900000001"],
    ["qd0002", "李秀英", "青岛", "青岛市物流园区工会联合会", "学员", "enrollment", "", ""],
    ["boss", "孙主任", "济南", "山东省总工会", "管理员", "", "省", ""],
]
COURSES = {"labor-law", "enrollment"}


def csv_text(rows, header=HEADER) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # what Excel writes
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8", "utf-8-sig"])
def test_excel_encodings_are_accepted(tmp_path, encoding):
    path = tmp_path / "roster.csv"
    path.write_bytes(csv_text(GOOD).encode(encoding))
    people = parse_roster(path, COURSES).people
    assert [(p["user_id"], p["name"], p["city"]) for p in people] == [
        ("jn0001", "王建国", "济南"),
        ("qd0002", "李秀英", "青岛"),
        ("boss", "孙主任", "济南"),
    ]
    assert people[0]["union_name"] == "济南市快递行业工会联合会"


def test_gb18030_only_characters_survive(tmp_path):
    rows = [list(GOOD[0])]
    rows[0][1] = "王𠀀"  # outside GBK, inside GB18030
    path = tmp_path / "roster.csv"
    path.write_bytes(csv_text(rows).encode("gb18030"))
    assert parse_roster(path, COURSES).people[0]["name"] == "王𠀀"


def write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def zipped(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("r.csv", b"", "the file is empty"),
        ("r.csv", b"\r\n , ,\r\n", "the file is empty"),
        ("r.csv", csv_text([]).encode(), "no data rows below the header"),
        ("r.csv", "学员编号,姓名\r\n".encode("utf-16"), "not a text CSV in UTF-8 or GBK/GB18030"),
        ("r.csv", b"\x00\x01\x02\xff\xfe" * 50, "not a text CSV in UTF-8 or GBK/GB18030"),
        ("r.xlsx", csv_text(GOOD).encode(), "not an Excel workbook"),
        ("r.xlsx", b"", "not an Excel workbook"),
        ("r.xlsx", b"PK\x03\x04 truncated zip", "not an Excel workbook"),
        ("r.xlsx", zipped({"hello.txt": b"not a workbook"}), "not an Excel workbook"),
        ("r.xls", b"\xd0\xcf\x11\xe0", "unsupported file type '.xls'"),
        ("r.csv", '"jn0001,王建国\r\n'.encode(), "missing column(s)"),
    ],
)
def test_broken_files_give_one_clean_error(tmp_path, name, data, message):
    path = write(tmp_path, name, data)
    with pytest.raises(RosterError) as err:
        parse_roster(path, COURSES)
    assert str(err.value).startswith(f"{path}: ")
    assert message in str(err.value)


def test_truncated_real_workbook_is_refused(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(HEADER)
    book.save(tmp_path / "full.xlsx")
    data = (tmp_path / "full.xlsx").read_bytes()
    path = write(tmp_path, "cut.xlsx", data[: len(data) // 2])
    with pytest.raises(RosterError, match="not an Excel workbook"):
        parse_roster(path, COURSES)


def test_xlsx_number_cells_read_as_text(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(HEADER)
    book.active.append(["jn0001", "王建国", "济南", "某工会", "学员", "labor-law", None, 13900000001.0])
    book.save(tmp_path / "r.xlsx")
    assert parse_roster(tmp_path / "r.xlsx", COURSES).people[0]["phone"] == "13900000001"


@pytest.mark.parametrize(
    "row, message",
    [
        (["../x", "甲", "济南", "某工会", "学员", "labor-law", "", ""], "'../x' is not a valid id"),
        (["Root", "甲", "济南", "某工会", "学员", "labor-law", "", ""], "'Root' is not a valid id"),
        (["grader-labor-law", "甲", "济南", "某工会", "学员", "labor-law", "", ""], "is reserved"),
        (["a b", "甲", "济南", "某工会", "学员", "labor-law", "", ""], "'a b' is not a valid id"),
        (["jn9", "甲", "济南", "某工会", "校长", "labor-law", "", ""], "column 角色: '校长' is not a role"),
        (["jn9", "甲", "济南", "某工会", "学员", "labor-law", "", "+8613900000001"], "column 手机"),
        (["jn9", "甲", "济南", "某工会", "学员", "labor-law", "", "1390000000"], "column 手机"),
        (["jn9", "甲", "莱芜市", "某工会", "学员", "labor-law", "", ""], "column 城市: '莱芜市'"),
        (["jn9", "甲", "济南", "某工会", "学员", "history", "", ""], "unknown course id(s) history"),
        (["jn9", "甲,乙", "济南", "某工会", "学员", "labor-law", "", "13900000001"], "9 cells"),
        (["jn9", "甲", "济南"], "3 cells but the header has 8"),
    ],
)
def test_bad_rows_name_row_and_column(tmp_path, row, message):
    path = tmp_path / "r.csv"
    # A name with a comma inside, written unquoted, is what makes a ragged row.
    path.write_text(csv_text(GOOD) + ",".join(row) + "\r\n", encoding="gbk")
    with pytest.raises(RosterError) as err:
        parse_roster(path, COURSES)
    assert f"{path}: row 5" in str(err.value) and message in str(err.value), str(err.value)
    assert len(str(err.value).splitlines()) == 1


def test_trailing_empty_optional_cells_may_be_missing(tmp_path):
    """Excel drops trailing empty separators on some rows; those rows are still whole."""
    path = tmp_path / "r.csv"
    path.write_text(csv_text(GOOD) + "jn9,甲,济南,某工会,学员,labor-law\r\n", encoding="gbk")
    assert parse_roster(path, COURSES).people[-1]["user_id"] == "jn9"


def test_duplicate_ids_and_duplicate_header_columns(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(csv_text([*GOOD, GOOD[1]]), encoding="utf-8")
    with pytest.raises(RosterError, match=r"row 5, column 学员编号: 'qd0002' already appears in row 3"):
        parse_roster(path, COURSES)
    path.write_text(csv_text(GOOD, header=[*HEADER[:7], "城市"]), encoding="utf-8")
    with pytest.raises(RosterError, match=r"row 1 \(header\): column 城市 appears 2 times"):
        parse_roster(path, COURSES)


def test_row_numbers_count_blank_lines_like_a_spreadsheet(tmp_path):
    path = tmp_path / "r.csv"
    text = "\r\n" + csv_text(GOOD).replace("\r\n", "\r\n\r\n", 1)
    path.write_text(text.replace("青岛", "上海"), encoding="utf-8")
    with pytest.raises(RosterError, match=r"row 5, column 城市: '上海'"):
        parse_roster(path, COURSES)


def test_thousands_of_bad_rows_are_listed_up_to_a_limit(tmp_path):
    rows = [[f"jn{i:05d}", "甲", "北京", "某工会", "学员", "labor-law", "", ""] for i in range(1000)]
    path = tmp_path / "r.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    with pytest.raises(RosterError) as err:
        parse_roster(path, COURSES)
    lines = str(err.value).splitlines()
    assert len(lines) == MAX_LISTED_PROBLEMS + 1
    assert lines[-1].endswith(f"… and {1000 - MAX_LISTED_PROBLEMS} more problems")


@pytest.fixture
def settings_file(tmp_path):
    data = tmp_path / "data"
    settings = Settings(validate({"data_dir": str(data)}), None)
    for course in COURSES:
        settings.course_root(course).mkdir(parents=True)
        (settings.course_root(course) / "course.toml").write_text("")
    with PlatformDB(settings.platform_db_url) as db:
        db.upsert_people(
            [
                {
                    "user_id": "old1",
                    "name": "旧学员",
                    "city": "济南",
                    "city_code": "3701",
                    "union_name": "x",
                    "role": "cadre",
                    "courses": ["enrollment"],
                }
            ]
        )
    path = tmp_path / "airclass.toml"
    path.write_text(f'data_dir = "{data}"\n', encoding="utf-8")
    return settings, path


@pytest.mark.parametrize(
    "name, data",
    [
        ("bad.xlsx", b"this is not a workbook"),
        (
            "bad.csv",
            csv_text([*GOOD, ["../x", "甲", "济南", "某工会", "学员", "labor-law", "", ""]]).encode(),
        ),
        ("bad.csv", b"\xff\xfe\x00\x00garbage"),
    ],
)
def test_cli_refuses_bad_file_with_nonzero_exit_and_changes_nothing(
    tmp_path, settings_file, capsys, name, data
):
    settings, settings_path = settings_file
    before = settings.platform_db.read_bytes()
    roster = write(tmp_path, name, data)
    status = cli.main(["--settings", str(settings_path), "roster", "import", str(roster)])
    err = capsys.readouterr().err
    assert status != 0
    assert err.startswith(f"airclass: {roster}: ") and "Traceback" not in err
    assert settings.platform_db.read_bytes() == before
    assert not settings.hub_dir.exists()
