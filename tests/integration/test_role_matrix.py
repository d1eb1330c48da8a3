"""Who reaches what: hub services by role, and files by unix account."""

import dataclasses
import subprocess

import pytest
from sqlalchemy.engine import make_url

from airclass.core import names
from airclass.hub.spawner import prepare_account
from airclass.system import layout

pytestmark = pytest.mark.integration

SERVICES = ("itbasics", "itother", "dashboard")
EXPECTED = {
    # user: {service: reachable?}
    "it-cadre1": {"itbasics": False, "itother": False, "dashboard": False},
    "it-trainer-a": {"itbasics": True, "itother": False, "dashboard": False},
    "it-trainer-b": {"itbasics": False, "itother": True, "dashboard": False},
    "it-manager": {"itbasics": False, "itother": False, "dashboard": True},
}


@pytest.mark.parametrize("user", sorted(EXPECTED))
def test_service_access_by_role(classroom, login, user):
    person = login(user)
    for service in SERVICES:
        page = person.browse(f"services/{service}/")
        if EXPECTED[user][service]:
            assert page.status_code == 200, f"{user} should reach {service}: {page.status_code}"
        else:
            assert page.status_code == 403, f"{user} must get 403 on {service}: {page.status_code}"


def test_trainer_lands_on_own_formgrader(classroom, login):
    page = login("it-trainer-a").browse("services/itbasics/")
    assert "/services/itbasics/formgrader" in page.url


def as_user(user: str, *cmd: str) -> subprocess.CompletedProcess:
    return subprocess.run(["runuser", "-u", user, "--", *cmd], capture_output=True, text=True)


def test_cadre_account_cannot_read_private_files(classroom, login):
    # Both cadres must have unix accounts: they are created on first spawn.
    for name in ("it-cadre1", "it-cadre2"):
        login(name).start_server()
    settings = classroom.settings
    course = settings.course_root("itbasics")
    private = [
        course / "source" / "hw1" / "dues.ipynb",  # solutions and hidden tests
        "/home/it-cadre1",  # another cadre's home
        settings.source,  # may hold the SSO client secret and the database password
    ]
    if settings.database_url:
        private.append(course / "nbgrader_config.py")  # the gradebook's URL
        private.append(layout.gradebook_password_file(settings, "itbasics"))
        # and the database itself admits no one without that password
        url = make_url(settings.database_url)
        probe = as_user("it-cadre2", "psql", "-w", "-h", url.host, "-p", str(url.port), "-d", url.database)
        assert probe.returncode != 0 and "password" in probe.stderr, probe.stderr
    else:
        private += [course / "gradebook.db", settings.platform_db]  # grades; roster with phones
    for path in private:
        probe = as_user("it-cadre2", "ls" if str(path).startswith("/home") else "cat", str(path))
        assert probe.returncode != 0 and "Permission denied" in probe.stderr, f"cadre read {path}"
    inbound = classroom.settings.exchange_dir / "itbasics" / "inbound"
    listing = as_user("it-cadre2", "ls", str(inbound))
    assert listing.returncode != 0 and "Permission denied" in listing.stderr
    # …while the course's trainer account can read the course (group ac-itbasics). Trainers
    # get no personal server by default; their account is made as a spawn would make it.
    spawner = {**classroom.settings["spawner"], "staff_servers": True}
    allowing = dataclasses.replace(
        classroom.settings, values={**classroom.settings.values, "spawner": spawner}
    )
    prepare_account(allowing, "it-trainer-a")
    prepare_account(allowing, "it-trainer-b")
    assert as_user("it-trainer-a", "cat", str(course / "source" / "hw1" / "dues.ipynb")).returncode == 0
    assert as_user("it-trainer-b", "ls", str(course)).returncode != 0
    if settings.database_url:
        # the trainer reads the course config, which names the gradebook but holds no password
        config = as_user("it-trainer-a", "cat", str(course / "nbgrader_config.py"))
        assert config.returncode == 0 and make_url(settings.database_url).password not in config.stdout
        secret = layout.gradebook_password_file(settings, "itbasics")
        assert as_user("it-trainer-a", "cat", str(secret)).returncode != 0
        assert as_user(names.grader_account("itbasics"), "cat", str(secret)).returncode == 0


def test_dashboard_serves_pages_only(classroom, login):
    """A manager gets the rendered dashboard, but no Lab, contents, kernel list or terminals."""
    manager = login("it-manager")
    page = manager.browse("services/dashboard/")
    assert page.status_code == 200 and "voila" in page.url
    for path in ("api/contents", "api/kernels", "api/sessions", "api/terminals", "lab"):
        assert manager.browse(f"services/dashboard/{path}").status_code in (403, 404), path


def test_home_page_shows_each_role_its_entry_points(classroom, login):
    trainer = login("it-trainer-a").browse("hub/home").text
    assert "我的入口" in trainer and "/services/itbasics/" in trainer and "评分：入门练习" in trainer
    assert "/services/itother/" not in trainer and "/services/dashboard/" not in trainer
    manager = login("it-manager").browse("hub/home").text
    assert "/services/dashboard/" in manager and "formgrader" not in manager
    cadre = login("it-cadre1").browse("hub/home").text
    assert "/services/learning/" in cadre and "/services/dashboard/" not in cadre
    assert "我的学习空间" in cadre and "退出" in cadre and 'id="start"' in cadre


@pytest.mark.parametrize("user", ["it-trainer-b", "it-citymgr"])
def test_staff_get_no_personal_server(classroom, login, user):
    person = login(user)
    reply = person.api("POST", f"hub/api/users/{user}/server")
    assert reply.status_code >= 400, reply.text
    assert not person.api("GET", f"hub/api/users/{user}").json().get("servers")
    assert 'id="start"' not in person.browse("hub/home").text
