"""Jupyter server extension for the per-course formgrader services: every manual grade a
trainer enters is sent to the audit trail with who, when, before and after.

nbgrader's formgrader saves a grade in `GradeHandler.put` (PUT /formgrader/api/grade/<id>)
and offers no hook, so this wraps that one method when the formgrader service loads us
(enabled only there, through the config dir `layout.formgrader_config_dir`). The entry goes
to the `airclass-api` service, which owns the platform DB, with the service's own hub
token; the API accepts it only for the course that service grades.
"""

from __future__ import annotations

import json
import os
import urllib.request

from nbgrader.server_extensions.formgrader import apihandlers

from airclass.core.audit import GRADE_MANUAL

_FIELDS = ("manual_score", "extra_credit")


def _actor(handler) -> str:
    user = handler.current_user
    return getattr(user, "username", None) or (user.get("name") if isinstance(user, dict) else str(user))


def send_entry(entry: dict) -> None:
    request = urllib.request.Request(
        os.environ["AIRCLASS_API_URL"].rstrip("/") + "/audit",
        data=json.dumps(entry).encode(),
        method="POST",
        headers={
            "Authorization": f"token {os.environ['JUPYTERHUB_API_TOKEN']}",
            "Content-Type": "application/json",
        },
    )
    with urllib.request.urlopen(request, timeout=10) as reply:
        reply.read()


AUDITED = "_airclass_audited"  # nbgrader's decorators already set __wrapped__: mark ours apart


def _audited_put(original):
    def put(self, grade_id):
        grade = self.gradebook.find_grade_by_id(grade_id)  # 404s are left to the original
        before = {key: getattr(grade, key) for key in _FIELDS}
        original(self, grade_id)
        saved = grade.to_dict()  # the same session: what the original just committed
        after = {key: saved[key] for key in _FIELDS}
        if after == before:
            return
        entry = {
            "actor": _actor(self),
            "action": GRADE_MANUAL,
            "target": saved["student"],
            "detail": {
                "assignment": saved["assignment"],
                "notebook": saved["notebook"],
                "cell": saved["name"],
                "auto_score": saved["auto_score"],
                "max_score": saved["max_score"],
                "before": before,
                "after": after,
            },
        }
        try:
            send_entry(entry)
        except Exception:  # the grade is saved; say loudly that its audit entry is not
            self.log.exception(
                "airclass: manual grade %s not recorded in the audit trail: %s", grade_id, entry
            )

    setattr(put, AUDITED, True)
    return put


def _load_jupyter_server_extension(serverapp) -> None:
    handler = apihandlers.GradeHandler
    if not getattr(handler.put, AUDITED, False):
        handler.put = _audited_put(handler.put)
    serverapp.log.info("airclass: manual grades are recorded in the audit trail")


def _jupyter_server_extension_points():
    return [{"module": "airclass.services.grade_audit"}]
