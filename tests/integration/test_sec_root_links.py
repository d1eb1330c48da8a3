"""Issue 9, finding 5 and the exchange squat of finding 4, as the attacks were made.

A trainer opened a terminal in the formgrader (a shell as grader-<course>), planted links
in the course root, and waited for root to write or chmod through them: `roster import`
rewrote students.csv, `fix_course_permissions` / `course deploy` chmodded and copied.
A cadre made exchange/<future course> in the world-writable exchange root.
"""

import os
import pwd
import subprocess
from pathlib import Path

import pytest

from airclass.admin.roster_import import import_roster
from airclass.core.catalog import load_course
from airclass.system import layout as deploy
from grader import grading
from tests.integration.conftest import PASSWORD, ROSTER, write_roster

pytestmark = pytest.mark.integration


def as_user(user: str, *cmd: str) -> subprocess.CompletedProcess:
    return subprocess.run(["runuser", "-u", user, "--", *cmd], capture_output=True, text=True)


def test_trainer_gets_no_terminal_in_the_formgrader(classroom, login):
    trainer = login("it-trainer-a")
    made = trainer.api("POST", "services/itbasics/api/terminals")
    assert made.status_code in (403, 404), made.status_code
    assert trainer.browse("services/itbasics/formgrader").status_code == 200


@pytest.fixture
def victim(tmp_path_factory):
    """A root-owned file outside the course, 0600, that no lower account may change."""
    folder = tmp_path_factory.mktemp("victim")
    os.chmod(folder, 0o755)
    path = folder / "root-only.txt"
    path.write_text("root's\n")
    os.chmod(path, 0o600)
    return path


def plant_link(course_root: Path, relative: str, target: Path) -> None:
    link = course_root / relative
    made = as_user("grader-itbasics", "ln", "-sfn", str(target), str(link))
    assert made.returncode == 0, made.stderr


def test_roster_import_does_not_write_through_a_planted_link(classroom, victim):
    root = classroom.settings.course_root("itbasics")
    plant_link(root, "students.csv", victim)
    roster = write_roster(victim.parent / "roster.csv", ROSTER)
    import_roster(classroom.settings, roster, initial_password=PASSWORD)
    assert victim.read_text() == "root's\n"
    assert os.stat(victim).st_mode & 0o777 == 0o600


def test_permission_fix_and_deploy_do_not_follow_planted_links(classroom, victim):
    root = classroom.settings.course_root("itbasics")
    plant_link(root, "evil-link", victim)
    plant_link(root, "source/hw1/dues.ipynb", victim)  # deploy copies the catalog over it
    plant_link(root, "nbgrader_config.py", victim)
    deploy.fix_course_permissions(classroom.settings, "itbasics")
    catalog = classroom.settings.data_dir / "catalog"
    deploy.deploy_course(classroom.settings, load_course(catalog / "itbasics"))
    assert victim.read_text() == "root's\n"
    info = os.stat(victim)
    assert (info.st_uid, info.st_mode & 0o7777) == (0, 0o600)
    # the deploy replaced the links with the catalog's files
    assert not (root / "source" / "hw1" / "dues.ipynb").is_symlink()
    assert "CourseDirectory" in (root / "nbgrader_config.py").read_text()


def test_exchange_folders_exist_at_deploy_and_cannot_be_squatted(classroom, login):
    exchange = classroom.settings.exchange_dir
    # itother was deployed and never released: its exchange is there, the grader's.
    for part, mode in (("", 0o755), ("inbound", 0o2733), ("outbound", 0o755), ("feedback", 0o711)):
        info = os.stat(exchange / "itother" / part)
        assert (info.st_uid, info.st_mode & 0o7777) == (_uid("grader-itother"), mode), part
    # A cadre squats the name of a course before its (re)deploy …
    login("it-cadre1").start_server()
    subprocess.run(["rm", "-rf", str(exchange / "itother")], check=True)
    assert as_user("it-cadre1", "mkdir", "-p", str(exchange / "itother" / "outbound")).returncode == 0
    deploy.deploy_course(classroom.settings, load_course(classroom.settings.data_dir / "catalog" / "itother"))
    # … and the deploy takes it back: the first release works.
    assert os.stat(exchange / "itother").st_uid == _uid("grader-itother")
    course = load_course(classroom.settings.course_root("itother"))
    released = grading.release(classroom.settings, course, course.assignments[0].id)
    assert released.is_dir()


def _uid(name: str) -> int:
    return pwd.getpwnam(name).pw_uid
