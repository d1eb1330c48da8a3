"""Property-based tests (hypothesis) for the two files people hand us: rosters and course.toml.

Whatever the bytes, parsing ends in a result or in the module's own error — never another
exception — and a roster with any bad cell stores nothing at all.
"""

import copy
import csv
import dataclasses
import datetime as dt
import io
import json
import re
import shutil
import tempfile
import tomllib
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from airclass.admin.roster_import import import_roster
from airclass.core.catalog import CatalogError, course_toml, load_course
from airclass.core.cities import CITY_CODES
from airclass.core.platform_db import PlatformDB
from airclass.core.roster import RESERVED, ROLES, RosterError, parse_roster
from airclass.core.settings import Settings, validate
from airclass.system.accounts import USERNAME
from tests.paths import FIXTURE_COURSES

HEADER = ["学员编号", "姓名", "城市", "工会", "角色", "课程", "级别", "手机"]
COURSES = ("labor-law", "enrollment", "union-data")
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- roster ------------------------------------------------------------------------------

user_ids = st.from_regex(r"\A[a-z][a-z0-9_-]{1,30}\Z").filter(
    lambda s: s not in RESERVED and not s.startswith(("grader-", "ac-"))
)
# Free text as people type it: any printable character, CJK included, commas and quotes too.
free_text = st.text(
    st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("王李张济南工会联合,\"' \n"),
    min_size=1,
    max_size=20,
).filter(lambda s: s.strip())


@st.composite
def people(draw):
    role = draw(st.sampled_from(["学员", "培训师", "管理员", "cadre", "trainer", "manager"]))
    manager = ROLES[role] == "manager"
    courses = draw(st.lists(st.sampled_from(COURSES), min_size=0 if manager else 1, unique=True))
    return {
        "user_id": None,  # filled in unique below
        "name": draw(free_text),
        "city": draw(st.sampled_from(sorted(CITY_CODES))) + draw(st.sampled_from(["", "市"])),
        "union_name": draw(free_text),
        "role": role,
        "courses": draw(st.sampled_from([";", ",", "、", " "])).join(courses),
        "level": draw(st.sampled_from(["省", "市", "province", "city"])) if manager else "",
        "phone": draw(st.one_of(st.just(""), st.from_regex(r"\A1[3-9]\d{9}\Z"))),
    }


@st.composite
def rosters(draw, min_size=1):
    rows = draw(st.lists(people(), min_size=min_size, max_size=12))
    ids = draw(st.lists(user_ids, min_size=len(rows), max_size=len(rows), unique=True))
    for row, user_id in zip(rows, ids, strict=True):
        row["user_id"] = user_id
    return rows


def as_cells(row: dict) -> list[str]:
    keys = ["user_id", "name", "city", "union_name", "role", "courses", "level", "phone"]
    return [row[k] for k in keys]


def csv_bytes(rows: list[list[str]], encoding: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def parse_bytes(data: bytes, suffix: str):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"roster{suffix}"
        path.write_bytes(data)
        return parse_roster(path, set(COURSES))


@FAST
@given(rows=rosters(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
def test_any_valid_roster_reads_back_exactly(rows, encoding):
    report = parse_bytes(csv_bytes([as_cells(r) for r in rows], encoding), ".csv")
    assert [p["user_id"] for p in report.people] == [r["user_id"] for r in rows]
    for got, row in zip(report.people, rows, strict=True):
        assert got["name"] == row["name"].strip()
        assert got["union_name"] == row["union_name"].strip()
        assert got["city"] == row["city"].removesuffix("市")
        assert got["role"] == ROLES[row["role"]]
        assert got["courses"] == [c for c in re.split(r"[;,、\s]+", row["courses"]) if c]
        assert got["phone"] == row["phone"]


BAD_VALUES = {
    0: st.one_of(
        st.sampled_from(["../x", "root", "Root", "a", "x/y", "grader-x", "ac-law", "-a", "1abc", "a" * 32]),
        # no control characters: a NUL makes the whole file binary (refused as such, not per cell)
        st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=8).filter(
            lambda s: not USERNAME.match(s.strip())
        ),
    ),
    2: free_text.filter(lambda s: s.strip().removesuffix("市") not in CITY_CODES),
    4: free_text.filter(lambda s: s.strip() not in ROLES and s.strip().lower() not in ROLES),
    5: st.sampled_from(["history", "labor-law;math", "LABOR-LAW"]),
    7: st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=14).filter(
        lambda s: s.strip() and not re.fullmatch(r"1[3-9]\d{9}", s.strip())
    ),
}


@st.composite
def one_bad_cell(draw):
    rows = draw(rosters())
    cells = [as_cells(r) for r in rows]
    victim = draw(st.integers(0, len(cells) - 1))
    column = draw(st.sampled_from(sorted(BAD_VALUES)))
    cells[victim][column] = draw(BAD_VALUES[column])
    return cells, victim, column


@FAST
@given(case=one_bad_cell(), encoding=st.sampled_from(["utf-8-sig", "gb18030"]))
def test_any_bad_cell_is_found_with_its_row_and_column(case, encoding):
    cells, victim, column = case
    try:
        parse_bytes(csv_bytes(cells, encoding), ".csv")
    except RosterError as exc:
        message = str(exc)
    else:
        raise AssertionError(f"row {victim + 2} column {HEADER[column]} = {cells[victim][column]!r} passed")
    expected = f"row {victim + 2}, column {HEADER[column]}"
    ragged = f"row {victim + 2}: "  # a cell with a stray quote can swallow separators
    assert expected in message or ragged in message, message


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=one_bad_cell())
def test_a_bad_roster_imports_nothing(case):
    cells, _, _ = case
    with tempfile.TemporaryDirectory() as tmp:
        conf = Settings(validate({"data_dir": tmp}), None)
        for course in COURSES:
            conf.course_root(course).mkdir(parents=True)
            (conf.course_root(course) / "course.toml").write_text("")
        with PlatformDB(conf.platform_db) as db:
            db.upsert_people(
                [{"user_id": "old1", "name": "旧", "city": "济南", "city_code": "3701",
                  "union_name": "x", "role": "cadre", "courses": ["enrollment"]}]
            )  # fmt: skip
        before = conf.platform_db.read_bytes()
        roster = Path(tmp) / "r.csv"
        roster.write_bytes(csv_bytes(cells, "gb18030"))
        try:
            import_roster(conf, roster)
        except RosterError:
            pass
        else:
            raise AssertionError("a roster with a bad cell was imported")
        assert conf.platform_db.read_bytes() == before
        assert not conf.hub_dir.exists()
        assert not any(conf.course_root(c).joinpath("students.csv").exists() for c in COURSES)


def check_report(report) -> None:
    """Whatever parse_roster returns obeys the rules it promises."""
    ids = [p["user_id"] for p in report.people]
    assert len(ids) == len(set(ids))
    for person in report.people:
        assert USERNAME.match(person["user_id"]) and person["user_id"] not in RESERVED
        assert person["city"] in CITY_CODES and person["name"] and person["union_name"]
        assert set(person["courses"]) <= set(COURSES)


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=600), suffix=st.sampled_from([".csv", ".xlsx"]))
def test_arbitrary_bytes_never_crash(data, suffix):
    try:
        check_report(parse_bytes(data, suffix))
    except RosterError:
        pass


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(
        st.characters(blacklist_categories=("Cs",)) | st.sampled_from(',"\r\n济南学员'), max_size=300
    ),
    header=st.booleans(),
)
def test_arbitrary_text_never_crashes(text, header):
    data = (",".join(HEADER) + "\r\n" if header else "") + text
    try:
        check_report(parse_bytes(data.encode("gb18030"), ".csv"))
    except RosterError:
        pass


def xlsx_bytes(rows: list[list[str]]) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(HEADER)
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


GOOD_XLSX = xlsx_bytes([["jn0001", "王建国", "济南", "某工会", "学员", "labor-law", "", "13900000001"]])


@settings(max_examples=150, deadline=None)
@given(
    cuts=st.lists(st.tuples(st.integers(0, len(GOOD_XLSX) - 1), st.integers(0, 255)), min_size=1, max_size=8),
    truncate=st.integers(1, len(GOOD_XLSX)),
)
def test_damaged_workbooks_never_crash(cuts, truncate):
    data = bytearray(GOOD_XLSX)
    for offset, value in cuts:
        data[offset] = value
    try:
        check_report(parse_bytes(bytes(data[:truncate]), ".xlsx"))
    except RosterError:
        pass


# --- course.toml --------------------------------------------------------------------------

BASICS = FIXTURE_COURSES / "basics"
KEYS = ["id", "title", "description", "audience", "lessons", "assignments", "notebook", "due",
        "points", "pass_mark", "kind", "video_url", "video_fallback"]  # fmt: skip


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float):
        return repr(value) if value == value and abs(value) != float("inf") else str(value).lower()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + "}"


scalars = st.one_of(
    st.text(max_size=10),
    st.sampled_from(["basics", "hw1", "lessons/01-dues.ipynb", "../basics/course.toml", "/etc/passwd"]),
    st.integers(-5, 10),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.datetimes(timezones=st.none() | st.just(dt.UTC)).map(lambda d: d.replace(microsecond=0)),
    st.dates(),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=5),
    max_leaves=12,
)
documents = st.dictionaries(st.sampled_from(KEYS), values, max_size=len(KEYS))


def load_text(text: str):
    with tempfile.TemporaryDirectory() as tmp:
        course_dir = Path(shutil.copytree(BASICS, Path(tmp) / "basics"))
        (course_dir / "course.toml").write_text(text, encoding="utf-8")
        return load_course(course_dir)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=documents)
def test_any_course_toml_structure_loads_or_is_refused_cleanly(document):
    check_document(document)


def check_document(document: dict) -> None:
    text = "\n".join(f"{k} = {toml_value(v)}" for k, v in document.items())
    try:
        course = load_text(text)
    except CatalogError as exc:
        assert str(exc).strip()
        event("refused")
        return
    event("loaded")
    # Whatever loads obeys the catalog's rules and writes back to the same course.
    assert course.id == "basics"
    for lesson in course.lessons:
        assert (BASICS / lesson.notebook).resolve().is_relative_to(BASICS.resolve())
    assert dataclasses.replace(load_text(course_toml(course)), path=course.path) == course


BASE_DOCUMENT = tomllib.loads((BASICS / "course.toml").read_text(encoding="utf-8"))


@st.composite
def mutated_documents(draw):
    """The valid fixture course with a few fields replaced, dropped or added — near misses."""
    document = copy.deepcopy(BASE_DOCUMENT)
    for _ in range(draw(st.integers(1, 3))):
        table = document
        where = draw(st.sampled_from(["top", "lessons", "assignments"]))
        if where != "top" and table.get(where) and isinstance(table[where], list):
            if isinstance(table[where][0], dict):
                table = table[where][0]
        key = draw(st.sampled_from(KEYS))
        if draw(st.booleans()) and key in table:
            del table[key]
        else:
            table[key] = draw(values)
    return document


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=mutated_documents())
def test_near_miss_course_toml_loads_or_is_refused_cleanly(document):
    check_document(document)


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=200))
def test_any_course_toml_text_loads_or_is_refused_cleanly(text):
    try:
        load_text(text)
    except CatalogError:
        pass


def test_fixture_course_is_valid_under_the_same_helper():
    """The property tests start from a valid course: a failure there would hide every bug."""
    course = load_text((BASICS / "course.toml").read_text(encoding="utf-8"))
    assert course.assignments and course.lessons


def test_lesson_notebook_outside_the_course_is_refused():
    text = (BASICS / "course.toml").read_text(encoding="utf-8")
    for outside in ("/etc/passwd", "../../../etc/passwd"):
        try:
            load_text(text.replace('"lessons/01-dues.ipynb"', json.dumps(outside)))
        except CatalogError as exc:
            assert f"notebook '{outside}' must lie inside the course folder" in str(exc)
        else:
            raise AssertionError(f"{outside} accepted")
