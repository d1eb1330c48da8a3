"""How the Voila dashboard services are locked down.

The dashboard account can read every course's gradebook, so a visitor must get the
rendered page and its widgets — nothing else: no JupyterLab, no terminals, no contents
API, and no code execution. The row-level scope (a city manager's city) is decided in
airclass.dashboards.viewer's prelaunch hook on the server, from the hub identity.
"""

from __future__ import annotations

from jupyter_server.auth.authorizer import Authorizer
from jupyter_server.services.kernels.handlers import KernelHandler
from jupyter_server.services.kernels.websocket import KernelWebsocketHandler

# The browser side of a Voila page only needs widget comms. Voila executes the notebook
# itself, server-side, so execute_request from a browser is never legitimate here.
WIDGET_MESSAGE_TYPES = [
    "comm_open",
    "comm_msg",
    "comm_close",
    "comm_info_request",
    "kernel_info_request",
]


class VoilaOnlyAuthorizer(Authorizer):
    """Allow Voila's pages and the kernel websocket its widgets use; refuse the rest.

    The websocket only carries widget comms (WIDGET_MESSAGE_TYPES), and the kernel list
    stays refused, so a visitor cannot learn other kernels' ids: each page reaches only
    the kernel Voila started for it.
    """

    def is_authorized(self, handler, user, action, resource) -> bool:
        allowed = (
            type(handler).__module__.startswith("voila.")
            or (isinstance(handler, KernelWebsocketHandler) and resource == "kernels")
            # the page reads its own kernel's model by id (the list stays refused)
            or (isinstance(handler, KernelHandler) and action == "read")
        )
        if not allowed:
            self.log.warning("dashboard: refused %s %s via %s", action, resource, type(handler).__name__)
        return allowed


SERVER_CONFIG = """\
# Written by airclass (airclass/system/layout.py) for the Voila dashboard services.
from airclass.services.dashboard_server import VoilaOnlyAuthorizer, WIDGET_MESSAGE_TYPES
from airclass.dashboards.viewer import voila_prelaunch_hook

c = get_config()  # noqa: F821
c.VoilaConfiguration.prelaunch_hook = voila_prelaunch_hook
c.VoilaConfiguration.show_tracebacks = False
c.ServerApp.authorizer_class = VoilaOnlyAuthorizer
c.ServerApp.terminals_enabled = False
c.MappingKernelManager.allowed_message_types = WIDGET_MESSAGE_TYPES
c.ServerApp.jpserver_extensions = {
    "voila": True,
    "jupyterlab": False,
    "notebook": False,
    "notebook_shim": False,
    "jupyter_lsp": False,
    "jupyter_server_terminals": False,
    "nbgrader.server_extensions.assignment_list": False,
    "nbgrader.server_extensions.course_list": False,
    "nbgrader.server_extensions.formgrader": False,
    "nbgrader.server_extensions.validate_assignment": False,
}
"""


def warm_cache(settings) -> str | None:
    """Rebuild the dashboards' progress table now, as the dashboard account, so the next
    manager page renders from a current cache (at provincial scale a cold build takes
    seconds). Returns a warning instead of raising: grading must not fail over this."""
    import pwd
    import shutil
    import subprocess

    from airclass.system.accounts import SYSTEM_PATH, SYSTEM_SERVICE_USERS

    dash_user = SYSTEM_SERVICE_USERS[0]
    try:
        home = pwd.getpwnam(dash_user).pw_dir
    except KeyError:
        return f"{dash_user} does not exist; dashboards not deployed"
    env = {"PATH": f"{settings.runtime_prefix / 'bin'}:{SYSTEM_PATH}", "HOME": home, "LANG": "C.UTF-8"}
    if settings.source:
        env["AIRCLASS_SETTINGS"] = str(settings.source)
    runuser = shutil.which("runuser", path=SYSTEM_PATH) or "runuser"
    proc = subprocess.run(
        [
            runuser,
            "-u",
            dash_user,
            "--",
            settings.runtime_bin("python"),
            "-m",
            "airclass.services.dashboard_server",
        ],
        env=env,
        cwd="/",
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        return f"dashboard cache not refreshed: {proc.stderr.strip()[-500:]}"
    return None


# --- the refresher: dashboards' first screens rebuilt outside the render --------------------


def manager_scopes(platform_db) -> list:
    """One viewer per manager scope present in the roster: the province (if there is a
    provincial manager) and each city that has a city manager."""
    from airclass.core.platform_db import managers
    from airclass.dashboards.viewer import Viewer

    scopes: dict[str, Viewer] = {}
    for row in managers(platform_db):
        user_id, city, level = row["user_id"], row["city"], row["level"]
        viewer = Viewer(user_id=user_id, role="manager", city=city or "", level=level or "")
        if viewer.is_province_manager:
            scopes.setdefault("province", viewer)
        elif viewer.is_city_manager:
            scopes.setdefault(f"city:{viewer.city}", viewer)
    return list(scopes.values())


def refresh_pass(settings, cache=None, now=None) -> dict:
    """Rebuild the progress table if its sources changed, then the first screen of every
    manager scope (each only if not current). Returns what it did and how long it took."""
    import datetime as dt
    import time

    from airclass.dashboards import pages as dashboards
    from airclass.progress import table as progress
    from airclass.progress.cache import ProgressCache

    cache = cache if cache is not None else ProgressCache()
    now = now or dt.datetime.now(dt.UTC)
    t0 = time.perf_counter()
    courses = progress.deployed_courses(settings)
    books = progress.gradebook_urls(settings, courses)
    cache.table(settings.platform_db_url, courses, books, now, stale_for=0)
    t_table = time.perf_counter() - t0
    scopes = manager_scopes(settings.platform_db_url)
    for viewer in scopes:
        # recomputed at half the dashboards' max age, so a render never finds one expired
        dashboards.manager_first_screen(
            settings, viewer, now, cache, courses, max_age=dashboards.SCREEN_MAX_AGE / 2, stale_for=0
        )
    return {
        "scopes": [dashboards.scope(v)[1] for v in scopes],
        "table_s": t_table,
        "total_s": time.perf_counter() - t0,
    }


def refresh_loop(every: float, load_settings=None, cache=None, stop=None, log=None) -> None:
    """Every `every` seconds: when the sources' signature changed (or the first screens
    are half their max age old), run `refresh_pass`. Errors are logged and retried at the
    next tick; returns when `stop` (a threading.Event; set by SIGTERM/SIGINT when run as a
    program) is set."""
    import logging
    import threading
    import time

    from airclass.core.settings import load
    from airclass.dashboards import pages as dashboards
    from airclass.progress import table as progress
    from airclass.progress.cache import ProgressCache, source_signature

    log = log or logging.getLogger("airclass.refresher")
    load_settings = load_settings or load
    cache = cache if cache is not None else ProgressCache()
    stop = stop or threading.Event()
    last_signature, last_pass = None, float("-inf")
    while not stop.is_set():
        try:
            settings = load_settings()
            courses = progress.deployed_courses(settings)
            books = progress.gradebook_urls(settings, courses)
            signature = source_signature(settings.platform_db_url, courses, books)
            aged = time.monotonic() - last_pass >= dashboards.SCREEN_MAX_AGE / 2
            if signature != last_signature or aged:
                done = refresh_pass(settings, cache)
                last_signature, last_pass = signature, time.monotonic()
                log.info(
                    "refreshed %s in %.2f s (table %.2f s)",
                    ", ".join(done["scopes"]) or "no manager scopes",
                    done["total_s"],
                    done["table_s"],
                )
        except Exception:
            log.exception("dashboard refresh failed; retrying in %s s", every)
        stop.wait(every)


def main(argv=None) -> int:
    import argparse
    import logging
    import signal
    import threading

    parser = argparse.ArgumentParser(
        prog="python -m airclass.services.dashboard_server",
        description="Without arguments: one warm-up pass of the dashboards' cache (progress table "
        "and managers' first screens). With --refresh-every: keep them current.",
    )
    parser.add_argument("--refresh-every", type=float, metavar="SECONDS")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    if args.refresh_every is None:
        from airclass.core.settings import load

        refresh_pass(load())
        return 0
    if args.refresh_every <= 0:
        parser.error("--refresh-every must be > 0")
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    refresh_loop(args.refresh_every, stop=stop)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
