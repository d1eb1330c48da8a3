"""Backup and restore without a hub: consistent SQLite copies under a live writer, links
not followed, damaged backups refused before anything is written."""

import json
import os
import sqlite3
import threading

import pytest

from airclass.admin import cli
from airclass.admin.backup import BackupError, backup, restore, verify
from airclass.core import names
from airclass.core.platform_db import PlatformDB
from airclass.core.settings import load
from airclass.system import accounts

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="backup/restore set owners: run as root")

PERSON = {
    "user_id": "bk-cadre",
    "name": "备份学员",
    "city": "济南",
    "city_code": "3701",
    "union_name": "某工会",
    "role": "cadre",
    "courses": [],
}


GROUP = "bk-test-users"  # a platform group of our own: homes of other checkouts' users stay out


@pytest.fixture(autouse=True)
def remove_accounts():
    """Restore creates the course's grader account and group: remove them (and our platform
    group) so the next run on this machine starts clean."""
    yield
    accounts.delete_user(names.grader_account("bkcourse"))
    for group in (names.course_group("bkcourse"), GROUP):
        if accounts.group_exists(group):
            accounts._run(["groupdel", group])


def make_settings(tmp_path, name):
    data = tmp_path / name
    path = tmp_path / f"{name}.toml"
    # A hub port nobody listens on: restore checks that no hub runs on the target.
    path.write_text(
        f'data_dir = "{data}"\n[hub]\nhub_port = 1\n[accounts]\nunix_group = "{GROUP}"\n', encoding="utf-8"
    )
    return load(path)


@pytest.fixture
def platform(tmp_path):
    settings = make_settings(tmp_path, "data")
    with PlatformDB(settings.platform_db_url) as db:
        db.upsert_people([PERSON])
    gradebook = settings.course_root("bkcourse") / "gradebook.db"
    gradebook.parent.mkdir(parents=True)
    with sqlite3.connect(gradebook) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE grade (n INTEGER)")
    inbound = settings.exchange_dir / "bkcourse" / "inbound" / "bk-cadre+hw1+2026"
    inbound.mkdir(parents=True)
    (inbound / "answer.ipynb").write_text('{"answer": "会费"}', encoding="utf-8")
    (inbound / "steal").symlink_to("/etc/shadow")
    return settings


def test_backup_is_consistent_while_a_writer_commits(tmp_path, platform):
    gradebook = platform.course_root("bkcourse") / "gradebook.db"
    stop = threading.Event()

    def writer():
        conn = sqlite3.connect(gradebook, timeout=30)
        n = 0
        while not stop.is_set():
            with conn:  # one transaction: two rows that must always appear together
                conn.execute("INSERT INTO grade VALUES (?)", (n,))
                conn.execute("INSERT INTO grade VALUES (?)", (-n,))
            n += 1
        conn.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        summary = backup(platform, tmp_path / "bk")
    finally:
        stop.set()
        thread.join()
    assert summary.databases == 2 and summary.files == 3
    copy = tmp_path / "bk" / "data" / "courses" / "bkcourse" / "gradebook.db"
    with sqlite3.connect(copy) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT SUM(n) FROM grade").fetchone()[0] in (0, None)
        count = conn.execute("SELECT COUNT(*) FROM grade").fetchone()[0]
    assert count % 2 == 0
    assert not list((tmp_path / "bk").rglob("*-wal"))
    link = tmp_path / "bk" / "data" / "exchange" / "bkcourse" / "inbound" / "bk-cadre+hw1+2026" / "steal"
    assert not link.exists() and not link.is_symlink(), "a cadre's link is recorded, never followed"
    entries = {e["path"]: e for e in json.loads((tmp_path / "bk" / "manifest.json").read_text())["entries"]}
    assert entries["data/exchange/bkcourse/inbound/bk-cadre+hw1+2026/steal"]["type"] == "symlink"
    assert oct((tmp_path / "bk").stat().st_mode & 0o777) == "0o700"


def test_round_trip_into_a_new_data_dir(tmp_path, platform):
    backup(platform, tmp_path / "bk")
    target = make_settings(tmp_path, "restored")
    summary = restore(target, tmp_path / "bk")
    assert summary.databases == 2
    with PlatformDB(target.platform_db) as db:
        assert [p["name"] for p in db.people()] == ["备份学员"]
    answer = target.exchange_dir / "bkcourse" / "inbound" / "bk-cadre+hw1+2026" / "answer.ipynb"
    assert json.loads(answer.read_text(encoding="utf-8")) == {"answer": "会费"}
    assert os.readlink(answer.parent / "steal") == "/etc/shadow"  # recreated as the same link
    assert oct(target.exchange_dir.stat().st_mode & 0o7777) == "0o1777"


def test_damaged_backup_restores_nothing(tmp_path, platform):
    backup(platform, tmp_path / "bk")
    copy = (
        tmp_path / "bk" / "data" / "exchange" / "bkcourse" / "inbound" / "bk-cadre+hw1+2026" / "answer.ipynb"
    )
    copy.write_text("tampered", encoding="utf-8")
    target = make_settings(tmp_path, "restored")
    with pytest.raises(BackupError, match="answer.ipynb: checksum differs"):
        restore(target, tmp_path / "bk")
    assert not target.data_dir.exists()


def test_restore_refuses_to_overwrite_a_platform_and_backup_a_used_folder(tmp_path, platform, capsys):
    backup(platform, tmp_path / "bk")
    before = platform.platform_db.read_bytes()
    status = cli.main(["--settings", str(platform.source), "restore", str(tmp_path / "bk")])
    assert status != 0 and "already holds a platform" in capsys.readouterr().err
    assert platform.platform_db.read_bytes() == before
    status = cli.main(["--settings", str(platform.source), "backup", str(tmp_path / "bk")])
    assert status != 0 and "exists and is not empty" in capsys.readouterr().err
    assert verify(tmp_path / "bk")["entries"]


def pg_settings(tmp_path, name, database_url):
    data = tmp_path / name
    path = tmp_path / f"{name}.toml"
    path.write_text(
        f'data_dir = "{data}"\n[hub]\nhub_port = 1\n[accounts]\nunix_group = "{GROUP}"\n'
        f'[database]\nurl = "{database_url}"\n',
        encoding="utf-8",
    )
    return load(path)


def test_postgresql_schemas_travel_in_a_pg_dump(tmp_path, monkeypatch):
    import subprocess

    from tests import pgtest

    commands = []  # every real pg_dump/pg_restore command line, as `ps` would show it
    real_run = subprocess.run
    monkeypatch.setattr(subprocess, "run", lambda args, **kw: commands.append(args) or real_run(args, **kw))

    source_db, target_db = pgtest.create_database("airclass_bk"), pgtest.create_database("airclass_bk")
    try:
        source = pg_settings(tmp_path, "data", source_db)
        source.course_root("bkcourse").mkdir(parents=True)
        with PlatformDB(source.platform_db_url) as db:
            db.upsert_people([PERSON])
        summary = backup(source, tmp_path / "backup")
        manifest = verify(tmp_path / "backup")
        (dump,) = [e for e in manifest["entries"] if e["type"] == "pg_dump"]
        assert {"hub", "platform"} <= set(dump["schemas"]) and summary.databases == len(dump["schemas"])
        password = source_db.split("@")[0].split(":")[-1]
        assert password not in (tmp_path / "backup" / "manifest.json").read_text()
        assert commands and not any(password in " ".join(map(str, c)) for c in commands), "not in ps"
        dump_file = tmp_path / "backup" / dump["path"]
        assert dump_file.stat().st_mode & 0o777 == 0o600 == dump["mode"]

        with pytest.raises(BackupError, match="PostgreSQL"):  # SQLite settings cannot take it
            restore(make_settings(tmp_path, "sqlite-target"), tmp_path / "backup")
        assert not (tmp_path / "sqlite-target").exists(), "nothing was written"

        target = pg_settings(tmp_path, "restored", target_db)
        restore(target, tmp_path / "backup")
        with PlatformDB(target.platform_db_url) as db:
            assert [p["user_id"] for p in db.people()] == ["bk-cadre"]
        with pytest.raises(BackupError, match="already holds a platform"):
            restore(target, tmp_path / "backup")
        with PlatformDB(target.platform_db_url) as db:
            db.upsert_people([{**PERSON, "user_id": "bk-later"}])
        restore(target, tmp_path / "backup", force=True)
        with PlatformDB(target.platform_db_url) as db:
            assert [p["user_id"] for p in db.people()] == ["bk-cadre"], "the schemas are replaced"
    finally:
        pgtest.drop_database(source_db)
        pgtest.drop_database(target_db)
