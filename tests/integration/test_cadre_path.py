"""A new cadre's whole path in a real Chromium, at 1366 px and at 375 px (a phone):

log in → 我的入口 → lesson 1 as a page (no code) → quick check → 完成本课 → 我的作业:
领取 → 检查 → 提交 (confirmation) → 已提交 on 我的学习进度 → graded → score and Chinese
feedback. Every step is photographed into a folder printed at the start of the run; every
page the cadre sees is checked for English words outside a short allow-list.
Also: a manager lands without a personal server, and cannot start one.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from airclass.core.platform_db import PlatformDB
from tests.integration.conftest import PASSWORD
from tests.integration.test_browser import CHROMIUM_ARGS

pytestmark = [pytest.mark.integration, pytest.mark.browser]

ANSWER = "def monthly_dues(wage):\n    return round(wage * 0.005, 2)\n"
WRITTEN = "按工资比例缴纳，收入不同负担相当，体现公平。"
#: Words a cadre may read in Latin letters: product and file names.
ALLOWED_WORDS = {"JupyterLab", "ipynb", "dues", "PDF"}
VIEWPORTS = {"it-cadre3": (1366, 900), "it-cadre4": (375, 812)}


@pytest.fixture(scope="module")
def shots():
    folder = Path(os.environ.get("AIRCLASS_SCREENSHOTS") or tempfile.mkdtemp(prefix="airclass-cadre-path-"))
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o755)
    print(f"\nscreenshots of the cadre path: {folder}")
    return folder


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Walk:
    """One person's browser page, photographing each step and collecting what they read."""

    def __init__(self, page, folder: Path, name: str, user: str):
        self.page, self.folder, self.name, self.user = page, folder, name, user
        self.step = 0
        self.english: list[tuple[str, list[str]]] = []

    def snap(self, what: str) -> None:
        self.step += 1
        shot = self.folder / f"{self.name}-{self.step:02d}-{what}.png"
        self.page.screenshot(path=str(shot), full_page=True)
        text = self.page.evaluate("document.body.innerText").replace(self.user, "")
        words = re.findall(r"[A-Za-z][A-Za-z]+", text)
        foreign = sorted({w for w in words if w not in ALLOWED_WORDS})
        if foreign:
            self.english.append((what, foreign))

    def no_sideways_scroll(self) -> None:
        width = self.page.viewport_size["width"]
        scroll = self.page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width + 1, f"{self.name}: the page scrolls sideways ({scroll} px > {width} px)"


def log_in(page, base_url: str, name: str) -> None:
    page.goto(f"{base_url}/hub/login")
    # what a cadre types on a phone: a capital letter and a trailing space
    page.fill("#username_input", name.capitalize() + " ")
    page.fill("#password_input", PASSWORD)
    page.click("#login_submit")


def no_code_on(page) -> None:
    editors = page.locator(".cm-editor, .CodeMirror, .jp-InputArea-editor, .jp-CodeMirrorEditor")
    assert editors.count() == 0, "a lesson page shows no code editor"
    assert "lk.quick_check" not in page.content(), "a lesson page holds no code (nor the answers in it)"


def has_server(user) -> bool:
    return bool(user.api("GET", f"hub/api/users/{user.name}").json().get("servers"))


def returned_within(page, url: str, seconds: float) -> bool:
    """Reload 我的作业 until the assignment is 已退回 (feedback returned)."""
    deadline = time.monotonic() + seconds
    while True:
        page.goto(url)
        if page.locator("section.card", has_text="会费计算").get_attribute("data-status") == "已退回":
            return True
        if time.monotonic() > deadline:
            return False
        page.wait_for_timeout(3000)


def grade(classroom) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "airclass.admin.cli", "--settings", str(classroom.settings.source)]
        + ["grade", "itbasics", "hw1"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("name", sorted(VIEWPORTS))
def test_new_cadre_from_login_to_feedback(classroom, browser, login, shots, name):
    width, height = VIEWPORTS[name]
    api = login(name)
    walk = Walk(browser.new_page(viewport={"width": width, "height": height}), shots, f"{width}px", name)
    page = walk.page

    # 1. the login page, then 我的入口 with nothing started
    page.goto(f"{classroom.base_url}/hub/login")
    walk.snap("login")
    log_in(page, classroom.base_url, name)
    page.wait_for_url("**/hub/home", timeout=60_000)
    page.get_by_text("空中课堂 · 我的入口").wait_for()
    lesson = page.locator(".ac-lesson").first
    assert "会费是怎么来的" in lesson.inner_text() and "未完成" in lesson.inner_text()
    homework = page.locator(".ac-assignment").first.inner_text()
    assert "会费计算" in homework and "2030-12-31 23:59" in homework and "未领取" in homework
    assert not has_server(api), "logging in must not start a server"
    walk.no_sideways_scroll()
    walk.snap("home")

    # 2. lesson 1 as a page in the cadre's own server: no code, no sideways scrolling
    page.get_by_role("link", name="会费是怎么来的").click()
    page.get_by_text("会员按月缴纳本人工资的 0.5% 作为会费").wait_for(timeout=240_000)
    assert "/voila/render/" in page.url
    no_code_on(page)
    walk.no_sideways_scroll()
    walk.snap("lesson")
    page.get_by_role("button", name="完成本课").click()
    page.get_by_text("已记录").wait_for(timeout=60_000)
    assert re.search(r"已记录：\d{4}-\d\d-\d\d \d\d:\d\d（北京时间）", page.inner_text("body"))
    walk.snap("lesson-done")

    # 3. lesson 2: its quick check must be answered right before 完成本课 counts
    page.goto(f"{classroom.base_url}/hub/home")
    page.get_by_role("link", name="工会经费").click()
    page.get_by_text("工资总额 50 万元的单位每月拨缴工会经费多少？").wait_for(timeout=120_000)
    no_code_on(page)
    page.get_by_role("button", name="完成本课").click()
    page.get_by_text("还不能完成本课").wait_for(timeout=30_000)
    page.get_by_text("2,500 元", exact=True).click()
    page.get_by_role("button", name="提交答案").click()
    page.get_by_text("还不对").wait_for(timeout=30_000)
    page.get_by_text("10,000 元", exact=True).click()
    page.get_by_role("button", name="提交答案").click()
    page.get_by_text("回答正确").wait_for(timeout=30_000)
    page.get_by_role("button", name="完成本课").click()
    page.get_by_text("已记录").wait_for(timeout=60_000)
    walk.no_sideways_scroll()
    walk.snap("lesson2-done")
    with PlatformDB(classroom.settings.platform_db_url) as db:
        done = sorted(lesson for _u, c, lesson, _t in db.completions(name) if c == "itbasics")
    assert done == ["dues", "funds"]
    page.goto(f"{classroom.base_url}/hub/home")
    assert [t.count("已完成") for t in page.locator(".ac-lesson").all_inner_texts()] == [1, 1]

    # 4. 我的作业: 领取
    page.get_by_role("link", name="我的作业").first.click()
    card = page.locator("section.card", has_text="会费计算")
    card.get_by_text("未领取").wait_for(timeout=60_000)
    assert "截止：2030-12-31 23:59（北京时间）" in card.inner_text()
    walk.no_sideways_scroll()
    walk.snap("assignments")
    card.get_by_role("button", name="领取").click()
    card.get_by_text("已领取《会费计算》").wait_for(timeout=60_000)
    assert card.get_attribute("data-status") == "已领取"
    walk.snap("fetched")

    # the cadre writes the answers (JupyterLab's editor is not what this test is about)
    path = "api/contents/itbasics/hw1/dues.ipynb"
    notebook = api.server("GET", path).json()["content"]
    for cell in notebook["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if grade_id == "dues":
            cell["source"] = ANSWER
        elif grade_id == "why_dues":
            cell["source"] = WRITTEN
    saved = api.server("PUT", path, json={"type": "notebook", "format": "json", "content": notebook})
    assert saved.status_code == 200, saved.text

    # 5. 检查: the visible checks pass, hidden ones come later
    card.get_by_role("button", name="检查").click()
    card.get_by_text("可见检查通过 1 / 1 项").wait_for(timeout=180_000)
    assert "隐藏检查会在提交后评分时运行" in card.inner_text()
    walk.snap("checked")

    # 6. 提交, with a confirmation naming the file and the time
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    card.get_by_role("button", name="提交").click()
    card.get_by_text("已提交《会费计算》").wait_for(timeout=60_000)
    assert asked and "dues.ipynb" in asked[0] and re.search(r"提交时间：\d{4}-\d\d-\d\d \d\d:\d\d", asked[0])
    # the grading service may already have returned it by the time the page reloads
    assert card.get_attribute("data-status") in ("已提交", "已退回")
    walk.snap("submitted")

    # 7. 我的学习进度 says so at once (scored or not yet)
    page.goto(f"{classroom.base_url}/services/learning/")
    page.get_by_text(re.compile("已提交")).first.wait_for(timeout=120_000)
    walk.no_sideways_scroll()
    walk.snap("my-progress")

    # 8. graded (by the instant-feedback service, else by the trainer's command): score and
    # feedback in Chinese, nothing of the hidden test
    if not returned_within(page, f"{classroom.base_url}/user/{name}/airclass/assignments", 90):
        grade(classroom)
        assert returned_within(page, f"{classroom.base_url}/user/{name}/airclass/assignments", 60)
    card = page.locator("section.card", has_text="会费计算")
    assert "得分：2 / 4" in card.inner_text()
    card.get_by_role("button", name="查看反馈").click()
    feedback = card.locator(".feedback")
    feedback.get_by_text("总分：2 / 4 分").wait_for()
    text = feedback.inner_text()
    assert "第 1 项检查" in text and "书面回答 1" in text and "5123" not in text
    assert page.locator("a[href*='127.0.0.1']").count() == 0
    walk.no_sideways_scroll()
    walk.snap("feedback")
    page.goto(f"{classroom.base_url}/hub/home")
    homework = page.locator(".ac-assignment").first.inner_text()
    assert "已退回" in homework and "2 / 4" in homework
    walk.snap("home-after")

    assert walk.english == [], f"English on the cadre's pages: {walk.english}"
    page.close()


def test_manager_lands_without_a_server(classroom, browser, login, shots):
    manager = login("it-manager")
    walk = Walk(browser.new_page(viewport={"width": 375, "height": 812}), shots, "manager", "it-manager")
    page = walk.page
    log_in(page, classroom.base_url, "it-manager")
    page.wait_for_url("**/hub/home", timeout=60_000)
    assert page.locator("#start").count() == 0, "no 学习空间 button for a manager"
    walk.snap("home")
    page.get_by_role("link", name=re.compile("管理看板")).click()
    page.get_by_text("学习进度看板").first.wait_for(timeout=120_000)
    walk.snap("dashboard")
    assert not has_server(manager)
    refused = manager.api("POST", "hub/api/users/it-manager/server")
    assert refused.status_code >= 400, refused.text
    assert not has_server(manager)
    page.close()


def test_certificate_after_the_trainer_grades_the_written_answer(classroom, login):
    """it-cadre3 walked the path above; once the written answer is graded the course is
    finished: the certificate downloads as a PDF and its code checks out (page and CLI)."""
    cadre = login("it-cadre3")
    early = cadre.browse("services/certificates/mine/itbasics")
    assert early.status_code == 400 and "待培训师评阅" in early.text

    trainer = login("it-trainer-a")
    api = "services/itbasics/formgrader/api"
    mine = next(
        s
        for s in trainer.api("GET", f"{api}/submitted_notebooks/hw1/dues").json()
        if s["student"] == "it-cadre3"
    )
    written = next(
        g
        for g in trainer.api("GET", f"{api}/grades?submission_id={mine['id']}").json()
        if g["name"] == "why_dues"
    )
    assert trainer.api("PUT", f"{api}/grade/{written['id']}", json={"manual_score": 2}).status_code == 200

    pdf = cadre.browse("services/certificates/mine/itbasics")
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and b"CJK" in pdf.content
    with PlatformDB(classroom.settings.platform_db_url) as db:
        code = db.certificate_of("it-cadre3", "itbasics")["code"]

    anyone = classroom.user("it-nobody")
    page = anyone.browse(f"services/certificates/check?code={code}")
    assert page.status_code == 200 and "证书有效" in page.text and "测试学员丙" in page.text
    forged = anyone.browse("services/certificates/check?code=ABCD-EFGH-JKLM")
    assert "未找到该验证码" in forged.text
    verified = subprocess.run(
        [sys.executable, "-m", "airclass.admin.cli", "--settings", str(classroom.settings.source)]
        + ["certificate", "verify", code],
        capture_output=True,
        text=True,
    )
    assert verified.returncode == 0 and "有效" in verified.stdout
