"""Issue 9, findings 6 and 7, as the attacks were made through the real hub.

* Anyone claimed a roster id that had no password yet on /hub/signup.
* Three wrong passwords from one attacker locked trainer01 out for ten minutes.
* The dashboard account's home was world-readable (cadres read its IPython history).
* A course title with HTML went unescaped into the trainer dashboard; a roster name
  `=HYPERLINK(…)` was a live formula in the managers' Excel download.
"""

import base64
import csv
import io
import os
import pwd
import subprocess

import openpyxl
import pytest
import requests
from requests.adapters import HTTPAdapter

from airclass.admin.roster_import import import_roster
from airclass.services.dashboard_refresher import warm_cache
from airclass.system import layout
from tests.integration.conftest import PASSWORD, ROSTER, write_roster
from tests.integration.hubclient import HubUser
from tests.integration.test_dashboards_hub import XLSX_LINK

pytestmark = pytest.mark.integration

FORMULA_NAME = '=HYPERLINK("http://example.invalid/","点我")'
NEW_MEMBER = ("it-nopass", FORMULA_NAME, "青岛", "青岛市物流园区工会联合会", "学员", "itbasics", "")


def sign_up(user: HubUser, password: str, code: str = "") -> requests.Response:
    user.web.get(user.url("hub/signup"), timeout=30)
    xsrf = user.web.cookies.get("_xsrf", path="/hub/")
    form = {
        "username": user.name,
        "signup_password": password,
        "signup_password_confirmation": password,
        "_xsrf": xsrf,
    }
    if code:
        form["activation_code"] = code
    return user.web.post(user.url("hub/signup"), data=form, timeout=60)


@pytest.fixture(scope="module")
def activation_code(classroom, tmp_path_factory):
    """it-nopass joins the roster while the hub runs, without a password; its code."""
    folder = tmp_path_factory.mktemp("roster")
    codes = folder / "codes.csv"
    roster = write_roster(folder / "roster.csv", [*ROSTER, NEW_MEMBER])
    import_roster(classroom.settings, roster, passwords_out=codes)
    with codes.open(encoding="utf-8-sig") as fh:
        return {row["学员编号"]: row["激活码"] for row in csv.DictReader(fh)}["it-nopass"]


def test_roster_id_without_password_cannot_be_claimed_without_its_code(classroom, activation_code):
    attacker = classroom.user("it-nopass")
    page = sign_up(attacker, "attacker-Pa55!")
    assert page.status_code == 403 and "激活码" in page.text
    assert attacker.login("attacker-Pa55!").status_code != 302
    assert sign_up(classroom.user("it-nopass"), "attacker-Pa55!", "0000-0000-0000").status_code == 403

    member = classroom.user("it-nopass")
    done = sign_up(member, "member-Pa55!", activation_code)
    assert done.status_code == 200 and "密码已设置" in done.text, done.text[-800:]
    assert member.login("member-Pa55!").status_code == 302
    # the code was for one use
    assert sign_up(classroom.user("it-nopass"), "again-Pa55!", activation_code).status_code == 403


def test_signup_page_says_what_happens(classroom):
    page = classroom.user("anyone").web.get(classroom.base_url + "/hub/signup", timeout=30).text
    assert "激活码" in page and "等待管理员审核" not in page


class FromAddress(HTTPAdapter):
    """Connect from another loopback address: the hub sees another client."""

    def __init__(self, address: str):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def test_an_attacker_cannot_lock_out_a_trainer(classroom):
    attacker = classroom.user("it-trainer-a")
    attacker.web.mount("http://", FromAddress("127.0.0.7"))
    for n in range(6):  # twice the lockout threshold, claiming other addresses too
        attacker.web.headers["X-Real-Ip"] = f"10.0.0.{n}"
        attacker.web.headers["X-Forwarded-For"] = f"10.0.1.{n}"
        assert attacker.login("wrong-password").status_code != 302
    assert attacker.login(PASSWORD).status_code != 302, "the attacker's address is locked out"
    # the trainer, at their own address, still gets in
    assert classroom.user("it-trainer-a").login(PASSWORD).status_code == 302


def test_service_homes_are_private(classroom, login):
    login("it-cadre1").start_server()
    for account in ("airclass-dash", "airclass-api"):
        os.chmod(pwd.getpwnam(account).pw_dir, 0o755)  # as `useradd --system` made it in the demo
    layout.prepare_data_dir(classroom.settings)  # what `airclass demo` / `course deploy` run
    for account in ("airclass-dash", "airclass-api"):
        home = pwd.getpwnam(account).pw_dir
        assert os.stat(home).st_mode & 0o777 == 0o700, account
        probe = subprocess.run(
            ["runuser", "-u", "it-cadre1", "--", "ls", home], capture_output=True, text=True
        )
        assert probe.returncode != 0, f"a cadre lists {home}"


def test_course_title_is_escaped_on_the_trainer_dashboard(classroom, login):
    toml = classroom.settings.course_root("itbasics") / "course.toml"
    original = toml.read_text(encoding="utf-8")
    evil = '<img src=x id="evil-title" onerror="alert(1)">'
    # what a trainer can do: edit the course root's course.toml (as the grader account)
    lines = [f"title = {evil!r}" if line.startswith("title") else line for line in original.splitlines()]
    edited = subprocess.run(
        ["runuser", "-u", "grader-itbasics", "--", "tee", str(toml)],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
    )
    assert edited.returncode == 0, edited.stderr
    try:
        page = login("it-trainer-a").browse("services/learning/voila/render/trainer.ipynb").text
        assert 'id="evil-title"' not in page and 'id=\\"evil-title\\"' not in page
        assert "evil-title" in page, "the title is shown, as text"
    finally:
        subprocess.run(
            ["runuser", "-u", "grader-itbasics", "--", "tee", str(toml)], input=original, text=True
        )


def test_formula_name_is_text_in_the_managers_excel(classroom, login, activation_code):
    assert warm_cache(classroom.settings) is None
    page = login("it-citymgr").browse("services/dashboard/").text
    found = XLSX_LINK.search(page)
    assert found
    sheet = openpyxl.load_workbook(io.BytesIO(base64.b64decode(found.group(1)))).worksheets[0]
    header = [c.value for c in sheet[1]]
    names = [row[header.index("姓名")] for row in sheet.iter_rows(min_row=2)]
    mine = [c for c in names if "HYPERLINK" in str(c.value)]
    assert mine, "the new member is in the 青岛 export"
    assert all(c.data_type == "s" and str(c.value).startswith("'=") for c in mine)
