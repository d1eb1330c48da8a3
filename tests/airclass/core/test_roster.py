"""Roster files: every bad cell named by file, row and column; nothing stored unless all rows are good."""

import csv

import openpyxl
import pytest

from airclass.admin.roster_import import import_roster
from airclass.core.platform_db import PlatformDB
from airclass.core.roster import RosterError, parse_roster
from airclass.core.settings import Settings, validate
from airclass.system import layout

HEADER = ["学员编号", "姓名", "城市", "工会", "角色", "课程", "级别", "手机"]
GOOD = [
    [
        "jn0001",
        "王建国",
        "济南市",
        "济南市快递行业工会联合会",
        "学员",
        "labor-law;enrollment",
        "",
        "13900000001",
    ],
    ["qd0002", "李秀英", "青岛", "青岛市物流园区工会联合会", "cadre", "enrollment", "", ""],
    ["px01", "周培训", "济南", "山东省总工会", "培训师", "labor-law", "", ""],
    ["boss", "孙主任", "济南", "山东省总工会", "管理员", "", "省", ""],
]
COURSES = {"labor-law", "enrollment"}


def write_csv(path, rows, header=HEADER):
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_good_csv_parses_with_normalized_fields(tmp_path):
    report = parse_roster(write_csv(tmp_path / "r.csv", GOOD), COURSES)
    first = report.people[0]
    assert first["city"] == "济南" and first["city_code"] == "3701"
    assert first["courses"] == ["labor-law", "enrollment"]
    assert report.people[1]["role"] == "cadre"
    assert report.people[3]["level"] == "province"
    assert report.counts() == {"cadre": 2, "trainer": 1, "manager": 1}


def test_good_xlsx_parses_like_csv(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in GOOD:
        sheet.append(row)
    book.save(tmp_path / "r.xlsx")
    people = parse_roster(tmp_path / "r.xlsx", COURSES).people
    assert [p["user_id"] for p in people] == ["jn0001", "qd0002", "px01", "boss"]


@pytest.mark.parametrize(
    "row_index, column, value, message",
    [
        (0, 2, "莱芜", "row 2, column 城市: '莱芜' is not one of Shandong's 16 cities"),
        (1, 0, "QD 0002", "row 3, column 学员编号: 'QD 0002' is not a valid id"),
        (1, 0, "jn0001", "row 3, column 学员编号: 'jn0001' already appears in row 2"),
        (2, 4, "老师", "row 4, column 角色: '老师' is not a role; use 学员, 培训师 or 管理员"),
        (0, 5, "labor-law;history", "row 2, column 课程: unknown course id(s) history"),
        (1, 5, "", "row 3, column 课程: empty; a cadre or trainer needs at least one course id"),
        (3, 6, "县", "row 5, column 级别: '县' is not a level"),
        (0, 7, "12345", "row 2, column 手机: '12345' is not an 11-digit mainland mobile number"),
        (0, 0, "root", "row 2, column 学员编号: 'root' is reserved"),
        (1, 1, "", "row 3, column 姓名: empty"),
    ],
)
def test_each_bad_cell_is_named(tmp_path, row_index, column, value, message):
    rows = [list(r) for r in GOOD]
    rows[row_index][column] = value
    path = write_csv(tmp_path / "bad.csv", rows)
    with pytest.raises(RosterError) as err:
        parse_roster(path, COURSES)
    assert f"{path}: {message}" in str(err.value)


def test_all_problems_reported_at_once(tmp_path):
    rows = [list(r) for r in GOOD]
    rows[0][2] = "北京"
    rows[2][4] = "?"
    with pytest.raises(RosterError) as err:
        parse_roster(write_csv(tmp_path / "bad.csv", rows), COURSES)
    assert len(str(err.value).splitlines()) == 2


def test_missing_column_and_wrong_type(tmp_path):
    path = write_csv(tmp_path / "r.csv", [r[:3] for r in GOOD], header=HEADER[:3])
    with pytest.raises(RosterError, match=r"row 1 \(header\): missing column\(s\) 工会, 角色, 课程"):
        parse_roster(path, COURSES)
    (tmp_path / "r.txt").write_text("x")
    with pytest.raises(RosterError, match="unsupported file type '.txt'; use .csv or .xlsx"):
        parse_roster(tmp_path / "r.txt", COURSES)


def test_bad_roster_changes_nothing(tmp_path):
    settings = Settings(validate({"data_dir": str(tmp_path)}), None)
    for course in COURSES:  # what deployed_course_ids() looks for
        (settings.course_root(course)).mkdir(parents=True)
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
    before = settings.platform_db.read_bytes()
    rows = [list(r) for r in GOOD]
    rows[3][2] = "上海"
    with pytest.raises(RosterError):
        import_roster(settings, write_csv(tmp_path / "bad.csv", rows))
    assert settings.platform_db.read_bytes() == before
    assert not settings.hub_dir.exists(), "no hub credentials written"


def test_dry_run_validates_without_writing(tmp_path):
    settings = Settings(validate({"data_dir": str(tmp_path)}), None)
    (settings.course_root("enrollment")).mkdir(parents=True)
    (settings.course_root("enrollment") / "course.toml").write_text("")
    rows = [r for r in GOOD if "labor-law" not in r[5]]
    report = import_roster(settings, write_csv(tmp_path / "r.csv", rows), dry_run=True)
    assert len(report.people) == 2
    assert not settings.platform_db.exists()


def test_passwords_out_gives_each_account_without_password_a_one_time_code(tmp_path):
    from nativeauthenticator.orm import UserInfo
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from airclass.hub.auth import activation_code_matches
    from airclass.hub.credentials import ensure_credentials

    settings = Settings(validate({"data_dir": str(tmp_path), "hub": {"hub_port": 1}}), None)
    layout.ensure_hub_secrets(settings)  # what `airclass setup` does first
    managers = [
        ["m1", "孙主任", "济南", "山东省总工会", "管理员", "", "省", ""],
        ["m2", "钱部长", "青岛", "青岛市总工会", "管理员", "", "市", ""],
    ]
    out = tmp_path / "codes.csv"
    out.write_text("")
    out.chmod(0o644)  # an existing, readable file is made private
    report = import_roster(settings, write_csv(tmp_path / "r.csv", managers), passwords_out=out)
    assert report.activation_codes == 2
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    with out.open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["学员编号"] for r in rows] == ["m1", "m2"]
    code1, code2 = rows[0]["激活码"], rows[1]["激活码"]
    assert code1 != code2 and len(code1.replace("-", "")) >= 12
    with Session(create_engine(settings.hub_db_url)) as db:
        assert db.query(UserInfo).count() == 0, "no password is set for anyone"
        assert activation_code_matches(db, "m1", code1)
        assert not activation_code_matches(db, "m1", code2)
        assert not activation_code_matches(db, "m1", "")
    assert code1 not in (tmp_path / "hub" / "jupyterhub.sqlite").read_bytes().decode("latin-1")
    # m1 sets a password; importing again lists only m2, with a new code.
    ensure_credentials(settings.hub_db_url, {"m1": "a-long-password"}, ["m1", "m2"])
    import_roster(settings, write_csv(tmp_path / "r.csv", managers), passwords_out=out)
    with out.open(encoding="utf-8-sig") as fh:
        again = list(csv.DictReader(fh))
    assert [r["学员编号"] for r in again] == ["m2"] and again[0]["激活码"] != code2
