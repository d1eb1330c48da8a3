"""Jupyter server extension for the per-course formgrader services: the Autograde button
grades in the sandbox, never as the grader account.

nbgrader's `AutogradeHandler.post` (POST /formgrader/api/submission/<a>/<s>/autograde)
runs `nbgrader autograde` inside the formgrader, as `grader-<course>` — the cadre's code
would run as the account that owns the gradebook and the solutions. This replaces that
one method: it files a request with the grading service (airclass.services.regrade_spool),
waits for the answer without blocking the formgrader, and replies in the shape nbgrader's
page expects ({"success", "log"} or {"success": false, "error"}).
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

from nbgrader.server_extensions.formgrader import apihandlers
from nbgrader.server_extensions.formgrader.base import check_notebook_dir, check_xsrf
from tornado import web

from airclass.services import regrade_spool

#: How long the button waits for the grading service (a notebook's own limit is shorter).
WAIT_SECONDS = 600
SANDBOXED = "_airclass_sandboxed"


async def _sandboxed_autograde(self, assignment_id: str, student_id: str) -> None:
    root = Path(self.api.coursedir.root)
    try:
        name = regrade_spool.file_request(root, assignment_id, student_id)
    except (ValueError, OSError) as exc:
        self.write(json.dumps({"success": False, "error": str(exc)}, ensure_ascii=False))
        return
    deadline = time.monotonic() + WAIT_SECONDS
    while (result := regrade_spool.take_result(root, name)) is None:
        if time.monotonic() > deadline:
            regrade_spool.withdraw(root, name)
            result = {
                "success": False,
                "error": f"评分服务在 {WAIT_SECONDS} 秒内没有完成这份作业的评分。请稍后刷新本页查看分数，"
                "或请管理员查看评分服务（grading）是否在运行。",
            }
            break
        await asyncio.sleep(0.5)
    self.write(json.dumps(result, ensure_ascii=False))


def sandboxed_post():
    post = web.authenticated(check_xsrf(check_notebook_dir(_sandboxed_autograde)))
    setattr(post, SANDBOXED, True)
    return post


def _load_jupyter_server_extension(serverapp) -> None:
    handler = apihandlers.AutogradeHandler
    if not getattr(handler.post, SANDBOXED, False):
        handler.post = sandboxed_post()
    serverapp.log.info("airclass: the Autograde button grades through the sandboxed grading service")


def _jupyter_server_extension_points():
    return [{"module": "airclass.services.formgrader_autograde"}]
