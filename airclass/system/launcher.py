"""Start JupyterHub and its proxy from the runtime environment, in the foreground.

The proxy (configurable-http-proxy) runs as its own process, started here and not by the
hub, so that restarting the hub (SIGTERM, start again) does not cut cadres off: the proxy
keeps routing to their servers, which run in their own sessions and keep their kernels.
TLJH runs its proxy as a separate service for the same reason. `hub.stop_servers_with_hub`
(the demo) makes a stop end everything: servers (by the hub) and the proxy (here).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from airclass.core.settings import Settings
from airclass.system import layout

PROJECT = Path(__file__).resolve().parents[2]  # the checkout: airclass/system/launcher.py
EXTERNAL_PROXY_ENV = "AIRCLASS_EXTERNAL_PROXY"  # tells the hub config the proxy runs apart
PROXY_API_OFFSET = 90  # the proxy's REST API listens on service_port_base + 90


def proxy_api_url(settings: Settings) -> str:
    return f"http://127.0.0.1:{settings['hub']['service_port_base'] + PROXY_API_OFFSET}"


def proxy_token(settings: Settings) -> str:
    return layout.hub_secret(settings, "proxy_token")


def proxy_pid_file(settings: Settings) -> Path:
    return settings.hub_dir / "proxy.pid"


def proxy_command(settings: Settings) -> list[str]:
    hub = settings["hub"]
    api_port = settings["hub"]["service_port_base"] + PROXY_API_OFFSET
    return [
        shutil.which("configurable-http-proxy") or "configurable-http-proxy",
        "--ip",
        hub["ip"],
        "--port",
        str(hub["port"]),
        "--api-ip",
        "127.0.0.1",
        "--api-port",
        str(api_port),
        "--error-target",
        f"http://127.0.0.1:{hub['hub_port']}/hub/error",
        "--log-level",
        "warn",
    ]


def running_proxy(settings: Settings) -> int | None:
    """Pid of this platform's proxy if it runs (checked by its command line, not just the pid)."""
    try:
        pid = int(proxy_pid_file(settings).read_text().strip())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except (FileNotFoundError, ValueError, ProcessLookupError):
        return None
    wanted = f"{settings['hub']['service_port_base'] + PROXY_API_OFFSET}".encode()
    if any(b"configurable-http-proxy" in part for part in cmdline) and wanted in cmdline:
        return pid
    return None


def _api_answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=2)
    except urllib.error.HTTPError:
        return True  # 403 without the token: it is listening
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False
    return True


def ensure_proxy_running(settings: Settings, timeout: float = 30) -> int:
    """Start the proxy in its own session unless it already runs; return its pid."""
    pid = running_proxy(settings)
    if pid:
        return pid
    settings.hub_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, CONFIGPROXY_AUTH_TOKEN=proxy_token(settings))
    with open(settings.hub_dir / "proxy.log", "ab") as log:
        proc = subprocess.Popen(
            proxy_command(settings),
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    proxy_pid_file(settings).write_text(str(proc.pid))
    deadline = time.monotonic() + timeout
    while not _api_answers(proxy_api_url(settings) + "/api/routes"):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(
                f"configurable-http-proxy did not start (see {settings.hub_dir / 'proxy.log'})"
            )
        time.sleep(0.2)
    return proc.pid


def forget_hub_route(settings: Settings) -> None:
    """Drop the proxy's route to the hub ("/"), keeping the routes to cadres' servers.

    A restarted hub adds it back once it has started its services; until then the login
    page is not served, so "login page answers" keeps meaning "the hub is fully up".
    """
    request = urllib.request.Request(
        proxy_api_url(settings) + "/api/routes/",
        method="DELETE",
        headers={"Authorization": f"token {proxy_token(settings)}"},
    )
    try:
        urllib.request.urlopen(request, timeout=10).close()
    except urllib.error.HTTPError as exc:
        if exc.code != 404:
            raise


def stop_proxy(settings: Settings, timeout: float = 10) -> None:
    pid = running_proxy(settings)
    if pid is None:
        return
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    if Path(f"/proc/{pid}").exists():
        os.kill(pid, signal.SIGKILL)
    proxy_pid_file(settings).unlink(missing_ok=True)


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
    env[EXTERNAL_PROXY_ENV] = "1"
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
    if running_proxy(settings):
        forget_hub_route(settings)
    else:
        ensure_proxy_running(settings)
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
        if settings["hub"]["stop_servers_with_hub"]:
            stop_proxy(settings)
        else:
            print(
                "cadres' servers and the proxy keep running; `airclass hub` takes them over again",
                file=sys.stderr,
            )
