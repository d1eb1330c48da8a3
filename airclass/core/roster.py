"""Roster import from CSV or XLSX: all rows valid, or nothing changes.

Columns (Chinese or English header, any order; extra columns are ignored):
    学员编号 / user_id     hub and unix account name, e.g. jn0001 (lowercase a-z, 0-9, - _)
    姓名 / name
    城市 / city            one of Shandong's 16 cities (济南 or 济南市)
    工会 / union           the cadre's union
    角色 / role            学员|培训师|管理员 or cadre|trainer|manager
    课程 / courses         course ids separated by ; , 、 or spaces (enrolled / taught)
    级别 / level           managers only: 省 / province or 市 / city (default 市)
    手机 / phone           optional, 11-digit mainland mobile
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl

from airclass.core.cities import CITY_CODES, normalize_city
from airclass.core.names import SYSTEM_ACCOUNT_PREFIXES, SYSTEM_SERVICE_USERS, USERNAME

COLUMNS: dict[str, tuple[str, ...]] = {
    "user_id": ("学员编号", "编号", "user_id", "id", "cadre_id"),
    "name": ("姓名", "name"),
    "city": ("城市", "city"),
    "union_name": ("工会", "union", "union_name"),
    "role": ("角色", "role"),
    "courses": ("课程", "courses"),
    "level": ("级别", "level"),
    "phone": ("手机", "phone", "电话"),
}
REQUIRED = ("user_id", "name", "city", "union_name", "role", "courses")
ROLES = {
    "学员": "cadre",
    "培训师": "trainer",
    "管理员": "manager",
    "cadre": "cadre",
    "trainer": "trainer",
    "manager": "manager",
}
LEVELS = {"省": "province", "province": "province", "市": "city", "city": "city", "": "city"}
PHONE = re.compile(r"^1[3-9]\d{9}$")
RESERVED = {
    "root",
    "admin",
    "nobody",
    "daemon",
    "bin",
    "sys",
    "www-data",
    *SYSTEM_SERVICE_USERS,
}


class RosterError(ValueError):
    """Every problem in a roster file, one line each with row and column."""


@dataclass
class RosterReport:
    people: list[dict] = field(default_factory=list)
    hub_changes: dict[str, int] | None = None  # None: no running hub was updated
    activation_codes: int = 0  # codes issued to people without a password

    def counts(self) -> dict[str, int]:
        out = {"cadre": 0, "trainer": 0, "manager": 0}
        for p in self.people:
            out[p["role"]] += 1
        return out


# Excel in China saves "CSV" as GBK (code page 936); GB18030 is its superset. UTF-8 may
# carry a BOM. Anything decoding under none of these is refused rather than guessed at.
CSV_ENCODINGS = ("utf-8-sig", "gb18030")
MAX_LISTED_PROBLEMS = 200  # a shifted column in a 5,000-row file must not print 5,000 lines


def _decode_csv(path: Path) -> str:
    data = path.read_bytes()
    for encoding in CSV_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break  # UTF-16 or a binary file that happens to decode
        return text
    raise RosterError(
        f"{path}: not a text CSV in UTF-8 or GBK/GB18030 (is it a renamed Excel or UTF-16 file?); "
        "in Excel use 另存为 → 'CSV UTF-8 (逗号分隔)' or save as .xlsx"
    )


def _read_csv(path: Path) -> list[list[str]]:
    text = _decode_csv(path)
    try:
        return [list(r) for r in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as exc:
        raise RosterError(f"{path}: not a readable CSV file ({exc}); save it again from Excel") from None


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a phone number typed into a number cell
    return str(value)


def _read_xlsx(path: Path) -> list[list[str]]:
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError, XML and its own errors alike
        raise RosterError(
            f"{path}: not an Excel workbook ({type(exc).__name__}); open it in Excel and "
            "save it again as 'Excel 工作簿 (*.xlsx)' or as CSV"
        ) from None
    try:
        if not book.worksheets:
            raise RosterError(f"{path}: the workbook has no worksheet")
        sheet = book.worksheets[0]
        return [[_cell_text(v) for v in r] for r in sheet.iter_rows(values_only=True)]
    except RosterError:
        raise
    except Exception as exc:
        raise RosterError(
            f"{path}: the workbook is damaged ({type(exc).__name__}); save it again from Excel"
        ) from None
    finally:
        book.close()


def _read_rows(path: Path) -> list[tuple[int, list[str]]]:
    """Rows with their 1-based row numbers in the file, blank rows dropped; header first."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows = _read_csv(path)
    elif suffix == ".xlsx":
        rows = _read_xlsx(path)
    else:
        raise RosterError(
            f"{path}: unsupported file type '{suffix}'; use .csv or .xlsx "
            "(an old .xls must be saved again as .xlsx)"
        )
    numbered = [(n, r) for n, r in enumerate(rows, start=1) if any(cell.strip() for cell in r)]
    if not numbered:
        raise RosterError(f"{path}: the file is empty; the first row must be the header")
    return numbered


def _map_header(path: Path, row_number: int, header: list[str]) -> dict[str, int]:
    index: dict[str, int] = {}
    lowered = [h.strip().lower() for h in header]
    where = f"{path}: row {row_number} (header)"
    for key, names in COLUMNS.items():
        found = [i for i, h in enumerate(lowered) if h in {n.lower() for n in names}]
        if len(found) > 1:
            raise RosterError(
                f"{where}: column {COLUMNS[key][0]} appears {len(found)} times "
                f"(columns {', '.join(str(i + 1) for i in found)}); keep one"
            )
        if found:
            index[key] = found[0]
    missing = [COLUMNS[k][0] for k in REQUIRED if k not in index]
    if missing:
        raise RosterError(
            f"{where}: missing column(s) {', '.join(missing)}; "
            f"expected {', '.join(COLUMNS[k][0] for k in COLUMNS)}"
        )
    return index


def parse_roster(path: str | Path, known_courses: set[str]) -> RosterReport:
    """Read and validate a roster; raise RosterError listing every bad cell."""
    path = Path(path)
    if not path.is_file():
        raise RosterError(f"{path}: file not found")
    (header_number, header), *rows = _read_rows(path)
    index = _map_header(path, header_number, header)
    width = len(header)
    needed = max(index[k] for k in REQUIRED) + 1  # Excel may drop trailing empty optional cells
    problems: list[str] = []
    people: list[dict] = []
    seen: dict[str, int] = {}

    for n, row in rows:
        if len(row) < needed or any(c.strip() for c in row[width:]):
            # A stray or missing separator shifts every later cell into the wrong column.
            problems.append(
                f"{path}: row {n}: {len(row)} cells but the header has {width}; "
                "a separator is missing or extra (check for commas inside names)"
            )
            continue

        def cell(key: str, row: list[str] = row) -> str:
            i = index.get(key)
            return row[i].strip() if i is not None and i < len(row) else ""

        def bad(column_key: str, message: str, n: int = n) -> None:
            problems.append(f"{path}: row {n}, column {COLUMNS[column_key][0]}: {message}")

        user_id = cell("user_id")
        if not USERNAME.match(user_id):
            bad(
                "user_id",
                f"'{user_id}' is not a valid id; use 2-31 lowercase letters, digits, "
                "- or _, starting with a letter (e.g. jn0001)",
            )
        elif user_id in RESERVED or user_id.startswith(SYSTEM_ACCOUNT_PREFIXES):
            bad("user_id", f"'{user_id}' is reserved for the system; choose another id")
        elif user_id in seen:
            bad("user_id", f"'{user_id}' already appears in row {seen[user_id]}; ids must be unique")
        else:
            seen[user_id] = n
        name = cell("name")
        if not name:
            bad("name", "empty; fill in the person's name")
        city = normalize_city(cell("city"))
        if city is None:
            bad(
                "city",
                f"'{cell('city')}' is not one of Shandong's 16 cities ({'、'.join(CITY_CODES)})",
            )
        union = cell("union_name")
        if not union:
            bad("union_name", "empty; fill in the union the person belongs to")
        role = ROLES.get(cell("role").lower() if cell("role").isascii() else cell("role"))
        if role is None:
            bad("role", f"'{cell('role')}' is not a role; use 学员, 培训师 or 管理员")
        courses = [c for c in re.split(r"[;,、\s]+", cell("courses")) if c]
        unknown = [c for c in courses if c not in known_courses]
        if unknown:
            bad(
                "courses",
                f"unknown course id(s) {', '.join(unknown)}; known: "
                f"{', '.join(sorted(known_courses)) or 'none deployed yet'}",
            )
        if role in ("cadre", "trainer") and not courses:
            bad("courses", "empty; a cadre or trainer needs at least one course id")
        level_raw = cell("level")
        level = LEVELS.get(level_raw.lower() if level_raw.isascii() else level_raw)
        if role == "manager" and level is None:
            bad("level", f"'{level_raw}' is not a level; use 省 or 市")
        phone = cell("phone")
        if phone and not PHONE.match(phone):
            bad("phone", f"'{phone}' is not an 11-digit mainland mobile number")
        people.append(
            {
                "user_id": user_id,
                "name": name,
                "city": city or "",
                "city_code": CITY_CODES.get(city or "", ""),
                "union_name": union,
                "role": role or "",
                "level": level if role == "manager" else "",
                "phone": phone,
                "courses": courses,
            }
        )

    if not rows:
        problems.append(f"{path}: no data rows below the header")
    if len(problems) > MAX_LISTED_PROBLEMS:
        hidden = len(problems) - MAX_LISTED_PROBLEMS
        problems = [*problems[:MAX_LISTED_PROBLEMS], f"{path}: … and {hidden} more problems"]
    if problems:
        raise RosterError("\n".join(problems))
    return RosterReport(people)
