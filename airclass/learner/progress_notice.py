"""Tell the platform the moment a cadre submits, so 我的学习进度 says 已提交 at once
(the gradebook learns of a submission only when it is graded).

Posted with the cadre's own server token to the `airclass-api` service, which records it
for the token's owner only.
"""

from __future__ import annotations

import json
import logging
import os
import urllib.error
import urllib.request

from airclass.core.platform_tables import lookup_submission_notices  # noqa: E402

log = logging.getLogger("airclass.learner")


def tell_submitted(course_id: str, assignment_id: str, timeout: float = 10) -> bool:
    api, token = os.environ.get("AIRCLASS_API_URL"), os.environ.get("JUPYTERHUB_API_TOKEN")
    if not api or not token:
        return False
    request = urllib.request.Request(
        f"{api.rstrip('/')}/submissions",
        data=json.dumps({"course_id": course_id, "assignment_id": assignment_id}).encode(),
        headers={"Authorization": f"token {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        log.exception("could not record the submission of %s/%s", course_id, assignment_id)
        return False


def submitted_notices(platform_db, user_id: str) -> dict[tuple[str, str], str]:
    """(course_id, assignment_id) → when the cadre's server reported a submission (UTC ISO).

    Read-only: the pages that show it (我的学习进度) never write the platform database.
    `platform_db`: its URL (SQLite or PostgreSQL, `settings.platform_db_url`) or file."""
    return lookup_submission_notices(platform_db, user_id)
