"""Requests from a course's formgrader to the grading service: "autograde this submission".

nbgrader's formgrader runs as `grader-<course>`, the account that owns the gradebook, the
solutions and every cadre's submission; its Autograde button would run the cadre's code
right there (nbgrader #483). So the button only files a request here
(airclass.services.formgrader_autograde) and waits for the answer; the grading service,
which runs as root and can start sandboxes, grades the submission in the sandbox pool
(grader/batch.py) and answers.

The spool is `<course root>/.airclass-regrade/`, owned by the grader account (group: the
course's, like the whole course root):
    <assignment>+<student>+<nonce>            a request (empty; only its name counts)
    <assignment>+<student>+<nonce>.result     the answer, JSON, written by root
Root never follows a link here: the folder is opened with O_NOFOLLOW and must belong to
the grader account and not be writable by all; names are parsed, never their contents;
answers are created with O_EXCL | O_NOFOLLOW inside that open folder.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import stat
from pathlib import Path

from airclass.core import names

SPOOL = ".airclass-regrade"
RESULT = ".result"
_REQUEST = re.compile(
    r"^(?P<assignment>[A-Za-z0-9_.-]{1,64})\+(?P<student>[^+/]{1,64})\+(?P<nonce>[0-9a-f]{16})$"
)


def spool_dir(course_root: Path) -> Path:
    return Path(course_root) / SPOOL


# --- the formgrader's side (runs as grader-<course>) -------------------------------------


def file_request(course_root: Path, assignment: str, student: str) -> str:
    """File a request and return its name (to wait for its answer with `take_result`)."""
    name = f"{assignment}+{student}+{secrets.token_hex(8)}"
    if not _REQUEST.match(name) or not names.USERNAME.match(student):
        raise ValueError(f"不是有效的作业或学员编号：{assignment!r} / {student!r}")
    folder = spool_dir(course_root)
    folder.mkdir(mode=0o700, exist_ok=True)
    os.close(os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    return name


def take_result(course_root: Path, name: str) -> dict | None:
    """The answer to request `name`, removed once read; None while it is pending."""
    path = spool_dir(course_root) / (name + RESULT)
    try:
        answer = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        answer = {"success": False, "error": "评分服务的答复无法读取。"}
    path.unlink(missing_ok=True)
    return answer


def withdraw(course_root: Path, name: str) -> None:
    """Give up waiting: the request is removed (the service may still be grading it)."""
    for entry in (name, name + RESULT):
        (spool_dir(course_root) / entry).unlink(missing_ok=True)


# --- the grading service's side (runs as root) --------------------------------------------


class Spool:
    """The spool folder of one course, opened by root without following links; use as a
    context manager. Refuses (OSError) a folder that is a link, or that is not owned by
    the grader account, or that everyone may write to. (The course group — trainers — may
    write there, as `fix_course_permissions` sets for the whole course root: a planted
    entry is only a name, and answers are new files.)"""

    def __init__(self, course_root: Path, grader_uid: int):
        self.path = spool_dir(course_root)
        self.grader_uid = grader_uid
        self.fd = -1

    def __enter__(self) -> Spool:
        self.fd = os.open(self.path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        info = os.fstat(self.fd)
        if info.st_uid != self.grader_uid or info.st_mode & stat.S_IWOTH:
            os.close(self.fd)
            raise PermissionError(f"{self.path}: must belong to the grader account, not writable by all")
        return self

    def __exit__(self, *exc) -> None:
        os.close(self.fd)

    def requests(self) -> list[tuple[str, str, str]]:
        """(name, assignment, student) of each request without an answer, oldest name first."""
        entries = set(os.listdir(self.fd))
        out = []
        for name in sorted(entries):
            match = _REQUEST.match(name)
            if match and name + RESULT not in entries and names.USERNAME.match(match["student"]):
                out.append((name, match["assignment"], match["student"]))
        return out

    def answer(self, name: str, result: dict) -> None:
        """Write the answer to request `name` (a new file, given to the grader account) and
        remove the request."""
        try:
            fd = os.open(
                name + RESULT, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600, dir_fd=self.fd
            )
        except FileExistsError:
            return  # answered already
        try:
            os.fchown(fd, self.grader_uid, -1)
            os.write(fd, json.dumps(result, ensure_ascii=False).encode("utf-8"))
        finally:
            os.close(fd)
        try:
            os.unlink(name, dir_fd=self.fd)
        except FileNotFoundError:
            pass
