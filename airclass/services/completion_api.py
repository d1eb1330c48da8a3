"""The `airclass-api` hub service: records lesson completions for the caller only.

A lesson's "完成本课" button posts {course_id, lesson_id, answers} with the cadre's server
token (JUPYTERHUB_API_TOKEN). The hub tells us whose token it is; we record the completion
for that user and nobody else, only for a lesson of a course they are enrolled in, and only
when `answers` (question → chosen option) answers every quick check of that lesson correctly
— the right options are read from the deployed lesson notebook itself.

Run by the hub: `python -m airclass.services.completion_api` (as the airclass-api account).
"""

from __future__ import annotations

import json
import os
from urllib.parse import urlparse

from jupyterhub.services.auth import HubAuthenticated
from tornado import ioloop, web

from airclass.core.audit import GRADE_MANUAL
from airclass.core.catalog import CatalogError, load_course
from airclass.core.course_notebooks import lesson_quick_checks
from airclass.core.platform_db import PlatformDB
from airclass.core.settings import load


def lesson_notebook(public_dir, course_id: str, lesson_id: str):
    """The deployed notebook of a lesson, or None when the course has no such lesson."""
    try:
        course = load_course(public_dir / course_id, check_notebooks=False)
    except (CatalogError, OSError):
        return None
    for lesson in course.lessons:
        if lesson.id == lesson_id:
            return course.path / lesson.notebook
    return None


def unanswered(notebook, answers: dict) -> list[str]:
    """The lesson's quick checks that `answers` does not answer correctly ("第2题：……")."""
    if notebook is None or not notebook.is_file():
        return []
    missing = []
    for number, (question, right) in enumerate(lesson_quick_checks(notebook).items(), 1):
        if answers.get(question) != right:
            short = question if len(question) <= 24 else question[:24] + "……"
            missing.append(f"第{number}题：{short}")
    return missing


class CompletionHandler(HubAuthenticated, web.RequestHandler):
    def initialize(self, settings):
        self.airclass = settings

    def check_xsrf_cookie(self):
        """Token-authenticated API: no cookies, so no XSRF check."""

    def _reply(self, status: int, body: dict) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps(body, ensure_ascii=False))

    @web.authenticated
    def post(self):
        user = self.get_current_user()["name"]
        try:
            body = json.loads(self.request.body or b"{}")
            course_id, lesson_id = str(body["course_id"]), str(body["lesson_id"])
            answers = body.get("answers") or {}
            if not isinstance(answers, dict):
                raise TypeError("answers")
        except (ValueError, KeyError, TypeError, AttributeError):
            return self._reply(400, {"error": "需要 JSON：{course_id, lesson_id, answers}"})
        with PlatformDB(self.airclass.platform_db_url) as db:
            person = db.person(user)
            if person is None or course_id not in person["courses"]:
                return self._reply(403, {"error": f"{user} 未选修课程 {course_id}"})
            notebook = lesson_notebook(self.airclass.public_dir, course_id, lesson_id)
            if notebook is None:
                return self._reply(404, {"error": f"课程 {course_id} 没有课时 {lesson_id}"})
            missing = unanswered(notebook, answers)
            if missing:
                return self._reply(
                    409,
                    {
                        "error": "请先答对本课的随堂小测再完成本课。还差：" + "；".join(missing),
                        "missing": missing,
                    },
                )
            stamp = db.record_completion(user, course_id, lesson_id)
        self._reply(
            200,
            {"user": user, "course_id": course_id, "lesson_id": lesson_id, "completed_at": stamp},
        )

    @web.authenticated
    def get(self):
        user = self.get_current_user()["name"]
        with PlatformDB(self.airclass.platform_db_url) as db:
            rows = db.completions(user)
        self._reply(
            200,
            {
                "user": user,
                "completions": [
                    {"course_id": c, "lesson_id": lesson, "completed_at": t} for _u, c, lesson, t in rows
                ],
            },
        )


def known_assignments(public_dir, course_id: str) -> set[str]:
    try:
        course = load_course(public_dir / course_id, check_notebooks=False)
    except (CatalogError, OSError):
        return set()
    return {a.id for a in course.assignments}


class SubmissionHandler(CompletionHandler):
    """The cadre's server reports a submission the moment it is made (for 我的学习进度)."""

    @web.authenticated
    def post(self):
        user = self.get_current_user()["name"]
        try:
            body = json.loads(self.request.body or b"{}")
            course_id, assignment_id = str(body["course_id"]), str(body["assignment_id"])
        except (ValueError, KeyError, TypeError):
            return self._reply(400, {"error": "需要 JSON：{course_id, assignment_id}"})
        with PlatformDB(self.airclass.platform_db_url) as db:
            person = db.person(user)
            if person is None or course_id not in person["courses"]:
                return self._reply(403, {"error": f"{user} 未选修课程 {course_id}"})
            if assignment_id not in known_assignments(self.airclass.public_dir, course_id):
                return self._reply(404, {"error": f"课程 {course_id} 没有作业 {assignment_id}"})
            stamp = db.record_submission_notice(user, course_id, assignment_id)
        self._reply(200, {"user": user, "course_id": course_id, "assignment_id": assignment_id, "at": stamp})


class AuditHandler(CompletionHandler):
    """Manual grades from a course's formgrader service (airclass.services.grade_audit).

    Only a service may post, only the service of a deployed course, and only for that
    course: its token says which course it is; the actor is the trainer it served.
    """

    @web.authenticated
    def post(self):
        caller = self.get_current_user()
        course_id = caller.get("name", "")
        deployed = (self.airclass.public_dir / course_id / "course.toml").is_file()
        if caller.get("kind") != "service" or not course_id or not deployed:
            return self._reply(403, {"error": "只有课程评分服务可以写入操作记录"})
        try:
            body = json.loads(self.request.body or b"{}")
            actor, target, detail = str(body["actor"]), str(body["target"]), dict(body["detail"])
        except (ValueError, KeyError, TypeError):
            return self._reply(400, {"error": "需要 JSON：{actor, target, detail}"})
        with PlatformDB(self.airclass.platform_db_url) as db:
            db.record_audit(actor, GRADE_MANUAL, course_id=course_id, target=target, detail=detail)
        self._reply(200, {"recorded": True})

    def get(self):
        raise web.HTTPError(405)


def make_app(settings) -> web.Application:
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/airclass-api/")
    handlers = [
        (r"/completions", CompletionHandler, {"settings": settings}),
        (prefix.rstrip("/") + r"/completions", CompletionHandler, {"settings": settings}),
        (r"/submissions", SubmissionHandler, {"settings": settings}),
        (prefix.rstrip("/") + r"/submissions", SubmissionHandler, {"settings": settings}),
        (r"/audit", AuditHandler, {"settings": settings}),
        (prefix.rstrip("/") + r"/audit", AuditHandler, {"settings": settings}),
    ]
    return web.Application(handlers)


def main() -> None:
    settings = load()
    url = urlparse(os.environ["JUPYTERHUB_SERVICE_URL"])
    make_app(settings).listen(url.port, url.hostname)
    ioloop.IOLoop.current().start()


if __name__ == "__main__":
    main()
