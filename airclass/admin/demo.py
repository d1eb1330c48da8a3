"""`airclass demo`: a working classroom from a bare checkout, in one command.

Sets up (idempotently) the runtime environment and proxy, a data directory with its own
settings file, the courses from the checkout, a synthetic roster (48 cadres across the
16 cities, trainer01, manager01 for the province, manager02 for 济南), releases every
assignment, and serves the hub in the foreground.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from airclass.admin.demo_seed import seed_progress
from airclass.admin.roster_import import import_roster
from airclass.admin.setup import setup
from airclass.core.catalog import discover, load_course
from airclass.core.cities import CITY_CODES
from airclass.core.settings import Settings, load
from airclass.services.dashboard_refresher import warm_cache
from airclass.system import accounts, launcher, runtime
from airclass.system import layout as deploy
from grader import grading

PROJECT = launcher.PROJECT
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢"
GIVEN = [
    "建国",
    "秀英",
    "海燕",
    "志强",
    "丽娟",
    "伟",
    "敏",
    "磊",
    "静",
    "军",
    "洋",
    "芳",
    "勇",
    "霞",
    "鹏",
    "娜",
]
UNIONS = [
    "物流园区工会联合会",
    "建筑项目部工会",
    "快递行业工会联合会",
    "制造业企业工会",
    "家政服务业工会联合会",
    "街道工会联合会",
]


def demo_roster(course_ids: list[str]) -> list[dict]:
    """48 synthetic cadres (3 per city), a trainer and two managers. No real people."""
    courses = ";".join(course_ids)
    rows = []
    for n in range(1, 49):
        city = list(CITY_CODES)[(n - 1) % 16]
        # cadre01 is in 济南 and takes every course; others take one to all courses.
        taken = course_ids if n == 1 or n % 3 == 0 else course_ids[: 1 + n % max(len(course_ids), 1)]
        rows.append(
            {
                "学员编号": f"cadre{n:02d}",
                "姓名": SURNAMES[n % len(SURNAMES)] + GIVEN[n % len(GIVEN)],
                "城市": city,
                "工会": f"{city}市{UNIONS[n % len(UNIONS)]}",
                "角色": "学员",
                "课程": ";".join(taken),
                "级别": "",
                "手机": f"139{n:08d}",
            }
        )
    rows.append(
        {
            "学员编号": "trainer01",
            "姓名": "周培训",
            "城市": "济南",
            "工会": "山东省总工会",
            "角色": "培训师",
            "课程": courses,
            "级别": "",
            "手机": "",
        }
    )
    rows.append(
        {
            "学员编号": "manager01",
            "姓名": "孙主任",
            "城市": "济南",
            "工会": "山东省总工会",
            "角色": "管理员",
            "课程": "",
            "级别": "省",
            "手机": "",
        }
    )
    rows.append(
        {
            "学员编号": "manager02",
            "姓名": "钱部长",
            "城市": "济南",
            "工会": "济南市总工会",
            "角色": "管理员",
            "课程": "",
            "级别": "市",
            "手机": "",
        }
    )
    return rows


def write_private_roster(path: Path, rows: list[dict]) -> Path:
    """The roster CSV (names, phones: personal data even when synthetic), mode 0600."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    os.fchmod(fd, 0o600)  # an existing file keeps its old mode on O_CREAT
    with open(fd, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_settings(data_dir: Path, port: int, db_url: str = "") -> Path:
    """The demo's own settings file; ports derive from --port so several demos can coexist.
    `db_url` (``--db-url``): a PostgreSQL database for the hub, the platform and the
    gradebooks instead of SQLite files."""
    path = data_dir / "airclass.toml"
    path.write_text(
        "# airclass demo settings (written by `airclass demo`; edit freely)\n"
        f'data_dir = "{data_dir}"\n\n[hub]\nip = "127.0.0.1"\n'
        f"port = {port}\nhub_port = {port + 1}\nservice_port_base = {port + 10}\n"
        "# Ctrl-C ends the demo: cadres' servers and the proxy stop with the hub.\n"
        "stop_servers_with_hub = true\n"
        f"\n[database]\nurl = {json.dumps(db_url)}\n",
        encoding="utf-8",
    )
    return path


def release_all(settings: Settings, course) -> None:
    """Release every assignment of a course that is not in the exchange yet."""
    for assignment in course.assignments:
        if not (settings.exchange_dir / course.id / "outbound" / assignment.id).is_dir():
            grading.release(settings, course, assignment.id)


def set_up(settings: Settings, password: str, courses_dir: Path, notebooks_dir: Path) -> list[str]:
    """Everything but serving: data dir, courses, roster, releases. Returns course ids."""
    setup(settings, notebooks_dir, with_runtime=False)
    courses = discover(courses_dir)
    for course in courses:
        deploy.deploy_course(settings, course)
    course_ids = [c.id for c in courses]
    roster_path = write_private_roster(settings.data_dir / "demo-roster.csv", demo_roster(course_ids))
    import_roster(settings, roster_path, initial_password=password)
    deployed = [load_course(settings.course_root(c.id)) for c in courses]
    # Courses are independent (own grader account, gradebook, exchange folder): release
    # them side by side; within a course, one after the other (one gradebook).
    with ThreadPoolExecutor(max_workers=len(deployed) or 1) as pool:
        for done in [pool.submit(release_all, settings, course) for course in deployed]:
            done.result()
    # Synthetic progress for the other cadres, so every chart shows something (cadre01 is
    # left untouched for the person trying the demo); files written as root get their
    # course's owner back.
    seed_progress(settings, deployed, dt.datetime.now(dt.UTC))
    for course in deployed:
        deploy.fix_course_permissions(settings, course.id)
    deploy.fix_platform_permissions(settings)
    warning = warm_cache(settings)
    if warning:
        print(f"[airclass] warning: {warning}")
    return course_ids


def banner(settings: Settings, password: str) -> str:
    base = f"http://{settings['hub']['ip']}:{settings['hub']['port']}"
    return (
        f"  学员 cadre01 … cadre48 (cadre01: 济南, every course) — password: {password}\n"
        f"  培训师 trainer01 (teaches every course): formgraders at {base}/services/<course>/\n"
        f"  管理员 manager01 (province), manager02 (济南 only): {base}/services/dashboard/\n"
        f"  settings: {settings.source}"
    )


def run_demo(port: int, data_dir: Path, password: str, db_url: str = "") -> int:
    accounts.require_root("airclass demo")
    if len(password) < 8:
        raise ValueError("--password must have at least 8 characters (NativeAuthenticator rule)")
    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    settings = load(write_settings(data_dir, port, db_url))
    runtime.ensure_proxy()
    runtime.ensure_cjk_fonts()
    runtime.ensure_bubblewrap()
    runtime.ensure_runtime(settings.runtime_prefix, PROJECT)
    set_up(settings, password, PROJECT / "courses", PROJECT / "notebooks")
    return launcher.run_foreground(settings, banner(settings, password))
