"""Which submissions in a course's exchange inbox nbgrader may collect.

The inbox (exchange/<course>/inbound) is writable by every local account, and nbgrader's
collect files a folder under whatever student name it carries (it only warns when the
owner differs). Before collecting, every entry is screened; one that fails is moved out
of the inbox into `<course root>/quarantine/` with a reason file the trainer reads in the
formgrader's file browser (and the grade summary lists it). A submission is accepted only

* as a plain folder named `<student>+<assignment>+<timestamp>[+<random>]`,
* owned by the unix account of the student it names,
* from a cadre enrolled in the course (the platform roster),
* with a timestamp that parses, is not in the future, and is not backdated (not earlier
  than the folder's change time, which its owner cannot set, minus a tolerance),
* holding only plain files and folders (no links: collect runs as the grader account and
  would copy what a link points at).

`airclass grade` screens as root (`screen_inbound`): it only reads metadata (never
following links) and renames entries with directory file descriptors, so no name a cadre
chose can lead it elsewhere. The formgrader's Collect button and `nbgrader collect` run
as the grader account and screen the same way (`ScreenedExchangeCollect`, configured in
each course's nbgrader config).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import pwd
import stat
from dataclasses import dataclass
from pathlib import Path

from nbgrader.api import Gradebook
from nbgrader.exchange.default.collect import ExchangeCollect as DefaultExchangeCollect
from nbgrader.utils import parse_utc

from airclass.core import names
from airclass.core.platform_db import PlatformDB
from airclass.core.settings import Settings

QUARANTINE = "quarantine"
FUTURE_SKEW = dt.timedelta(minutes=2)
BACKDATE_TOLERANCE = dt.timedelta(minutes=10)
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


@dataclass(frozen=True)
class Refusal:
    entry: str  # the inbox folder's name
    reason: str  # for the trainer, in Chinese


def enrolled_cadres(settings: Settings, course_id: str) -> set[str]:
    with PlatformDB(settings.platform_db_url) as db:
        enrollments = db.enrollments()
        return {p["user_id"] for p in db.people("cadre") if course_id in enrollments.get(p["user_id"], [])}


def judge(name: str, info: os.stat_result, enrolled: set[str], now: dt.datetime) -> str | None:
    """Why the inbox entry `name` (its lstat `info`) must not be collected, or None."""
    if not stat.S_ISDIR(info.st_mode):
        return "不是提交文件夹（可能是链接或普通文件）"
    parts = name.rsplit("+", 3)
    if len(parts) < 3:
        return "文件夹名称不符合“学员编号+作业+时间”的格式"
    student, claimed = parts[0], parts[2]
    try:
        when = parse_utc(claimed)
    except Exception:  # nbgrader raises several types for bad dates
        return f"提交时间“{claimed}”无法识别"
    try:
        owner = pwd.getpwuid(info.st_uid).pw_name
    except KeyError:
        owner = str(info.st_uid)
    if owner != student:
        return f"以 {student} 的名义提交，但文件夹属于账号 {owner}"
    if student not in enrolled:
        return f"{student} 未选修本课程"
    when = when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when
    if when > now + FUTURE_SKEW:
        return f"提交时间 {claimed} 晚于当前时间"
    changed = dt.datetime.fromtimestamp(info.st_ctime, dt.UTC)
    if when < changed - BACKDATE_TOLERANCE:
        return f"提交时间 {claimed} 早于实际提交时间 {changed:%Y-%m-%d %H:%M:%S} UTC（倒填）"
    return None


def _has_links(dir_fd: int, name: str) -> bool:
    fd = os.open(name, _DIR_FLAGS, dir_fd=dir_fd)
    try:
        for _folder, dirs, files, sub_fd in os.fwalk(".", dir_fd=fd, follow_symlinks=False):
            for entry in files + dirs:
                mode = os.stat(entry, dir_fd=sub_fd, follow_symlinks=False).st_mode
                if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
                    return True
    finally:
        os.close(fd)
    return False


def screen_inbound(settings: Settings, course_id: str, now: dt.datetime | None = None) -> list[Refusal]:
    """As root (`airclass grade`): move every inbox entry that must not be collected into
    the course's quarantine, owned by its grader account; return them."""
    grader_uid = pwd.getpwnam(names.grader_account(course_id)).pw_uid
    return screen(
        settings.exchange_dir / course_id / "inbound",
        settings.course_root(course_id),
        enrolled_cadres(settings, course_id),
        now,
        owner_uid=grader_uid,
    )


def screen(
    inbound: Path,
    course_root: Path,
    enrolled: set[str],
    now: dt.datetime | None = None,
    owner_uid: int = -1,
) -> list[Refusal]:
    """Quarantine the inbox entries `judge` refuses (or holding links); return them.
    `owner_uid`: who gets the quarantine folder and reason files (-1: the caller)."""
    if not inbound.is_dir():
        return []
    now = now or dt.datetime.now(dt.UTC)
    refused: list[Refusal] = []
    inbound_fd = os.open(inbound, _DIR_FLAGS)
    try:
        for name in sorted(os.listdir(inbound_fd)):
            if name.startswith(".quarantined-"):
                continue
            info = os.stat(name, dir_fd=inbound_fd, follow_symlinks=False)
            reason = judge(name, info, enrolled, now)
            if reason is None and _has_links(inbound_fd, name):
                reason = "提交中包含链接或特殊文件"
            if reason is not None:
                _quarantine(course_root, inbound_fd, name, reason, owner_uid)
                refused.append(Refusal(name, reason))
    finally:
        os.close(inbound_fd)
    return refused


def _quarantine(course_root: Path, inbound_fd: int, name: str, reason: str, owner_uid: int) -> None:
    root_fd = os.open(course_root, _DIR_FLAGS)
    try:
        with contextlib.suppress(FileExistsError):
            os.mkdir(QUARANTINE, 0o2770, dir_fd=root_fd)
        box_fd = os.open(QUARANTINE, _DIR_FLAGS, dir_fd=root_fd)  # refuses a planted link
    finally:
        os.close(root_fd)
    try:
        os.fchown(box_fd, owner_uid, -1)
        try:
            os.rename(name, name, src_dir_fd=inbound_fd, dst_dir_fd=box_fd)
        except OSError as exc:
            if exc.errno not in (errno.EXDEV, errno.EEXIST, errno.ENOTEMPTY, errno.EACCES, errno.EPERM):
                raise
            # another file system, a name already quarantined, or (as the grader account) a
            # cadre's folder it may not move out: hide it from collect, whose glob skips
            # dot-names, in the inbox itself; the reason file still goes to quarantine/
            os.rename(name, f".quarantined-{name}", src_dir_fd=inbound_fd, dst_dir_fd=inbound_fd)
        note = os.open(
            f"{name}.原因.txt",
            os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW,
            0o660,
            dir_fd=box_fd,
        )
        with os.fdopen(note, "w", encoding="utf-8") as fh:
            fh.write(f"{name}\n未收取：{reason}\n")
            os.fchown(fh.fileno(), owner_uid, -1)
    finally:
        os.close(box_fd)


class ScreenedExchangeCollect(DefaultExchangeCollect):
    """nbgrader's collect, screened first: what the formgrader's "Collect" button and
    `nbgrader collect` use (`ExchangeFactory.collect` in each course's nbgrader config).
    Runs as the grader account, so enrolment comes from the gradebook's students (kept
    in step with the roster by `grading.sync_students`)."""

    def init_src(self):
        course_path = Path(self.root) / self.coursedir.course_id
        with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
            enrolled = {student.id for student in gb.students}
        for refusal in screen(course_path / "inbound", Path(self.coursedir.root), enrolled):
            self.log.warning("not collected, quarantined: %s — %s", refusal.entry, refusal.reason)
        super().init_src()
