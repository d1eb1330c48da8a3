"""Start JupyterHub (with its proxy) from the runtime environment, in the foreground."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from airclass.core.settings import Settings

PROJECT = Path(__file__).resolve().parents[2]  # the checkout: airclass/system/launcher.py


def hub_config_file() -> Path:
    path = PROJECT / "hub_config" / "jupyterhub_config.py"
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} not found: run airclass from a checkout installed with `pip install -e .`"
        )
    return path


def hub_command(settings: Settings) -> list[str]:
    return [settings.runtime_bin("jupyterhub"), "-f", str(hub_config_file())]


def hub_env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{settings.runtime_prefix / 'bin'}:{env.get('PATH', '/usr/bin:/bin')}"
    if settings.source:
        env["AIRCLASS_SETTINGS"] = str(settings.source)
    return env


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_hub(settings: Settings, log_path: Path | None = None) -> subprocess.Popen:
    """Start the hub in its own session, so a terminal's Ctrl-C reaches only us.

    Its stdin is not the terminal and SIGINT is at its default: otherwise every
    jupyter-server it starts (user servers, formgraders, dashboards) asks "Shutdown this
    Jupyter server (y/[n])?" on SIGINT, or ignores it, and each stop waits out the
    spawner's 10-second interrupt timeout.
    """
    out = open(log_path, "ab") if log_path else None  # noqa: SIM115 — handed to the child
    return subprocess.Popen(
        hub_command(settings),
        cwd=settings.hub_dir,
        env=hub_env(settings),
        stdin=subprocess.DEVNULL,
        stdout=out,
        stderr=subprocess.STDOUT if out else None,
        start_new_session=True,
        preexec_fn=_default_sigint,
    )


def login_url(settings: Settings) -> str:
    return f"http://{settings['hub']['ip']}:{settings['hub']['port']}/hub/login"


def wait_for_login_page(settings: Settings, proc: subprocess.Popen, timeout: float = 120) -> float:
    """Block until the login page answers 200; return seconds waited."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"the hub exited with code {proc.returncode} before serving")
        try:
            with urllib.request.urlopen(login_url(settings), timeout=5) as resp:
                if resp.status == 200:
                    return time.monotonic() - start
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise TimeoutError(f"the hub did not serve {login_url(settings)} within {timeout:.0f} s")


def stop_hub(proc: subprocess.Popen, timeout: float = 90) -> None:
    """SIGTERM the hub's whole process group, then SIGKILL what is left."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        except ProcessLookupError:
            pass


def _stop_on_signals() -> None:
    """Ctrl-C and SIGTERM both end the hub cleanly (SIGINT may arrive ignored when started
    from a script in the background; restore it)."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)


def run_foreground(settings: Settings, banner: str = "") -> int:
    _stop_on_signals()
    proc = start_hub(settings)
    try:
        waited = wait_for_login_page(settings, proc)
        print(f"\n空中课堂 is serving at {login_url(settings)} (ready in {waited:.0f} s)", flush=True)
        if banner:
            print(banner, flush=True)
        print("Press Ctrl-C to stop.", flush=True)
        return proc.wait()
    except KeyboardInterrupt:
        print("\nstopping the hub …", file=sys.stderr)
        return 0
    finally:
        stop_hub(proc)
