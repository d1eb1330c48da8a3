"""LocalProcessSpawner that creates the cadre's unix account on first spawn (as TLJH does).

Before each start it also copies the lessons of the person's courses into
`~/空中课堂/<course>/`, adding new files and never overwriting what the cadre changed.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner

from airclass.core import names
from airclass.core.platform_db import PlatformDB
from airclass.core.settings import Settings, current
from airclass.system import accounts, limits

LESSONS_FOLDER = "空中课堂"


def copy_missing(src: Path, dest: Path, uid: int, gid: int) -> None:
    """Copy files from src into dest that dest does not have yet; chown what is created."""
    for folder, _dirs, files in os.walk(src):
        target = dest / Path(folder).relative_to(src)
        if not target.exists():
            target.mkdir(parents=True)
            os.chown(target, uid, gid)
        for name in files:
            if not (target / name).exists():
                shutil.copy2(Path(folder) / name, target / name)
                os.chown(target / name, uid, gid)


STAFF_NO_SERVER = (
    "培训师和管理员不需要个人学习空间：请回到“我的入口”，从评分页面或管理看板进入。"
    "（如确需开启，请管理员在设置中打开 spawner.staff_servers。）"
)


class NoServerForRole(RuntimeError):
    """A trainer or manager asked for a personal server and the settings do not allow it."""


def prepare_account(settings: Settings, username: str) -> None:
    with PlatformDB(settings.platform_db_url) as db:
        person = db.person(username)
    if person is None:
        raise accounts.AccountError(f"{username} is not on the roster; import them first")
    if person["role"] != "cadre" and not settings["spawner"]["staff_servers"]:
        raise NoServerForRole(STAFF_NO_SERVER)
    extra: tuple[str, ...] = ()
    if person["role"] == "trainer":
        extra = tuple(names.course_group(c) for c in person["courses"])
    entry = accounts.ensure_user(username, settings["accounts"]["unix_group"], extra)
    home = Path(entry.pw_dir)
    base = home / LESSONS_FOLDER
    if not base.exists():
        base.mkdir()
        os.chown(base, entry.pw_uid, entry.pw_gid)
    for course in person["courses"]:
        public = settings.public_dir / course
        if public.is_dir():
            copy_missing(public, base / course, entry.pw_uid, entry.pw_gid)


class AirclassSpawner(LocalProcessSpawner):
    _cgroups: list[Path] = []

    async def start(self):
        # The hub's own settings (loaded once, from the path `airclass hub` passed on).
        await asyncio.to_thread(prepare_account, current(), self.user.name)
        if self.mem_limit or self.cpu_limit:
            self._cgroups = await asyncio.to_thread(
                limits.prepare, self.user.name, self.mem_limit, self.cpu_limit
            )
        return await super().start()

    async def stop(self, now=False):
        await super().stop(now=now)
        if self._cgroups:
            await asyncio.to_thread(limits.remove, self.user.name)

    def make_preexec_fn(self, name):
        """Join the cadre's cgroups (as root, before dropping to the cadre's account), so
        the server and every kernel it starts are held to the limits."""
        drop_privileges = super().make_preexec_fn(name)
        cgroups = list(self._cgroups)

        def preexec():
            limits.join(cgroups)
            drop_privileges()

        return preexec
