"""The runtime environment every hub process runs from (hub, user servers, graders, services).

It is a venv built from Debian's world-readable /usr/bin/python3 in a world-readable prefix
(default /opt/airclass/env), with airclass installed NON-editable: cadre accounts must be
able to execute it, and they cannot read /root or, in general, a developer's checkout.
`ensure_runtime` is idempotent: it rebuilds only what changed since the last run.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

SYSTEM_PYTHON = "/usr/bin/python3"
LAB_OVERRIDES = {
    "@jupyterlab/translation-extension:plugin": {"locale": "zh_CN"},
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
}


class RuntimeSetupError(RuntimeError):
    pass


def _say(message: str) -> None:
    print(f"[airclass] {message}", file=sys.stderr, flush=True)


def source_fingerprint(project: Path) -> str:
    """Hash of what the runtime install depends on: pyproject and the two packages."""
    digest = hashlib.sha256()
    files = [
        project / "pyproject.toml",
        *sorted((project / "airclass").rglob("*")),
        *sorted((project / "grader").rglob("*")),
    ]
    for path in files:
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(project)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _run(cmd: list[str], what: str) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeSetupError(
            f"{what} failed ({' '.join(cmd)}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        )


def ensure_proxy() -> str:
    """configurable-http-proxy (the Node reference implementation), installed with npm if missing."""
    found = shutil.which("configurable-http-proxy")
    if found:
        return found
    if not shutil.which("npm"):
        raise RuntimeSetupError(
            "configurable-http-proxy is missing and npm is not installed: install Node.js "
            "(apt-get install nodejs npm) and run this again"
        )
    _say("installing configurable-http-proxy with npm …")
    _run(["npm", "install", "--global", "configurable-http-proxy@5"], "npm install")
    found = shutil.which("configurable-http-proxy")
    if not found:
        raise RuntimeSetupError("npm installed configurable-http-proxy but it is not on PATH")
    return found


def ensure_cjk_fonts() -> None:
    """Chinese fonts (Debian's fonts-noto-cjk), for 结业证书 PDFs and charts."""
    listed = subprocess.run(["fc-list", ":lang=zh-cn", "file"], capture_output=True, text=True)
    if listed.returncode == 0 and "CJK" in listed.stdout:
        return
    if not shutil.which("apt-get"):
        raise RuntimeSetupError(
            "no Chinese font found: install Noto CJK fonts (fonts-noto-cjk) and run this again"
        )
    _say("installing Chinese fonts (fonts-noto-cjk) …")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "fonts-noto-cjk"]):
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
        if proc.returncode != 0:
            raise RuntimeSetupError(f"{' '.join(cmd)} failed:\n{proc.stderr[-2000:]}")


def ensure_bubblewrap() -> str:
    """bubblewrap, the grading sandbox (grader/sandbox.py), installed with apt if missing."""
    found = shutil.which("bwrap", path="/usr/bin:/bin")
    if found:
        return found
    if not shutil.which("apt-get"):
        raise RuntimeSetupError("bubblewrap (bwrap) is missing: install it with your package manager")
    _say("installing bubblewrap with apt-get …")
    _run(["apt-get", "install", "-y", "-qq", "bubblewrap"], "apt-get install bubblewrap")
    return shutil.which("bwrap", path="/usr/bin:/bin") or "bwrap"


def ensure_runtime(prefix: Path, project: Path, extras: str = "") -> Path:
    """Create or refresh the runtime venv at `prefix` with `project` installed into it."""
    prefix = Path(prefix)
    python = prefix / "bin" / "python"
    if not python.exists():
        if not Path(SYSTEM_PYTHON).exists():
            raise RuntimeSetupError(f"{SYSTEM_PYTHON} not found: install Debian's python3 and python3-venv")
        _say(f"creating the runtime environment {prefix} …")
        prefix.parent.mkdir(parents=True, exist_ok=True)
        _run([SYSTEM_PYTHON, "-m", "venv", str(prefix)], "python3 -m venv")
    marker = prefix / ".airclass-source"
    fingerprint = source_fingerprint(project)
    try:
        installed = json.loads(marker.read_text())
    except (OSError, ValueError):
        installed = {}
    # Up to date when the source is the same and the extras asked for are already there
    # (the tests install "test"; the hub only needs the base).
    have = {e for e in installed.get("extras", "").split(",") if e}
    asked = {e for e in extras.split(",") if e}
    if installed.get("fingerprint") != fingerprint or not asked <= have:
        extras = ",".join(sorted(have | asked))
        wanted = json.dumps({"fingerprint": fingerprint, "extras": extras})
        _say(f"installing airclass into {prefix} (non-editable) …")
        target = f"{project}[{extras}]" if extras else str(project)
        _run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--upgrade",
                "--force-reinstall",
                "--no-deps",
                target,
            ],
            "pip install airclass",
        )
        _run(
            [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", target],
            "pip install airclass dependencies",
        )
        marker.write_text(wanted)
    settings_dir = prefix / "share" / "jupyter" / "lab" / "settings"
    settings_dir.mkdir(parents=True, exist_ok=True)
    (settings_dir / "overrides.json").write_text(json.dumps(LAB_OVERRIDES, indent=2))
    _make_world_readable(prefix)
    return prefix


def _make_world_readable(prefix: Path) -> None:
    """Cadre accounts run this environment; nothing in it may be private to root."""
    for folder in (prefix, *prefix.parents):
        if str(folder) == "/":
            break
        mode = folder.stat().st_mode
        if not mode & 0o005 == 0o005:
            os.chmod(folder, mode | 0o055)
    _run(["chmod", "-R", "a+rX", str(prefix)], "chmod runtime")
