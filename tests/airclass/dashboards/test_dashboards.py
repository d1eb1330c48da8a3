"""Manager first screen outside Voila (airclass.dashboards.first_screen), stale-while-revalidate in
ProgressCache, and the refresher (airclass.services.dashboard_refresher --refresh-every)."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from airclass.core.platform_db import PlatformDB
from airclass.core.settings import Settings, validate
from airclass.dashboards import first_screen as dashboards
from airclass.dashboards.viewer import Viewer
from airclass.progress.cache import ProgressCache
from airclass.services import dashboard_refresher
from tests.airclass.progress.test_progress import NOW, make_classroom, utc
from tests.paths import REPO

PROVINCE = Viewer("m1", "manager", "济南", "province")
JINAN = Viewer("m2", "manager", "济南", "city")


@pytest.fixture
def classroom(tmp_path):
    """A classroom of our own: these tests change its data."""
    return make_classroom(tmp_path / "data")


@pytest.fixture
def settings(classroom):
    return Settings(validate({"data_dir": str(classroom.root)}), None)


def sources(classroom):
    return classroom.platform_db, classroom.courses, classroom.gradebooks


def complete_lesson(classroom, user="c5", lesson="l1"):
    with PlatformDB(classroom.platform_db) as db:
        db.record_completion(user, "labor-law", lesson, utc(2026, 3, 20, 3))


def done(table, user, item) -> bool:
    return bool(table[(table["user_id"] == user) & (table["item_id"] == item)]["done"].iloc[0])


def test_stale_table_served_within_stale_for_then_rebuilt(classroom, tmp_path):
    cache = ProgressCache(tmp_path / "cache", stale_for=300)
    first, made = cache.table_made(*sources(classroom), NOW)
    assert cache.counts["table:built"] == 1 and made == NOW
    assert not done(first, "c5", "l1")
    complete_lesson(classroom)

    stale, stale_made = cache.table_made(*sources(classroom), NOW + dt.timedelta(minutes=2))
    assert cache.counts["table:stale"] == 1 and stale_made == NOW
    assert not done(stale, "c5", "l1")
    # overdue is still recomputed for the new clock
    assert "overdue" in stale.columns

    # stale_for=0 (the default) never serves stale entries
    fresh = ProgressCache(tmp_path / "cache").table(*sources(classroom), NOW + dt.timedelta(minutes=2))
    assert done(fresh, "c5", "l1")


def test_stale_table_too_old_is_rebuilt(classroom, tmp_path):
    cache = ProgressCache(tmp_path / "cache", stale_for=300)
    cache.table(*sources(classroom), NOW)
    complete_lesson(classroom)
    table, made = cache.table_made(*sources(classroom), NOW + dt.timedelta(minutes=6))
    assert cache.counts["table:built"] == 2 and cache.counts["table:stale"] == 0
    assert made == NOW + dt.timedelta(minutes=6) and done(table, "c5", "l1")


def test_stale_view_within_stale_for_then_rebuilt(classroom, tmp_path):
    cache = ProgressCache(tmp_path / "cache", stale_for=300)
    assert cache.derived("k", *sources(classroom), NOW, lambda: "old") == ("old", NOW)
    complete_lesson(classroom)
    later = NOW + dt.timedelta(minutes=4)
    assert cache.derived("k", *sources(classroom), later, lambda: "new") == ("old", NOW)
    assert cache.counts["view:stale"] == 1
    # another key is not a stand-in
    assert cache.derived("other", *sources(classroom), later, lambda: "x") == ("x", later)
    # without stale_for (the default), or once too old: recomputed
    assert (
        ProgressCache(tmp_path / "cache").derived("k", *sources(classroom), later, lambda: "new")[0] == "new"
    )
    complete_lesson(classroom, lesson="l2")
    too_late = NOW + dt.timedelta(minutes=10)
    assert cache.derived("k", *sources(classroom), too_late, lambda: "newer") == ("newer", too_late)
    # a view of the current sources still expires after max_age, never served stale
    assert cache.derived("k", *sources(classroom), too_late + dt.timedelta(minutes=11), lambda: 3)[0] == 3


def test_manager_first_screen_outside_voila(settings, tmp_path):
    cache = ProgressCache(tmp_path / "cache")
    screen, made = dashboards.manager_first_screen(settings, JINAN, NOW, cache)
    assert made == NOW and cache.counts["view:built"] == 1
    assert "李四" in screen["html"] and "报名学员" in screen["html"]
    for other in ("王五", "孙七", "青岛", "淄博"):
        assert other not in screen["html"], other
    assert set(screen["unions"]) == {"", "济南"}
    province, _ = dashboards.manager_first_screen(settings, PROVINCE, NOW, cache)
    assert "孙七" in province["html"] and "菏泽" in province["html"]
    again, made_again = dashboards.manager_first_screen(settings, JINAN, NOW + dt.timedelta(minutes=1), cache)
    assert again == screen and made_again == NOW and cache.counts["view:hit"] == 1


def test_a_render_trusts_the_last_source_check_for_one_refresher_interval(classroom, settings, tmp_path):
    """Renders within ``[dashboard] refresh_every`` seconds (30) of the last check of the
    sources take its verdict instead of asking the databases; after that they ask again."""
    screen, made = dashboards.manager_first_screen(settings, JINAN, NOW, ProgressCache(tmp_path / "c"))
    complete_lesson(classroom)  # a data change

    soon = ProgressCache(tmp_path / "c")
    again, again_made = dashboards.manager_first_screen(settings, JINAN, NOW + dt.timedelta(seconds=20), soon)
    assert (again, again_made) == (screen, made)
    assert soon.counts["signature:trusted"] == 1 and soon.counts["view:hit"] == 1

    later = ProgressCache(tmp_path / "c")
    _new, new_made = dashboards.manager_first_screen(settings, JINAN, NOW + dt.timedelta(seconds=40), later)
    assert later.counts["signature:trusted"] == 0 and later.counts["view:built"] == 1
    assert new_made == NOW + dt.timedelta(seconds=40)

    # the refresher never trusts: it is what renders trust
    refresher = ProgressCache(tmp_path / "c")
    dashboards.manager_first_screen(
        settings, JINAN, NOW + dt.timedelta(seconds=41), refresher, trust_signature_for=0
    )
    assert refresher.counts["signature:trusted"] == 0


def test_manager_scopes_from_the_roster(classroom):
    scopes = dashboard_refresher.manager_scopes(classroom.platform_db)
    assert [dashboards.scope(v)[1] for v in scopes] == ["province", "city:济南", "city:青岛"]


def test_one_refresher_pass_makes_the_next_first_screen_a_cache_hit(classroom, settings, tmp_path):
    folder = tmp_path / "cache"
    done_ = dashboard_refresher.refresh_pass(settings, ProgressCache(folder), now=NOW)
    assert done_["scopes"] == ["province", "city:济南", "city:青岛"]

    complete_lesson(classroom)  # a data change ...
    dashboard_refresher.refresh_pass(settings, ProgressCache(folder), now=NOW + dt.timedelta(minutes=1))

    # ... and the next render (a new kernel: a new cache object) computes nothing
    for viewer in (PROVINCE, JINAN, Viewer("m3", "manager", "青岛", "city")):
        cache = ProgressCache(folder, stale_for=dashboards.STALE_FOR)
        screen, made = dashboards.manager_first_screen(settings, viewer, NOW + dt.timedelta(minutes=2), cache)
        assert cache.counts["view:hit"] == 1, (viewer, cache.counts)
        assert cache.counts["view:built"] == cache.counts["view:stale"] == 0
        assert sum(v for k, v in cache.counts.items() if k.startswith("table:")) == 0
        assert made == NOW + dt.timedelta(minutes=1)  # current, made by the refresher


def test_refresh_loop_survives_errors_and_stops(settings, tmp_path):
    stop = threading.Event()
    calls = []

    def load_settings():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("settings unreadable for a moment")
        if len(calls) >= 3:
            stop.set()
        return settings

    cache = ProgressCache(tmp_path / "cache")
    dashboard_refresher.refresh_loop(0.01, load_settings=load_settings, cache=cache, stop=stop)
    assert len(calls) == 3
    assert cache.counts["view:built"] == 3  # one pass: the three manager scopes
    assert cache.counts["table:built"] == 1


@pytest.mark.slow
def test_refresher_program_stops_on_sigterm(classroom, tmp_path):
    toml = tmp_path / "airclass.toml"
    toml.write_text(f'data_dir = "{classroom.root}"\n', encoding="utf-8")
    env = dict(
        os.environ,
        AIRCLASS_SETTINGS=str(toml),
        XDG_CACHE_HOME=str(tmp_path / "xdg"),
        PYTHONPATH=str(REPO),
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "airclass.services.dashboard_refresher", "--refresh-every", "0.2"],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.time() + 60
        while not list((tmp_path / "xdg" / "airclass").glob("view-*.pkl")) and time.time() < deadline:
            time.sleep(0.1)
        time.sleep(0.3)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    err = proc.stderr.read()
    assert "refreshed province, city:济南, city:青岛" in err, err
    assert len(list((tmp_path / "xdg" / "airclass").glob("view-*.pkl"))) == 3


@pytest.mark.slow
def test_warm_up_without_arguments_is_one_pass(classroom, tmp_path):
    toml = tmp_path / "airclass.toml"
    toml.write_text(f'data_dir = "{classroom.root}"\n', encoding="utf-8")
    env = dict(
        os.environ, AIRCLASS_SETTINGS=str(toml), XDG_CACHE_HOME=str(tmp_path / "xdg"), PYTHONPATH=str(REPO)
    )
    subprocess.run(
        [sys.executable, "-m", "airclass.services.dashboard_refresher"], env=env, check=True, timeout=120
    )
    assert len(list((tmp_path / "xdg" / "airclass").glob("progress-*.pkl"))) == 1
