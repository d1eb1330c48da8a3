"""`airclass backup DEST` and `airclass restore SRC`: the whole platform in one folder.

A backup holds
    data/        the data directory: hub, platform, courses (gradebooks, submissions), exchange, …
    homes/<u>/   the home folders of the platform's accounts (cadres' fetched and edited work)
    settings/    the settings file
    databases/postgresql.dump   with `[database] url`: the hub's, the platform's and every
                 gradebook's schema, from `pg_dump --format=custom` (restored with pg_restore)
    manifest.json  every entry with its type, mode, owner and group by name, size and sha256

SQLite databases (hub DB, platform DB, every gradebook) are copied through SQLite's backup
API, so each copy is consistent even while the hub, graders and dashboards write to them;
their -wal/-journal side files are left out. Nothing is followed through a symbolic link:
cadres can write into the exchange, and root must not copy what a link points at.

Restore checks every checksum before it writes anything, refuses while a hub runs on the
target and refuses a data directory that already holds a platform unless forced. Records of
running servers are cleared from the restored hub DB: the restored hub must not adopt
processes it did not start; cadres start a fresh server on their restored files.
"""

from __future__ import annotations

import datetime as dt
import grp
import hashlib
import json
import os
import pwd
import shutil
import sqlite3
import stat
import subprocess
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from airclass.core import databases, dburls, names
from airclass.core.settings import Settings
from airclass.system import accounts, childproc, layout

SQLITE_MAGIC = b"SQLite format 3\x00"
SQLITE_SIDE_FILES = ("-journal", "-wal", "-shm")
MANIFEST = "manifest.json"
FORMAT = 1
PG_DUMP = "databases/postgresql.dump"


class BackupError(RuntimeError):
    """A backup cannot be written or a restore cannot proceed; nothing was changed."""


@dataclass
class Summary:
    files: int = 0
    databases: int = 0
    bytes: int = 0
    homes: int = 0


def _owner(st: os.stat_result) -> tuple[str, str]:
    try:
        user = pwd.getpwuid(st.st_uid).pw_name
    except KeyError:
        user = str(st.st_uid)
    try:
        group = grp.getgrgid(st.st_gid).gr_name
    except KeyError:
        group = str(st.st_gid)
    return user, group


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _is_sqlite(path: Path) -> bool:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as fh:
        return fh.read(16) == SQLITE_MAGIC


def _copy_sqlite(src: Path, dest: Path) -> None:
    """A consistent snapshot through the backup API (readers and writers may be active)."""
    source = sqlite3.connect(f"file:{src}?mode=ro", uri=True, timeout=60)
    target = sqlite3.connect(dest)
    try:
        with target:
            source.backup(target, pages=256)
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        target.close()
        source.close()


def _copy_file(src: Path, dest: Path) -> None:
    fd = os.open(src, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as fin, dest.open("wb") as fout:
        shutil.copyfileobj(fin, fout, 1 << 20)


def _snapshot_tree(root: Path, prefix: str, dest: Path, entries: list[dict], summary: Summary) -> None:
    for folder, dirs, files in os.walk(root, followlinks=False):
        folder_path = Path(folder)
        rel_folder = Path(prefix) / folder_path.relative_to(root)
        for name in sorted(dirs + files):
            src = folder_path / name
            rel = rel_folder / name
            try:
                st = os.lstat(src)
            except FileNotFoundError:
                continue  # removed while we walked (a submission being moved)
            user, group = _owner(st)
            entry = {"path": str(rel), "mode": stat.S_IMODE(st.st_mode), "owner": user, "group": group}
            if stat.S_ISLNK(st.st_mode):
                entries.append({**entry, "type": "symlink", "target": os.readlink(src)})
                continue
            if stat.S_ISDIR(st.st_mode):
                (dest / rel).mkdir(parents=True, exist_ok=True)
                entries.append({**entry, "type": "dir"})
                continue
            if not stat.S_ISREG(st.st_mode) or name.endswith(SQLITE_SIDE_FILES):
                continue  # sockets, fifos; SQLite side files are inside the snapshot
            out = dest / rel
            out.parent.mkdir(parents=True, exist_ok=True)
            try:
                if _is_sqlite(src):
                    _copy_sqlite(src, out)
                    kind = "sqlite"
                    summary.databases += 1
                else:
                    _copy_file(src, out)
                    kind = "file"
            except FileNotFoundError:
                continue
            size = out.stat().st_size
            summary.files += 1
            summary.bytes += size
            entries.append({**entry, "type": kind, "size": size, "sha256": _sha256(out)})


def platform_accounts(settings: Settings) -> list[str]:
    """Unix accounts airclass created for hub users (members of the platform group)."""
    try:
        members = grp.getgrnam(settings["accounts"]["unix_group"]).gr_mem
    except KeyError:
        return []
    return sorted(m for m in members if accounts.user_exists(m))


def backup(settings: Settings, dest: str | Path) -> Summary:
    """Write a complete, consistent backup of the platform to the new folder `dest`."""
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"{dest}: exists and is not empty; give a new folder for the backup")
    if not settings.data_dir.is_dir():
        raise BackupError(f"{settings.data_dir}: the data directory does not exist; nothing to back up")
    dest.mkdir(parents=True, exist_ok=True)
    os.chmod(dest, 0o700)  # password hashes, cookie secret, every cadre's work
    summary = Summary()
    entries: list[dict] = []
    _snapshot_tree(settings.data_dir, "data", dest, entries, summary)
    for name in platform_accounts(settings):
        home = Path(pwd.getpwnam(name).pw_dir)
        if home.is_dir() and not home.is_symlink():
            st = os.lstat(home)
            user, group = _owner(st)
            (dest / "homes" / name).mkdir(parents=True, exist_ok=True)
            entries.append(
                {"path": f"homes/{name}", "type": "dir", "mode": stat.S_IMODE(st.st_mode),
                 "owner": user, "group": group}
            )  # fmt: skip
            _snapshot_tree(home, f"homes/{name}", dest, entries, summary)
            summary.homes += 1
    if settings.source and settings.source.is_file():
        (dest / "settings").mkdir()
        shutil.copy2(settings.source, dest / "settings" / "airclass.toml")
    note = ""
    if settings.database_url:  # hub DB, platform DB and gradebooks are all in PostgreSQL
        entries.append(_dump_postgres(settings, dest))
        summary.databases += len(entries[-1]["schemas"])
    elif settings["hub"]["db_url"]:  # only the embedded SQLite lives in the data directory
        note = "hub.db_url points outside the data directory: back that database up with its own tools"
    manifest = {
        "format": FORMAT,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "data_dir": str(settings.data_dir),
        "note": note,
        "entries": entries,
    }
    (dest / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return summary


def platform_schemas(settings: Settings) -> list[str]:
    """The PostgreSQL schemas of this platform: hub, platform and one per deployed course."""
    courses = layout.deployed_course_ids(settings)
    return [dburls.HUB_SCHEMA, dburls.PLATFORM_SCHEMA] + [dburls.gradebook_schema(c) for c in courses]


def _pg_tool(settings: Settings, tool: str, args: list[str]) -> None:
    """Run pg_dump / pg_restore on the `[database] url` database; the password goes through
    the environment, never the command line (other accounts can read `ps`)."""
    url, password = dburls.split_password(settings.database_url)
    url = url.replace("postgresql+psycopg://", "postgresql://", 1)
    env = {"PATH": childproc.SYSTEM_PATH, "LANG": "C.UTF-8", "PGPASSWORD": password}
    try:
        done = subprocess.run(
            [childproc.system_tool(tool), *args, "--dbname", url],
            env=env, capture_output=True, text=True, timeout=3600,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError) as exc:
        raise BackupError(f"{tool}: {exc} (apt-get install postgresql-client)") from exc
    if done.returncode != 0:
        raise BackupError(f"{tool} failed: {done.stderr.strip()[-2000:]}")


def _dump_postgres(settings: Settings, dest: Path) -> dict:
    out = dest / PG_DUMP
    out.parent.mkdir(mode=0o700)
    schemas = platform_schemas(settings)
    args = ["--format=custom", "--no-owner", "--no-privileges", "--file", str(out)]
    _pg_tool(settings, "pg_dump", args + [f"--schema={schema}" for schema in schemas])
    os.chmod(out, 0o600)  # password hashes and every grade, as the manifest records it
    size = out.stat().st_size
    return {"path": PG_DUMP, "type": "pg_dump", "schemas": schemas, "mode": 0o600, "owner": "root",
            "group": "root", "size": size, "sha256": _sha256(out)}  # fmt: skip


def _restore_postgres(settings: Settings, src: Path, entry: dict) -> None:
    """Replace the schemas the dump holds with their backed-up contents."""
    with databases.engine(settings.database_url).begin() as conn:
        for schema in entry["schemas"]:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    _pg_tool(settings, "pg_restore", ["--no-owner", "--no-privileges", "--exit-on-error", str(src / PG_DUMP)])


def _platform_in_postgres(settings: Settings) -> bool:
    with databases.engine(settings.platform_db_url).connect() as conn:
        return sa.inspect(conn).has_table("people")


def read_manifest(src: Path) -> dict:
    path = src / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{path}: missing; {src} is not an airclass backup") from None
    except json.JSONDecodeError as exc:
        raise BackupError(f"{path}: damaged ({exc})") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path}: backup format {manifest.get('format')!r} is not {FORMAT}")
    return manifest


def verify(src: str | Path) -> dict:
    """Check every file of a backup against its manifest; return the manifest."""
    src = Path(src)
    manifest = read_manifest(src)
    bad = []
    for entry in manifest["entries"]:
        rel = Path(entry["path"])
        if rel.is_absolute() or ".." in rel.parts or rel.parts[0] not in ("data", "homes", "databases"):
            bad.append(f"{entry['path']}: path outside the backup")
        elif rel.parts[0] == "databases" and (entry["type"] != "pg_dump" or entry["path"] != PG_DUMP):
            bad.append(f"{entry['path']}: not a database dump this version writes")
        elif entry["type"] in ("file", "sqlite", "pg_dump"):
            path = src / rel
            if not path.is_file() or path.is_symlink():
                bad.append(f"{entry['path']}: missing")
            elif _sha256(path) != entry["sha256"]:
                bad.append(f"{entry['path']}: checksum differs (damaged copy)")
    if bad:
        raise BackupError(f"{src}: the backup is damaged; nothing was restored:\n" + "\n".join(bad[:50]))
    return manifest


def _ids(entry: dict) -> tuple[int, int]:
    try:
        uid = pwd.getpwnam(entry["owner"]).pw_uid
    except KeyError:
        uid = 0
    try:
        gid = grp.getgrnam(entry["group"]).gr_gid
    except KeyError:
        gid = 0
    return uid, gid


def _ensure_accounts(settings: Settings, manifest: dict) -> None:
    """Recreate the accounts files belong to: graders with their course group, then hub users."""
    platform_group = settings["accounts"]["unix_group"]
    parts = [Path(e["path"]).parts for e in manifest["entries"]]
    courses = {p[2] for p in parts if p[:2] == ("data", "courses") and len(p) > 2}
    for course in sorted(courses):
        group = names.course_group(course)
        accounts.ensure_group(group)
        accounts.ensure_user(names.grader_account(course), platform_group, (group,))
    for name in sorted(
        {Path(e["path"]).parts[1] for e in manifest["entries"] if e["path"].startswith("homes/")}
    ):
        accounts.ensure_user(name, platform_group)


def _target(settings: Settings, rel: Path) -> Path:
    if rel.parts[0] == "data":
        return settings.data_dir.joinpath(*rel.parts[1:])
    return Path(pwd.getpwnam(rel.parts[1]).pw_dir).joinpath(*rel.parts[2:])


def _forget_running_servers(settings: Settings) -> None:
    url = settings.hub_db_url
    if not databases.exists(url):
        return
    with databases.engine(url).begin() as conn:
        if not sa.inspect(conn).has_table("spawners"):
            return
        conn.execute(sa.text("UPDATE spawners SET server_id = NULL, state = '{}'"))
        conn.execute(sa.text("DELETE FROM servers"))


def _hub_listening(settings: Settings) -> bool:
    """Anything answering on the hub's API port (no token needed: a fresh target has none)."""
    url = f"http://127.0.0.1:{settings['hub']['hub_port']}/hub/api/"
    try:
        urllib.request.urlopen(url, timeout=5).close()
    except urllib.error.HTTPError:
        return True
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False
    return True


def restore(settings: Settings, src: str | Path, *, force: bool = False) -> Summary:
    """Put a backup back under `settings.data_dir` and the accounts' homes."""
    accounts.require_root("Restoring a backup")
    src = Path(src)
    manifest = verify(src)
    if _hub_listening(settings):
        raise BackupError("the hub is running; stop it before restoring (nothing was changed)")
    dump = next((e for e in manifest["entries"] if e["type"] == "pg_dump"), None)
    if dump is not None and not settings.database_url:
        raise BackupError(
            "this backup holds a PostgreSQL database: set [database] url in the target's settings to "
            "the (empty) database to restore it into (nothing was changed)"
        )
    if dump is None and settings.database_url:
        raise BackupError(
            "this backup holds SQLite databases but the target's settings name a PostgreSQL "
            "database ([database] url): restore with SQLite settings (nothing was changed)"
        )
    occupied = [p for p in (settings.platform_db, settings.hub_dir / "jupyterhub.sqlite") if p.exists()]
    if settings.database_url and _platform_in_postgres(settings):
        occupied.append(settings.platform_db_url.split("?", 1)[0] + f" (schema {dburls.PLATFORM_SCHEMA})")
    if occupied and not force:
        raise BackupError(
            f"{settings.data_dir} already holds a platform ({occupied[0]}); restore into an empty "
            "data directory, or pass --force to overwrite it (nothing was changed)"
        )
    _ensure_accounts(settings, manifest)
    summary = Summary()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    homes = set()
    for entry in manifest["entries"]:
        rel = Path(entry["path"])
        if entry["type"] == "pg_dump":
            _restore_postgres(settings, src, entry)
            summary.databases += len(entry["schemas"])
            continue
        target = _target(settings, rel)
        uid, gid = _ids(entry)
        if rel.parts[0] == "homes":
            homes.add(rel.parts[1])
        if entry["type"] == "dir":
            target.mkdir(parents=True, exist_ok=True)
        elif entry["type"] == "symlink":
            if target.is_symlink() or target.exists():
                target.unlink()
            target.symlink_to(entry["target"])
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.is_symlink():
                target.unlink()
            # Write beside the target and rename: never through a link a user placed there.
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".restore-")
            with os.fdopen(fd, "wb") as fout, (src / rel).open("rb") as fin:
                shutil.copyfileobj(fin, fout, 1 << 20)
            os.replace(tmp, target)
            summary.files += 1
            summary.bytes += entry["size"]
            summary.databases += entry["type"] == "sqlite"
        os.lchown(target, uid, gid)
        if entry["type"] != "symlink":
            os.chmod(target, entry["mode"])
    summary.homes = len(homes)
    _forget_running_servers(settings)
    # Paths inside generated configs follow the target's settings, not the backup's.
    layout.prepare_data_dir(settings)
    for course in layout.deployed_course_ids(settings):
        (settings.course_root(course) / "nbgrader_config.py").write_text(
            layout.course_nbgrader_config(settings, course)
        )
        layout.fix_course_permissions(settings, course)
    return summary
