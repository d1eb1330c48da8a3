"""Fixtures that start a real airclass hub (root, unix users, proxy, nbgrader, services).

    classroom   session: a data dir in /tmp, two small courses (`itbasics`, `itother`), a
                roster of test accounts (it-prefixed unix users), `hw1` released in
                itbasics, and a running hub on high ports; everything removed at the end.
    users       session: {name: password} of the roster accounts.
    login       function: login(name) -> a logged-in HubUser with its own API token.

Unix accounts created here are named it-*, grader-itbasics, grader-itother, and are
deleted at teardown, so a developer's demo accounts are never touched.
"""

from __future__ import annotations

import csv
import fcntl
import json
import os
import pwd
import shutil
import socket
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from airclass.admin.roster_import import import_roster
from airclass.admin.setup import setup
from airclass.core import names
from airclass.core.catalog import load_course
from airclass.core.settings import Settings, load
from airclass.system import accounts, launcher
from airclass.system import layout as deploy
from grader import grading, sandbox
from tests import pgtest
from tests.integration.hubclient import HubUser

REPO = Path(__file__).resolve().parents[2]
FIXTURE_COURSE = REPO / "tests" / "fixtures" / "courses" / "basics"
PASSWORD = "it-Pa55word!"
COURSES = ("itbasics", "itother")
SANDBOX_ACCOUNTS = "itbox"  # grading sandbox pool accounts itbox-1 … (grader/sandbox.py)
LATE_USERS = ("it-late", "it-nopass")  # added by a roster import while the hub runs
ROSTER = [
    # user_id, name, city, union, role, courses, level
    ("it-cadre1", "测试学员甲", "济南", "济南市快递行业工会联合会", "学员", "itbasics;itother", ""),
    ("it-cadre2", "测试学员乙", "青岛", "青岛市物流园区工会联合会", "学员", "itbasics", ""),
    ("it-trainer-a", "测试培训师甲", "济南", "山东省总工会", "培训师", "itbasics", ""),
    ("it-trainer-b", "测试培训师乙", "济南", "山东省总工会", "培训师", "itother", ""),
    ("it-manager", "测试管理员", "济南", "山东省总工会", "管理员", "", "省"),
    ("it-locked", "测试锁定", "淄博", "淄博市总工会", "学员", "itother", ""),
    ("it-citymgr", "测试市管理员", "青岛", "青岛市总工会", "管理员", "", "市"),
    # new cadres who walk the whole path in a browser (tests/integration/test_cadre_path.py)
    ("it-cadre3", "测试学员丙", "烟台", "烟台市建筑行业工会联合会", "学员", "itbasics", ""),
    ("it-cadre4", "测试学员丁", "潍坊", "潍坊市家政行业工会联合会", "学员", "itbasics", ""),
    # Used by the reliability tests (audit, backup, restart) so they leave the others' cadres alone.
    ("it-rel", "测试可靠性", "济南", "济南市总工会", "学员", "itbasics", ""),
]


def free_port_base(count: int = 120, start: int = 47200) -> int:
    """A base port in a high, unusual range with `count` free ports after it (`start`: other
    users of this helper that run beside the integration tests pick another range)."""
    for base in range(start, 60000, 137):
        ok = True
        for port in (base, base + 1, *range(base + 10, base + 30), base + 100):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    ok = False
                    break
        if ok:
            return base
    raise RuntimeError("no free port range")


def make_course(dest_root: Path, course_id: str) -> Path:
    dest = dest_root / course_id
    shutil.copytree(FIXTURE_COURSE, dest)
    toml = dest / "course.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('id = "basics"', f'id = "{course_id}"'))
    for lesson in (dest / "lessons").glob("*.ipynb"):
        nb = json.loads(lesson.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            source = "".join(cell["source"])
            for quote in "'\"":
                source = source.replace(f"{quote}basics{quote}", f"{quote}{course_id}{quote}")
            cell["source"] = source
        lesson.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    assert f'\\"{course_id}\\"' in (dest / "lessons" / "01-dues.ipynb").read_text(encoding="utf-8")
    return dest


def write_roster(path: Path, rows) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["学员编号", "姓名", "城市", "工会", "角色", "课程", "级别"])
        writer.writerows(rows)
    return path


def remove_test_accounts(settings: Settings) -> None:
    """Every unix account and home the integration tests make (all named it-*, plus grader
    accounts, course groups and the sandbox pool) — homes even where the account is gone."""
    test_accounts = {row[0] for row in ROSTER} | set(LATE_USERS)
    test_accounts |= {entry.pw_name for entry in pwd.getpwall() if entry.pw_name.startswith("it-")}
    test_accounts |= {home.name for home in Path("/home").glob("it-*")}
    test_accounts |= {names.grader_account(course_id) for course_id in COURSES}
    for name in sorted(test_accounts):
        accounts.delete_user(name)
        shutil.rmtree(Path("/home") / name, ignore_errors=True)
    sandbox.delete_pool(settings, sandbox.MAX_CONCURRENT_RUNS * 4)
    for course_id in COURSES:
        if accounts.group_exists(names.course_group(course_id)):
            accounts._run(["groupdel", names.course_group(course_id)])


@dataclass
class Classroom:
    settings: Settings
    base_url: str
    hub: object
    log: Path

    def user(self, name: str) -> HubUser:
        return HubUser(self.base_url, name)


@pytest.fixture(scope="session")
def classroom():
    if os.geteuid() != 0:
        pytest.fail("integration tests need root (they create unix users); run the README test command")
    # The test accounts (it-*, grader-it*) are machine-wide: two test runs on one machine
    # (two checkouts) take turns instead of deleting each other's users.
    lock = open("/run/lock/airclass-integration.lock", "w")  # noqa: SIM115 — held for the session
    fcntl.flock(lock, fcntl.LOCK_EX)
    data_dir = Path(tempfile.mkdtemp(prefix="airclass-it-", dir="/tmp"))
    os.chmod(data_dir, 0o755)
    port = free_port_base()
    settings_file = data_dir / "airclass.toml"
    # AIRCLASS_TEST_DATABASE=postgresql (scripts/test.sh's second run): hub DB, platform DB
    # and gradebooks in a fresh PostgreSQL database instead of SQLite files.
    database_url = ""
    if os.environ.get("AIRCLASS_TEST_DATABASE", "sqlite") == "postgresql":
        database_url = pgtest.create_database("airclass_it")
    runtime_prefix = os.environ.get("AIRCLASS_RUNTIME_PREFIX", "/opt/airclass/env")
    settings_file.write_text(
        f'data_dir = "{data_dir}"\nruntime_prefix = "{runtime_prefix}"\n'
        f"[hub]\nport = {port}\nhub_port = {port + 1}\n"
        f"service_port_base = {port + 10}\nstop_servers_with_hub = true\n"
        "[auth.native]\nallowed_failed_logins = 3\n"
        "seconds_before_next_try = 600\n[culler]\nenabled = true\ntimeout = 3600\n"
        "[dashboard]\nkernel_idle_timeout = 20\n"
        f'[grading]\nsandbox_accounts = "{SANDBOX_ACCOUNTS}"\n'  # the grading pool, removed below
        f'[database]\nurl = "{database_url}"\n',
        encoding="utf-8",
    )
    settings = load(settings_file)
    # A run killed before its teardown (machine restart, CI timeout) leaves homes with
    # fetched and submitted work behind; the next run must start from bare accounts.
    remove_test_accounts(settings)
    setup(settings)  # `airclass setup`: proxy, runtime env, data dir, dashboards
    catalog = data_dir / "catalog"
    for course_id in COURSES:
        deploy.deploy_course(settings, load_course(make_course(catalog, course_id)))
    import_roster(settings, write_roster(data_dir / "roster.csv", ROSTER), initial_password=PASSWORD)
    grading.release(settings, load_course(settings.course_root("itbasics")), "hw1")

    log = data_dir / "hub.log"
    hub = launcher.start_hub(settings, log)
    classroom_hub = Classroom(settings, f"http://127.0.0.1:{port}", hub, log)  # restart tests swap .hub
    try:
        launcher.wait_for_login_page(settings, hub, timeout=120)
        yield classroom_hub
    finally:
        launcher.stop_hub(classroom_hub.hub)
        launcher.stop_proxy(settings)
        remove_test_accounts(settings)
        if os.environ.get("AIRCLASS_KEEP_TEST_DATA"):
            print(f"kept {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
            if database_url:
                pgtest.drop_database(database_url)
        lock.close()


@pytest.fixture
def login(classroom):
    def _login(name: str, password: str = PASSWORD) -> HubUser:
        user = classroom.user(name)
        reply = user.login(password)
        assert reply.status_code == 302, f"login of {name} failed: {reply.status_code}"
        user.make_token()
        return user

    return _login
