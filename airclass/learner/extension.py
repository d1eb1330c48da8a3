"""jupyter-server extension in the cadre's own server: the 我的作业 page and its actions.

    GET  <base>airclass/assignments                         the page
    POST <base>airclass/api/assignments/<course>/<id>/fetch|submit|check

Every action runs in the cadre's own server process, so nbgrader's exchange sees the
cadre's unix account — exactly as nbgrader's assignment list would.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os

from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.utils import url_path_join
from tornado import web

from airclass.learner import page, progress_notice
from airclass.learner.exchange import ActionError, MyAssignments

log = logging.getLogger("airclass.learner")


class _Base(JupyterHandler):
    def initialize(self, mine: MyAssignments) -> None:
        self.mine = mine

    @property
    def hub_home(self) -> str:
        return os.environ.get("JUPYTERHUB_BASE_URL", "/") + "hub/home"


class AssignmentsPage(_Base):
    @web.authenticated
    async def get(self) -> None:
        problem = ""
        try:
            views = await asyncio.to_thread(self.mine.list)
        except Exception:
            log.exception("listing assignments")
            views, problem = [], "作业列表暂时无法读取，请稍后刷新；如仍有问题请联系培训师。"
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(
            page.page_html(views, self.base_url, self.hub_home, self.xsrf_token.decode("ascii"), problem)
        )


class AssignmentAction(_Base):
    @web.authenticated
    async def post(self, course_id: str, assignment_id: str, action: str) -> None:
        self.set_header("Content-Type", "application/json; charset=utf-8")
        try:
            if action == "fetch":
                view = await asyncio.to_thread(self.mine.fetch, course_id, assignment_id)
                body = {"message": f"已领取《{view.title}》，点“打开”开始作答。"}
            elif action == "submit":
                view = await asyncio.to_thread(self.mine.submit, course_id, assignment_id)
                files = "、".join(nb["name"] for nb in view.notebooks)
                body = {
                    "message": f"已提交《{view.title}》：{files}，提交时间 {view.submitted_at}（北京时间）。",
                    "status": view.status,
                }
                await asyncio.to_thread(progress_notice.tell_submitted, course_id, assignment_id)
            else:
                results = await asyncio.to_thread(self.mine.check, course_id, assignment_id)
                body = {"html": page.checks_html(results)}
        except ActionError as exc:
            self.set_status(400)
            body = {"message": str(exc)}
        except Exception:
            log.exception("%s %s/%s", action, course_id, assignment_id)
            self.set_status(500)
            body = {"message": "操作没有完成，请稍后再试；如仍失败请联系培训师。"}
        self.finish(json.dumps(body, ensure_ascii=False))


def _load_jupyter_server_extension(serverapp) -> None:
    mine = MyAssignments(serverapp.root_dir)
    base = serverapp.web_app.settings["base_url"]
    serverapp.web_app.add_handlers(
        ".*$",
        [
            (url_path_join(base, "airclass/assignments"), AssignmentsPage, {"mine": mine}),
            (
                url_path_join(
                    base, r"airclass/api/assignments/([a-z][a-z0-9-]*)/([A-Za-z0-9_-]+)/(fetch|submit|check)"
                ),
                AssignmentAction,
                {"mine": mine},
            ),
        ],
    )
    serverapp.log.info("airclass: 我的作业 at %sairclass/assignments", base)
