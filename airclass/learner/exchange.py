"""A cadre's assignments through nbgrader's own exchange classes, run as the cadre.

`MyAssignments(root_dir)` lists, fetches, submits and fetches feedback with nbgrader's
ExchangeList / ExchangeFetchAssignment / ExchangeSubmit / ExchangeFetchFeedback (whatever
the ExchangeFactory configured in nbgrader_config.py gives), and checks a notebook's
visible tests with nbgrader's Validator. Everything a person reads comes back in Chinese.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jupyter_core.paths import jupyter_config_path
from nbformat import read as read_nb
from nbgrader import utils
from nbgrader.apps import NbGrader
from nbgrader.auth import Authenticator
from nbgrader.coursedir import CourseDirectory
from nbgrader.exchange import ExchangeFactory
from nbgrader.validator import Validator
from traitlets.config import Config

from airclass.core import timefmt
from airclass.learner import paths
from airclass.learner.feedback import Feedback, parse_feedback
from airclass.learner.status import assignment_status, score_text

log = logging.getLogger("airclass.learner")


class ActionError(RuntimeError):
    """An action a cadre asked for did not work; the message is for the cadre (Chinese)."""


@dataclass
class AssignmentView:
    course_id: str
    course_title: str
    assignment_id: str
    title: str
    due: str
    due_passed: bool
    pass_mark: float | None
    status: str
    notebooks: list[dict[str, str]] = field(default_factory=list)  # name, path, saved (Beijing)
    submitted_at: str = ""
    score: str = ""
    feedback: Feedback | None = None


def _load_config(root_dir: str) -> Config:
    """nbgrader's configuration as its own assignment-list extension loads it, with the
    assignment folder pinned to the cadre's server root (not the process's cwd)."""
    app = NbGrader()
    app.config_file_paths.extend([root_dir, *jupyter_config_path()])
    app.load_config_file()
    config = app.config
    config.Exchange.assignment_dir = root_dir
    return config


def _course_catalog(public_dir: Path, course_id: str) -> dict[str, Any]:
    path = public_dir / course_id / "course.toml"
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return {}


class MyAssignments:
    def __init__(self, root_dir: str, public_dir: str | None = None):
        self.root_dir = os.path.abspath(root_dir)
        self.public_dir = Path(public_dir or os.environ.get("AIRCLASS_PUBLIC_DIR", "/srv/airclass/public"))

    # --- nbgrader objects -------------------------------------------------------------
    def _objects(self, course_id: str | None = None, assignment_id: str | None = None, **flags):
        config = _load_config(self.root_dir)
        if course_id:
            config.CourseDirectory.course_id = course_id
        if assignment_id:
            config.CourseDirectory.assignment_id = assignment_id
        for key, value in flags.items():
            setattr(config.ExchangeList, key, value)
        coursedir = CourseDirectory(config=config)
        authenticator = Authenticator(config=config)
        return ExchangeFactory(config=config), dict(
            coursedir=coursedir, authenticator=authenticator, config=config
        )

    def _run(self, kind: str, course_id: str, assignment_id: str | None = None, **flags):
        factory, kwargs = self._objects(course_id, assignment_id, **flags)
        return getattr(factory, kind)(**kwargs).start()

    # --- reading ----------------------------------------------------------------------
    def courses(self) -> list[str]:
        """The cadre's courses, as nbgrader sees them (hub groups nbgrader-<course>)."""
        factory, kwargs = self._objects()
        return sorted(kwargs["authenticator"].get_student_courses("*") or [])

    def list(self, now: dt.datetime | None = None) -> list[AssignmentView]:
        now = now or dt.datetime.now(dt.UTC)
        views: list[AssignmentView] = []
        for course_id in self.courses():
            meta = _course_catalog(self.public_dir, course_id)
            released = {a["assignment_id"]: a for a in self._run("List", course_id)}
            submitted = {a["assignment_id"]: a for a in self._run("List", course_id, cached=True)}
            catalog = meta.get("assignments", [])
            known = [str(a["id"]) for a in catalog]
            extra = sorted(set(released) - set(known))
            for assignment_id in known + extra:
                item = next((a for a in catalog if str(a["id"]) == assignment_id), {})
                views.append(self._view(course_id, meta, item, assignment_id, released, submitted, now))
        return views

    def _view(self, course_id, meta, item, assignment_id, released, submitted, now) -> AssignmentView:
        due = item.get("due")
        folder = Path(self.root_dir) / paths.assignment_folder(course_id, assignment_id)
        latest = None
        if assignment_id in submitted and submitted[assignment_id]["submissions"]:
            latest = submitted[assignment_id]["submissions"][-1]
        feedback = None
        if latest is not None and latest.get("has_exchange_feedback"):
            if not latest.get("has_local_feedback") or latest.get("feedback_updated"):
                try:  # feedback is returned: bring it in, so score and comments show at once
                    self._run("FetchFeedback", course_id, assignment_id)
                except Exception:
                    log.exception("fetching feedback for %s/%s", course_id, assignment_id)
            feedback = self._read_feedback(folder, latest["timestamp"])
        pass_mark = float(item["pass_mark"]) if "pass_mark" in item else None
        view = AssignmentView(
            course_id=course_id,
            course_title=str(meta.get("title", course_id)),
            assignment_id=assignment_id,
            title=str(item.get("title", assignment_id)),
            due=timefmt.deadline(due) if due else "",
            due_passed=bool(due) and timefmt.parse_utc(due) is not None and timefmt.parse_utc(due) < now,
            pass_mark=pass_mark,
            status=assignment_status(
                released=assignment_id in released,
                fetched=folder.is_dir(),
                submitted=latest is not None,
                returned=feedback is not None,
            ),
            notebooks=self._notebooks(folder),
            submitted_at=timefmt.beijing(timefmt.nbgrader_timestamp(latest["timestamp"])) if latest else "",
        )
        if feedback is not None:
            view.feedback = feedback
            view.score = score_text(feedback.score, feedback.max_score, pass_mark)
        return view

    def _notebooks(self, folder: Path) -> list[dict[str, str]]:
        if not folder.is_dir():
            return []
        return [
            {
                "name": nb.name,
                "path": os.path.relpath(nb, self.root_dir),
                "saved": timefmt.beijing(dt.datetime.fromtimestamp(nb.stat().st_mtime, dt.UTC)),
            }
            for nb in sorted(folder.glob("*.ipynb"))
        ]

    def _read_feedback(self, folder: Path, timestamp: str) -> Feedback | None:
        where = folder / "feedback" / timestamp
        pages = sorted(where.glob("*.html"))
        if not pages:
            return None
        notebooks = {nb.stem: nb for nb in folder.glob("*.ipynb")}
        parts = [parse_feedback(p.read_text(encoding="utf-8"), notebooks.get(p.stem)) for p in pages]
        return Feedback.combine(parts)

    # --- actions ----------------------------------------------------------------------
    def _find(self, course_id: str, assignment_id: str) -> AssignmentView:
        for view in self.list():
            if view.course_id == course_id and view.assignment_id == assignment_id:
                return view
        raise ActionError("没有找到这份作业，请刷新页面后再试。")

    def fetch(self, course_id: str, assignment_id: str) -> AssignmentView:
        view = self._find(course_id, assignment_id)
        if view.status != "未领取":
            raise ActionError(f"《{view.title}》当前状态为“{view.status}”，无需领取。")
        try:
            self._run("FetchAssignment", course_id, assignment_id)
        except Exception as exc:
            log.exception("fetch %s/%s", course_id, assignment_id)
            raise ActionError("领取失败，请稍后再试；如仍失败请联系培训师。") from exc
        return self._find(course_id, assignment_id)

    def submit(self, course_id: str, assignment_id: str) -> AssignmentView:
        view = self._find(course_id, assignment_id)
        if not view.notebooks:
            raise ActionError(f"还没有领取《{view.title}》，请先点“领取”。")
        try:
            self._run("Submit", course_id, assignment_id)
        except Exception as exc:
            log.exception("submit %s/%s", course_id, assignment_id)
            raise ActionError("提交失败，请稍后再试；如仍失败请联系培训师。") from exc
        return self._find(course_id, assignment_id)

    def check(self, course_id: str, assignment_id: str) -> list[dict[str, Any]]:
        """Run the notebook's visible checks (the cadre's copy has no hidden ones)."""
        view = self._find(course_id, assignment_id)
        if not view.notebooks:
            raise ActionError(f"还没有领取《{view.title}》，请先点“领取”。")
        results = []
        for nb in view.notebooks:
            results.append(
                {"notebook": nb["name"], "checks": visible_checks(Path(self.root_dir) / nb["path"])}
            )
        return results


def _error_in_chinese(cell) -> str:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            name = output.get("ename", "")
            if name == "AssertionError":
                return "结果与预期不符"
            if name == "NameError":
                return "找不到要检查的函数或变量：请确认定义它的单元格已经写好并运行"
            if name in ("SyntaxError", "IndentationError"):
                return "代码有语法错误（如括号、缩进）"
            if name == "NotImplementedError":
                return "这道题还没有作答"
            return "程序运行出错"
    return "结果与预期不符"


def visible_checks(notebook: Path) -> list[dict[str, Any]]:
    """Each visible test cell of the notebook: number, points, passed, reason (Chinese)."""
    with notebook.open(encoding="utf-8") as fh:
        nb = read_nb(fh, as_version=4)
    validator = Validator(config=_load_config(str(notebook.parent)))
    cwd = os.getcwd()
    try:
        os.chdir(notebook.parent)
        ran = validator._preprocess(nb)  # nbgrader's own execute-and-grade pipeline
    finally:
        os.chdir(cwd)
    checks = []
    for cell in ran.cells:
        if cell.cell_type != "code" or not utils.is_grade(cell) or utils.is_solution(cell):
            continue
        score, points = utils.determine_grade(cell, log)
        passed = score is not None and points is not None and score >= points
        checks.append(
            {
                "number": len(checks) + 1,
                "points": points,
                "passed": passed,
                "reason": "" if passed else _error_in_chinese(cell),
            }
        )
    return checks
