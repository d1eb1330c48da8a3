"""The dashboard refresher: rebuilds the progress table and managers' first screens
outside the page render, as the dashboard account.

    python -m airclass.services.dashboard_refresher                   one warm-up pass
    python -m airclass.services.dashboard_refresher --refresh-every S keep them current (hub service)
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import signal
import threading
import time

from airclass.core import deployed, names
from airclass.core.platform_db import PlatformDB
from airclass.core.settings import Settings, load
from airclass.dashboards import first_screen
from airclass.dashboards.viewer import Viewer
from airclass.progress.cache import ProgressCache
from airclass.system import childproc


def warm_cache(settings: Settings) -> str | None:
    """Rebuild the dashboards' progress table now, as the dashboard account, so the next
    manager page renders from a current cache (at provincial scale a cold build takes
    seconds). Returns a warning instead of raising: grading must not fail over this."""
    try:
        env = childproc.child_env(settings, names.DASH_USER)
    except KeyError:
        return f"{names.DASH_USER} does not exist; dashboards not deployed"
    proc = childproc.run_as(
        names.DASH_USER,
        [settings.runtime_bin("python"), "-m", "airclass.services.dashboard_refresher"],
        env,
        cwd="/",
    )
    if proc.returncode != 0:
        return f"dashboard cache not refreshed: {proc.stderr.strip()[-500:]}"
    return None


def manager_scopes(platform_db) -> list[Viewer]:
    """One viewer per manager scope present in the roster: the province (if there is a
    provincial manager) and each city that has a city manager."""
    with PlatformDB(platform_db) as db:
        managers = db.people(role="manager")
    scopes: dict[str, Viewer] = {}
    for person in managers:
        viewer = Viewer(
            user_id=person["user_id"], role="manager", city=person["city"] or "", level=person["level"] or ""
        )
        if viewer.is_province_manager:
            scopes.setdefault("province", viewer)
        elif viewer.is_city_manager:
            scopes.setdefault(f"city:{viewer.city}", viewer)
    return list(scopes.values())


def refresh_pass(settings: Settings, cache: ProgressCache | None = None, now=None) -> dict:
    """Rebuild the progress table if its sources changed, then the first screen of every
    manager scope (each only if not current). Returns what it did and how long it took."""

    cache = cache if cache is not None else ProgressCache()
    now = now or dt.datetime.now(dt.UTC)
    t0 = time.perf_counter()
    courses = deployed.deployed_courses(settings)
    books = deployed.gradebook_urls(settings, courses)
    cache.table(settings.platform_db_url, courses, books, now, stale_for=0)
    t_table = time.perf_counter() - t0
    scopes = manager_scopes(settings.platform_db_url)
    for viewer in scopes:
        # recomputed at half the dashboards' max age, so a render never finds one expired
        first_screen.manager_first_screen(
            settings,
            viewer,
            now,
            cache,
            courses,
            max_age=first_screen.SCREEN_MAX_AGE / 2,
            stale_for=0,
            trust_signature_for=0,  # the refresher is what renders trust: it always asks
        )
    return {
        "scopes": [first_screen.scope(v)[1] for v in scopes],
        "table_s": t_table,
        "total_s": time.perf_counter() - t0,
    }


def refresh_loop(every: float, load_settings=None, cache=None, stop=None, log=None) -> None:
    """Every `every` seconds: when the sources' signature changed (or the first screens
    are half their max age old), run `refresh_pass`. Errors are logged and retried at the
    next tick; returns when `stop` (a threading.Event; set by SIGTERM/SIGINT when run as a
    program) is set."""

    log = log or logging.getLogger("airclass.refresher")
    load_settings = load_settings or load
    cache = cache if cache is not None else ProgressCache()
    stop = stop or threading.Event()
    last_signature, last_pass = None, float("-inf")
    while not stop.is_set():
        try:
            settings = load_settings()
            courses = deployed.deployed_courses(settings)
            books = deployed.gradebook_urls(settings, courses)
            # published in the cache folder: renders until the next tick trust it
            signature = cache.signature(settings.platform_db_url, courses, books, dt.datetime.now(dt.UTC))
            aged = time.monotonic() - last_pass >= first_screen.SCREEN_MAX_AGE / 2
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
    parser = argparse.ArgumentParser(
        prog="python -m airclass.services.dashboard_refresher",
        description="Without arguments: one warm-up pass of the dashboards' cache (progress table "
        "and managers' first screens). With --refresh-every: keep them current.",
    )
    parser.add_argument("--refresh-every", type=float, metavar="SECONDS")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    if args.refresh_every is None:
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
