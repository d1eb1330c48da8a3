"""Dashboards through the real hub: who gets what, and row-level scope decided on the server."""

import base64
import io
import json
import re

import openpyxl
import pytest

pytestmark = pytest.mark.integration

XLSX_LINK = re.compile(
    r"data:application/vnd\.openxmlformats-officedocument\.spreadsheetml\.sheet;base64,([A-Za-z0-9+/=]+)"
)


def in_page(text: str, page: str) -> bool:
    """Voila ships outputs as JSON inside the page, so Chinese may be \\u-escaped."""
    return text in page or json.dumps(text)[1:-1] in page


def test_manager_gets_dashboard_with_kpis(classroom, login):
    page = login("it-manager").browse("services/dashboard/")
    assert page.status_code == 200
    assert in_page("报名学员", page.text) and in_page("查看范围：全省", page.text)


@pytest.mark.parametrize("user", ["it-cadre1", "it-trainer-a"])
def test_cadres_and_trainers_get_403_on_dashboard(classroom, login, user):
    assert login(user).browse("services/dashboard/").status_code == 403


def test_city_manager_export_holds_only_their_city(classroom, login):
    page = login("it-citymgr").browse("services/dashboard/")
    assert page.status_code == 200 and in_page("查看范围：青岛市", page.text)
    found = XLSX_LINK.search(page.text)
    assert found, "the dashboard offers an Excel download"
    book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(found.group(1))))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert "城市" in header and "学员编号" in header
    cities = {row[header.index("城市")] for row in sheet.iter_rows(min_row=2, values_only=True)}
    ids = {row[header.index("学员编号")] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert cities == {"青岛"}
    assert ids == {"it-cadre2"}
    assert not in_page("测试学员甲", page.text), "no 济南 cadre anywhere on the page"


def test_cadre_progress_page_shows_only_own_data(classroom, login):
    page = login("it-cadre1").browse("services/learning/")
    assert page.status_code == 200
    assert in_page("测试学员甲", page.text) or in_page("it-cadre1", page.text)
    for other in ("it-cadre2", "测试学员乙", "it-locked", "测试锁定"):
        assert not in_page(other, page.text), f"{other} leaked into it-cadre1's page"


def test_trainer_dashboard_only_for_trainers(classroom, login):
    trainer = login("it-trainer-a").browse("services/learning/voila/render/trainer.ipynb")
    assert trainer.status_code == 200 and in_page("itbasics", trainer.text)
    assert login("it-cadre1").browse("services/learning/voila/render/trainer.ipynb").status_code == 403


def test_report_cli_exports_one_city(classroom, tmp_path):
    import subprocess
    import sys

    out = tmp_path / "qingdao.xlsx"
    base = [sys.executable, "-m", "airclass.admin.cli", "--settings", str(classroom.settings.source)]
    done = subprocess.run(
        [*base, "report", "progress", "--out", str(out), "--city", "青岛"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    sheet = openpyxl.load_workbook(out).worksheets[0]
    header = [c.value for c in sheet[1]]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert rows and {r[header.index("城市")] for r in rows} == {"青岛"}
    bad = subprocess.run(
        [*base, "report", "progress", "--out", str(tmp_path / "x.xlsx"), "--city", "上海"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert bad.returncode == 2 and "上海" in bad.stderr and not (tmp_path / "x.xlsx").exists()


def test_dashboard_refresher_runs_as_the_dashboard_account(classroom):
    import pwd
    from pathlib import Path

    dash_uid = pwd.getpwnam("airclass-dash").pw_uid
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes().split(b"\0")
            uid = proc.stat().st_uid
        except OSError:
            continue
        if b"airclass.services.dashboard_refresher" in cmdline and any(
            a.startswith(b"--refresh-every") for a in cmdline
        ):
            found.append(uid)
    assert found and set(found) == {dash_uid}
