"""Issue 9, finding 1, as the attack was made: stored XSS in the formgrader, in real Chromium.

A cadre's written answer carries `<script>` and `<img onerror>`; when the trainer opens
the submission in the course's formgrader, the script asks the hub for an API token in
the trainer's name (it reads the XSRF token from /hub/home, on the same origin).
"""

import pytest

from airclass.core.catalog import load_course
from grader import grading
from tests.integration.test_assignment_loop import set_cell
from tests.integration.test_browser import browser, log_in  # noqa: F401 — the browser fixture

pytestmark = [pytest.mark.integration, pytest.mark.browser]

MINT_TOKEN = (
    "fetch('/hub/home').then(r => r.text()).then(t => {"
    'const x = t.match(/xsrf_token: "([^"]+)"/)[1];'
    "return fetch('/hub/api/users/it-trainer-a/tokens', {method: 'POST', "
    "headers: {'X-XSRFToken': x, 'Content-Type': 'application/json'}, "
    "body: JSON.stringify({note: 'xss', expires_in: 600})});})"
)
PAYLOAD = (
    "按工资比例缴纳。\n\n"
    f"<script>window.__xss_script = 1; {MINT_TOKEN};</script>\n\n"
    '<img src="x" onerror="window.__xss_img = 1">\n\n'
    '<a href="javascript:window.__xss_link=1" id="xss-link">更多</a>\n'
)


def submit_answer(cadre, notebook_edit) -> None:
    cadre.start_server()
    cadre.server("POST", "assignments/fetch", data={"course_id": "itbasics", "assignment_id": "hw1"})
    path = "api/contents/itbasics/hw1/dues.ipynb"
    notebook = cadre.server("GET", path).json()["content"]
    notebook_edit(notebook)
    saved = cadre.server("PUT", path, json={"type": "notebook", "format": "json", "content": notebook})
    assert saved.status_code == 200, saved.text
    sent = cadre.server("POST", "assignments/submit", data={"course_id": "itbasics", "assignment_id": "hw1"})
    assert sent.json()["success"], sent.text


def xss_tokens(trainer) -> list:
    tokens = trainer.api("GET", "hub/api/users/it-trainer-a/tokens").json()["api_tokens"]
    return [t for t in tokens if t.get("note") == "xss"]


def test_script_in_a_cadre_answer_does_not_run_in_the_trainers_formgrader(classroom, login, browser):  # noqa: F811
    submit_answer(login("it-cadre2"), lambda notebook: set_cell(notebook, "why_dues", PAYLOAD))
    grading.grade(classroom.settings, load_course(classroom.settings.course_root("itbasics")), "hw1")
    trainer = login("it-trainer-a")
    submissions = trainer.api("GET", "services/itbasics/formgrader/api/submitted_notebooks/hw1/dues").json()
    mine = next(s for s in submissions if s["student"] == "it-cadre2")

    page = browser.new_page()
    log_in(page, classroom.base_url, "it-trainer-a")
    page.wait_for_url(lambda url: "/hub/login" not in url, timeout=180_000)
    reply = page.goto(f"{classroom.base_url}/services/itbasics/formgrader/submissions/{mine['id']}/")
    assert reply.status == 200
    page.get_by_text("按工资比例缴纳").first.wait_for(timeout=60_000)
    page.wait_for_load_state("networkidle")
    # The formgrader itself still works: its scripts put the autograded score in the field.
    page.wait_for_function(
        "document.getElementById('test_dues').getAttribute('placeholder') !== null", timeout=60_000
    )
    if page.locator("#xss-link").count():
        page.locator("#xss-link").click()
    fired = page.evaluate("[window.__xss_script, window.__xss_img, window.__xss_link].filter(Boolean).length")
    page.wait_for_load_state("networkidle")  # a running script's token request has landed
    assert fired == 0, "cadre script ran in the trainer's formgrader"
    # Both layers hold: the sanitiser removed the markup (not only the CSP blocking it).
    html = page.content()
    assert "<script>window.__xss_script" not in html and "onerror" not in html
    assert 'href="javascript:' not in html
    assert xss_tokens(trainer) == [], "a hub token was minted for the trainer by a cadre's script"
    assert "script-src" in reply.headers.get("content-security-policy", "")
    page.close()
