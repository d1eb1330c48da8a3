"""File operations root performs inside folders that lower accounts can write.

A grader account (and through it a trainer) or a service account can plant symbolic links
in the folders it owns. Root must never write, chmod or chown *through* such a link, nor
be raced into it by swapping a checked folder for a link. So:

* `own_tree` walks with directory file descriptors (`os.fwalk`, links never followed),
  changes owners with `lchown` semantics and modes only on files opened with O_NOFOLLOW;
  links are left alone (and so are hard links to files outside, which the kernel's
  `protected_hardlinks` already keeps a lower account from making to files it cannot write).
* `handoff_file` gives a lower account a file to read (e.g. a CSV for `nbgrader db
  student import`) from a fresh root-owned folder nobody else can write, instead of
  writing it into the account's own folder.
* Copies *into* such folders are made by the lower account itself (see
  airclass.system.layout.deploy_course), so a planted link can only lead it where it
  could write anyway.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

_OPEN_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


def _fix(name: str, dir_fd: int, uid: int, gid: int, mode: int | None) -> None:
    try:
        fd = os.open(name, _OPEN_FLAGS, dir_fd=dir_fd)
    except OSError:
        return  # a symbolic link (ELOOP), or gone meanwhile: leave it
    try:
        info = os.fstat(fd)
        if not (stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode)):
            return  # fifos, sockets, devices: not ours to touch
        os.fchown(fd, uid, gid)
        if mode is not None:
            os.fchmod(fd, mode)
    finally:
        os.close(fd)


def own_tree(
    top: Path, uid: int, gid: int, *, dir_mode: int | None = None, file_mode: int | None = None
) -> None:
    """chown (and optionally chmod) `top` and everything below it, never through a link."""
    for _folder, _dirs, files, dir_fd in os.fwalk(top, follow_symlinks=False):
        os.fchown(dir_fd, uid, gid)
        if dir_mode is not None:
            os.fchmod(dir_fd, dir_mode)
        # links to files are in `files` and refused by O_NOFOLLOW; links to folders are
        # listed in `dirs` but fwalk does not enter them, so they are never touched
        for name in files:
            _fix(name, dir_fd, uid, gid, file_mode)


@contextlib.contextmanager
def handoff_file(text: str, uid: int, name: str = "data.csv") -> Iterator[Path]:
    """A file holding `text`, readable by account `uid` only, in a new root-owned folder
    that no other account can write; removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="airclass-handoff-"))
    try:
        os.chmod(folder, 0o711)
        path = folder / name
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o400)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            os.fchown(fh.fileno(), uid, -1)
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)
