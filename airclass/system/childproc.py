"""How airclass starts processes as other accounts: one environment recipe, one `runuser`.

Every child (user servers, hub services, nbgrader as a grader account, the dashboard
refresher) runs from the runtime environment with a UTF-8 locale and a minimal PATH;
nothing of root's own environment leaks into processes that lower accounts control.
"""

from __future__ import annotations

import pwd
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from airclass.core.settings import Settings

SYSTEM_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"
USER_PATH = "/usr/local/bin:/usr/bin:/bin"


def child_env(
    settings: Settings, user: str | None = None, *, reads_settings: bool = True, **extra: str
) -> dict[str, str]:
    """Environment for a child process; with `user`, also its HOME and USER.

    `reads_settings=False` for processes of cadres and trainers: the settings file is not
    theirs to read (it may hold the SSO secret), so they are not pointed at it.
    """
    env = {
        "PATH": f"{settings.runtime_prefix / 'bin'}:{USER_PATH}",
        "LANG": "C.UTF-8",
    }
    if settings.source and reads_settings:
        env["AIRCLASS_SETTINGS"] = str(settings.source)
    if user is not None:
        env["HOME"] = pwd.getpwnam(user).pw_dir
        env["USER"] = user
    env.update(extra)
    return env


def system_tool(name: str) -> str:
    """A system tool (useradd, runuser …), found even when sbin is not on PATH."""
    return shutil.which(name, path=SYSTEM_PATH) or name


def run_as(
    user: str,
    cmd: Sequence[str],
    env: Mapping[str, str],
    cwd: Path | str | None = None,
    timeout: float | None = None,
) -> subprocess.CompletedProcess:
    """Run `cmd` as `user` (root only) with exactly `env`; output captured as text."""
    return subprocess.run(
        [system_tool("runuser"), "-u", user, "--", *cmd],
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
