"""A roster import while the hub runs takes effect at once: no restart, no stopped servers."""

import pytest

from airclass.admin.roster_import import import_roster
from tests.integration.conftest import PASSWORD, ROSTER, write_roster

pytestmark = pytest.mark.integration

LATE = ("it-late", "测试新学员", "烟台", "烟台市家政服务业工会联合会", "学员", "itbasics", "")


def test_new_cadre_can_log_in_and_fetch_without_restart(classroom, login):
    before = classroom.hub.pid
    path = write_roster(classroom.settings.data_dir / "roster-2.csv", [*ROSTER, LATE])
    report = import_roster(classroom.settings, path, initial_password=PASSWORD)
    assert report.hub_changes == {"users": 1, "memberships": 2}  # cadres, nbgrader-itbasics
    assert classroom.hub.poll() is None and classroom.hub.pid == before

    late = login("it-late")
    late.start_server()
    listing = late.server("GET", "assignments?course_id=itbasics").json()
    assert [a["assignment_id"] for a in listing["value"]] == ["hw1"]
    again = import_roster(classroom.settings, path, initial_password=PASSWORD)
    assert again.hub_changes == {"users": 0, "memberships": 0}
