"""A real browser (Debian's chromium via Playwright) against the real hub."""

from __future__ import annotations

import pytest

from airclass.core.platform_db import PlatformDB
from tests.integration.conftest import PASSWORD

pytestmark = [pytest.mark.integration, pytest.mark.browser]

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def log_in(page, base_url: str, name: str) -> None:
    page.goto(f"{base_url}/hub/login")
    page.fill("#username_input", name)
    page.fill("#password_input", PASSWORD)
    page.click("#login_submit")


def test_cadre_jupyterlab_in_chinese(classroom, browser):
    page = browser.new_page()
    log_in(page, classroom.base_url, "it-cadre1")
    page.wait_for_url("**/hub/home", timeout=60_000)
    page.goto(f"{classroom.base_url}/user/it-cadre1/lab")
    page.wait_for_url("**/user/it-cadre1/lab**", timeout=180_000)
    # The main menu bar of JupyterLab in zh-CN.
    page.get_by_role("menuitem", name="文件").wait_for(timeout=120_000)
    assert page.get_by_role("menuitem", name="内核").is_visible()
    page.close()


def test_lesson_finish_button_records_completion(classroom, browser, login):
    login("it-cadre1").start_server()
    page = browser.new_page()
    log_in(page, classroom.base_url, "it-cadre1")
    page.wait_for_url("**/hub/home", timeout=60_000)
    # The lesson rendered by Voila on the cadre's own server, its kernel running as the cadre.
    page.goto(f"{classroom.base_url}/user/it-cadre1/voila/render/空中课堂/itbasics/lessons/01-dues.ipynb")
    page.get_by_text("会员按月缴纳本人工资的 0.5% 作为会费").wait_for(timeout=120_000)
    page.get_by_role("button", name="完成本课").click()
    page.get_by_text("已记录").wait_for(timeout=60_000)
    with PlatformDB(classroom.settings.platform_db_url) as db:
        mine = [(c, lesson) for _u, c, lesson, _t in db.completions("it-cadre1")]
    assert mine == [("itbasics", "dues")]
    page.close()


def test_manager_dashboard_on_a_phone(classroom, browser, tmp_path):
    page = browser.new_page(viewport={"width": 375, "height": 812})
    log_in(page, classroom.base_url, "it-manager")
    page.wait_for_load_state()
    page.goto(f"{classroom.base_url}/services/dashboard/")
    page.get_by_text("学习进度看板").first.wait_for(timeout=120_000)
    page.get_by_text("报名学员", exact=True).wait_for(timeout=60_000)
    # the filters are live widgets, not their text repr
    page.get_by_role("combobox").first.wait_for(timeout=60_000)
    width = page.evaluate("document.documentElement.scrollWidth")
    page.screenshot(path=str(tmp_path / "manager-375.png"), full_page=True)
    assert width <= 375 + 1, f"the page scrolls sideways on a phone ({width}px)"
    page.close()


def test_cadre_fetches_and_submits_in_the_assignment_list(classroom, browser):
    """The student side of nbgrader in JupyterLab: Nbgrader → Assignment List → Fetch → Submit."""
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    log_in(page, classroom.base_url, "it-cadre2")
    page.wait_for_url("**/hub/home", timeout=60_000)
    page.goto(f"{classroom.base_url}/user/it-cadre2/lab")
    page.wait_for_url("**/user/it-cadre2/lab**", timeout=180_000)
    page.get_by_role("menuitem", name="文件").wait_for(timeout=120_000)
    page.get_by_role("menuitem", name="Nbgrader").click()
    labels = page.locator(".lm-Menu-itemLabel").all_inner_texts()
    assert "Assignment List" in labels and "Formgrader" not in labels
    page.get_by_text("Assignment List").first.click()
    released = page.locator("#released_assignments_list")
    released.get_by_text("hw1").wait_for(timeout=60_000)
    released.get_by_role("button", name="Fetch").click()
    fetched = page.locator("#fetched_assignments_list")
    fetched.get_by_text("hw1").wait_for(timeout=60_000)
    fetched.get_by_role("button", name="Submit").click()
    page.locator("#submitted_assignments_list").get_by_text("hw1").wait_for(timeout=60_000)
    page.close()
    inbound = classroom.settings.exchange_dir / "itbasics" / "inbound"
    assert any(p.name.startswith("it-cadre2+hw1+") for p in inbound.iterdir())


def test_home_page_stop_and_start_in_chinese(classroom, browser, login):
    login("it-cadre2").start_server()
    page = browser.new_page()
    log_in(page, classroom.base_url, "it-cadre2")
    page.wait_for_url("**/hub/home", timeout=60_000)
    # home.js is loaded by require.js after the load event: wait until it has bound #stop.
    page.wait_for_load_state("networkidle")
    page.click("#stop")
    page.get_by_role("button", name="打开我的学习空间（JupyterLab）").wait_for(timeout=120_000)
    assert not page.locator("#stop").is_visible()
    page.close()
