"""Unix accounts and groups behind hub users.

One unix user per hub user, named exactly like the hub user: nbgrader identifies a
student by the unix account it runs as. Every account airclass creates is put in the
platform group (default `airclass-users`); an existing account outside that group is
never used for a hub user, so a hub user called `root` or `www-data` cannot spawn as it.

Course groups `ac-<course>` hold the course's grader account and its trainers: they own
read access to the course directory (source, gradebook, submissions, hidden tests).
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import subprocess
from pathlib import Path

from airclass.core.names import USERNAME
from airclass.system.childproc import system_tool
from airclass.system.safe_fs import own_tree


class AccountError(RuntimeError):
    pass


def require_root(action: str) -> None:
    if os.geteuid() != 0:
        raise AccountError(
            f"{action} needs root: airclass creates one unix account per cadre so that nbgrader "
            "and file permissions keep cadres apart. Run it as root (sudo)."
        )


def _run(cmd: list[str]) -> None:
    """Run a system tool (useradd, groupadd …), found even when sbin is not on PATH."""
    cmd = [system_tool(cmd[0]), *cmd[1:]]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise AccountError(f"{' '.join(cmd)} failed: {proc.stderr.strip()}")


def group_exists(name: str) -> bool:
    try:
        grp.getgrnam(name)
        return True
    except KeyError:
        return False


def user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def ensure_group(name: str) -> None:
    if not group_exists(name):
        _run(["groupadd", "--force", name])


def groups_of(name: str) -> set[str]:
    """Supplementary and primary group names of a unix user."""
    entry = pwd.getpwnam(name)
    names = {g.gr_name for g in grp.getgrall() if name in g.gr_mem}
    names.add(grp.getgrgid(entry.pw_gid).gr_name)
    return names


def ensure_user(name: str, platform_group: str, extra_groups: tuple[str, ...] = ()) -> pwd.struct_passwd:
    """Create (or adopt) the unix account for hub user `name`, home mode 0700.

    Refuses an existing account that airclass did not create (not in `platform_group`).
    """
    if not USERNAME.match(name):
        raise AccountError(
            f"'{name}' cannot be a unix account name: use 2-31 lowercase letters, digits, - or _, "
            "starting with a letter"
        )
    ensure_group(platform_group)
    for group in extra_groups:
        ensure_group(group)
    if user_exists(name):
        if platform_group not in groups_of(name):
            raise AccountError(
                f"unix account '{name}' already exists and was not created by airclass "
                f"(not in group {platform_group}); refusing to run a hub server as it"
            )
    else:
        _run(
            [
                "useradd",
                "--create-home",
                "--shell",
                "/bin/bash",
                "--user-group",
                "--groups",
                ",".join((platform_group, *extra_groups)),
                name,
            ]
        )
    for group in extra_groups:
        if group not in groups_of(name):
            _run(["usermod", "--append", "--groups", group, name])
    entry = pwd.getpwnam(name)
    os.chmod(entry.pw_dir, 0o700)
    return entry


def delete_user(name: str) -> None:
    """Remove an airclass account and its home (used by tests and roster clean-up)."""
    if user_exists(name):
        _run(["userdel", "--remove", name])
        home = Path("/home") / name
        if home.exists():
            shutil.rmtree(home, ignore_errors=True)
    if group_exists(name):
        subprocess.run(["groupdel", name], capture_output=True, check=False)


def chown_tree(path: Path, user: str, group: str) -> None:
    """chown a tree a lower account may have planted links in, never through a link."""
    own_tree(Path(path), pwd.getpwnam(user).pw_uid, grp.getgrnam(group).gr_gid)
