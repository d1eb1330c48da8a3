"""`airclass backup` while the hub serves, then `airclass restore` into a new data directory:
a hub started there serves the same people (same passwords), grades and files."""

import hashlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from airclass.core.platform_db import PlatformDB
from airclass.core.settings import load
from airclass.system import launcher
from tests import pgtest
from tests.integration.conftest import PASSWORD, free_port_base

# On PostgreSQL ([database] url) the databases travel as one pg_dump of the platform's
# schemas and are restored into another (empty) database.
pytestmark = pytest.mark.integration
NOTE = "api/contents/备份测试.txt"


def cli(settings_file, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "airclass.admin.cli", "--settings", str(settings_file), *args],
        capture_output=True,
        text=True,
        timeout=900,
    )


def scores(settings) -> dict:
    with Gradebook(settings.gradebook_url("itbasics")) as gb:
        return {(s.student.id, s.assignment.name): s.score for a in gb.assignments for s in a.submissions}


def tree_digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def test_backup_while_serving_then_restore_serves_the_same(classroom, login, tmp_path):
    cadre = login("it-rel")
    cadre.start_server()
    text = "我的学习笔记：会费按工资的 0.5% 缴纳。"
    saved = cadre.server("PUT", NOTE, json={"type": "file", "format": "text", "content": text})
    assert saved.status_code in (200, 201), saved.text

    with PlatformDB(classroom.settings.platform_db_url) as db:
        people = db.people()
    before_scores = scores(classroom.settings)
    exchange = tree_digest(classroom.settings.exchange_dir)
    dest = tmp_path / "backup"
    done = cli(classroom.settings.source, "backup", str(dest))
    assert done.returncode == 0, done.stderr
    print(done.stdout)
    # The cadre loses the file after the backup (a deleted folder, a dead disk).
    assert cadre.server("DELETE", NOTE).status_code == 204

    target_dir = Path(tempfile.mkdtemp(prefix="airclass-it-restored-", dir="/tmp"))
    target_dir.chmod(0o755)
    port = free_port_base()
    settings_file = target_dir / "airclass.toml"
    target_db = pgtest.create_database("airclass_rs") if classroom.settings.database_url else ""
    settings_file.write_text(
        f'data_dir = "{target_dir / "data"}"\nruntime_prefix = "{classroom.settings.runtime_prefix}"\n'
        f"[hub]\nport = {port}\nhub_port = {port + 1}\nservice_port_base = {port + 10}\n"
        "stop_servers_with_hub = true\n"
        f'[database]\nurl = "{target_db}"\n',
        encoding="utf-8",
    )
    hub = None
    try:
        done = cli(settings_file, "restore", str(dest))
        assert done.returncode == 0, done.stderr
        restored = load(settings_file)
        with PlatformDB(restored.platform_db_url) as db:
            assert db.people() == people
        assert scores(restored) == before_scores
        assert tree_digest(restored.exchange_dir) == exchange

        hub = launcher.start_hub(restored, target_dir / "hub.log")
        launcher.wait_for_login_page(restored, hub, timeout=180)
        again = type(cadre)(f"http://127.0.0.1:{port}", "it-rel")
        assert again.login(PASSWORD).status_code == 302, "same account, same password"
        again.make_token()
        again.start_server()
        back = again.server("GET", NOTE)
        assert back.status_code == 200 and back.json()["content"] == text, "the cadre's file is back"
        listing = again.server("GET", "assignments?course_id=itbasics").json()
        assert listing["success"], listing
    finally:
        if hub is not None:
            launcher.stop_hub(hub)
        launcher.stop_proxy(load(settings_file))
        shutil.rmtree(target_dir, ignore_errors=True)
        if target_db:
            pgtest.drop_database(target_db)
