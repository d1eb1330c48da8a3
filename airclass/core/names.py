"""Every name airclass gives to accounts, groups and hub services — the one place they are spelled.

Unix accounts: one per hub user (same name), `grader-<course>` owns a course's nbgrader root,
`ac-<course>` is the course's unix group (grader account, trainers, dashboard account).
Hub groups: a role group per role, nbgrader's `nbgrader-<course>` (students and trainers
of a course) and `formgrade-<course>` (who may open its formgrader), as nbgrader's
multiple-classes demo names them. Hub services: the names below, and each course's id
for its formgrader (nbgrader expects service name == course id).
"""

from __future__ import annotations

import re

# Hub and unix user names: what the roster accepts and what may become a unix account.
USERNAME = re.compile(r"^[a-z][a-z0-9_-]{1,30}$")

# System accounts of the services.
DASH_USER = "airclass-dash"  # runs the Voila dashboards; reads gradebooks and the platform DB
API_USER = "airclass-api"  # runs the completion API; writes the platform DB
SYSTEM_SERVICE_USERS = (DASH_USER, API_USER)

# Hub services.
API_SERVICE = "airclass-api"
DASHBOARD_SERVICE = "dashboard"
LEARNING_SERVICE = "learning"
ADMIN_SERVICE = "airclass-admin"
DASHBOARD_REFRESH_SERVICE = "dashboard-refresh"
CERTIFICATE_SERVICE = "certificates"
GRADING_SERVICE = "grading"  # instant feedback: grades each submission as it arrives

# Hub groups by role.
ROLE_GROUPS = {"cadre": "cadres", "trainer": "trainers", "manager": "managers"}
FORMGRADE_PREFIX = "formgrade-"
NBGRADER_PREFIX = "nbgrader-"


GRADER_ACCOUNT_PREFIX = "grader-"
COURSE_GROUP_PREFIX = "ac-"
#: Default name of the grading sandbox pool (settings grading.sandbox_accounts): acbox-1 …
SANDBOX_ACCOUNT_PREFIX = "acbox"
#: Prefixes of the system accounts airclass creates; no roster id may take one.
SYSTEM_ACCOUNT_PREFIXES = (GRADER_ACCOUNT_PREFIX, COURSE_GROUP_PREFIX, f"{SANDBOX_ACCOUNT_PREFIX}-")


def grader_account(course_id: str) -> str:
    """Unix account that owns the course's nbgrader root and runs its formgrader."""
    return f"{GRADER_ACCOUNT_PREFIX}{course_id}"


def course_group(course_id: str) -> str:
    """Unix group with read access to the course root (grader, trainers, dashboards)."""
    return f"{COURSE_GROUP_PREFIX}{course_id}"


def sandbox_account(prefix: str, slot: int) -> str:
    """Throwaway account `slot` of the grading sandbox pool (settings grading.sandbox_accounts):
    runs cadres' notebooks during autograding and nothing else."""
    return f"{prefix}-{slot}"


def formgrade_group(course_id: str) -> str:
    return f"{FORMGRADE_PREFIX}{course_id}"


def nbgrader_group(course_id: str) -> str:
    return f"{NBGRADER_PREFIX}{course_id}"


def template_names() -> dict[str, object]:
    """The names hub templates need, so HTML never spells them again."""
    return {
        "learning_service": LEARNING_SERVICE,
        "dashboard_service": DASHBOARD_SERVICE,
        "certificate_service": CERTIFICATE_SERVICE,
        "role_groups": ROLE_GROUPS,
        "formgrade_prefix": FORMGRADE_PREFIX,
    }
