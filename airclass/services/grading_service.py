"""Instant feedback: a hub service that grades each submission as it arrives.

    python -m airclass.services.grading_service      (started by the hub, as root)

It also answers the formgraders' Autograde button (airclass.services.regrade_spool): the
submission a trainer asks for is graded in the sandbox pool, never as grader-<course>.

Every `grading.poll_every` seconds it lists each deployed course's exchange inbound. A
submission newer than the one in the course's submitted/ folder, of an assignment whose
course.toml entry does not say `instant_feedback = false` (exams), is collected
(`nbgrader collect --student`, as grader-<course>) and graded at once in the sandbox pool
(grader/batch.py), and its feedback is released: the autograded part with its points, the
written answers marked "待培训师评阅" until a trainer scores them.

Where a cadre's result lands (for 我的作业 / 我的学习进度):
  * the course gradebook (nbgrader's rows: SubmittedAssignment.score, code_score,
    needs_manual_grade), readable by the dashboard account (group ac-<course>);
  * `<data>/courses/<course>/autograded/<cadre>/<assignment>/.airclass-graded.json`:
    {"timestamp", "score", "code_score", "max_score", "needs_manual", "flags"} of the
    last grading (flags in Chinese, e.g. "超时");
  * the feedback HTML in the exchange (`nbgrader fetch_feedback` / 获取反馈 in JupyterLab).

It runs as root because it starts lanes as grader-<course> and sandboxes as the pool
accounts; what it reads from the exchange is only file names, checked before use.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import pwd
import signal
import sys
import threading
import traceback

from nbgrader.utils import parse_utc

from airclass.core import names
from airclass.core.catalog import CatalogError, load_course
from airclass.core.settings import Settings, load
from airclass.services import regrade_spool
from airclass.system.layout import deployed_course_ids
from grader.batch import LanePool, grade_submissions
from grader.grading import GradingError, collect


def _parse(name: str) -> tuple[str, str, dt.datetime] | None:
    """(student, assignment, time) of an inbound entry `student+assignment+time[+random]`."""
    parts = name.split("+")
    if len(parts) not in (3, 4) or not names.USERNAME.match(parts[0]):
        return None
    try:
        return parts[0], parts[1], parse_utc(parts[2])
    except (ValueError, TypeError, OverflowError):
        return None


def _submitted_at(settings: Settings, course_id: str, student: str, assignment: str) -> dt.datetime | None:
    path = settings.course_root(course_id) / "submitted" / student / assignment / "timestamp.txt"
    try:
        return parse_utc(path.read_text(encoding="utf-8").strip())
    except (OSError, ValueError, TypeError):
        return None


def pending(settings: Settings, course_id: str, instant: set[str], tried: dict) -> dict[str, list[str]]:
    """assignment → cadres with a submission in the inbound newer than the collected one."""
    inbound = settings.exchange_dir / course_id / "inbound"
    newest: dict[tuple[str, str], dt.datetime] = {}
    try:
        entries = os.listdir(inbound)
    except OSError:
        return {}
    for entry in entries:
        parsed = _parse(entry)
        if parsed is None or parsed[1] not in instant:
            continue
        student, assignment, when = parsed
        if newest.get((student, assignment)) is None or when > newest[(student, assignment)]:
            newest[(student, assignment)] = when
    todo: dict[str, list[str]] = {}
    for (student, assignment), when in sorted(newest.items()):
        collected = _submitted_at(settings, course_id, student, assignment)
        key = (course_id, student, assignment)
        if (collected is None or when > collected) and tried.get(key) != when:
            tried[key] = when
            todo.setdefault(assignment, []).append(student)
    return todo


def instant_assignments(settings: Settings, course_id: str) -> set[str]:
    try:
        course = load_course(settings.course_root(course_id), check_notebooks=False)
    except CatalogError:
        return set()
    return {a.id for a in course.assignments if a.instant_feedback}


def answer_formgrader_requests(settings: Settings, course_id: str, lanes: dict, stop=None) -> int:
    """Grade, in the sandbox pool, each submission the course's formgrader asked for (its
    Autograde button, airclass.services.formgrader_autograde), and answer each request."""
    root = settings.course_root(course_id)
    if not regrade_spool.spool_dir(root).is_dir():
        return 0
    try:
        grader_uid = pwd.getpwnam(names.grader_account(course_id)).pw_uid
        with regrade_spool.Spool(root, grader_uid) as spool:
            requests = spool.requests()
            for name, assignment, student in requests:
                spool.answer(name, _regrade(settings, course_id, assignment, student, lanes, stop))
    except (KeyError, OSError) as exc:
        print(f"grading service: formgrader requests of {course_id}: {exc}", file=sys.stderr, flush=True)
        return 0
    return len(requests)


def _regrade(settings: Settings, course_id: str, assignment: str, student: str, lanes, stop) -> dict:
    try:
        course = load_course(root := settings.course_root(course_id), check_notebooks=False)
    except CatalogError as exc:
        return {"success": False, "error": f"课程目录有误：{exc}"}
    if assignment not in {a.id for a in course.assignments}:
        return {"success": False, "error": f"课程 {course_id} 没有作业 {assignment}。"}
    if not (root / "submitted" / student / assignment).is_dir():
        return {"success": False, "error": f"{student} 没有已收取的 {assignment} 提交。"}
    pool = lanes.setdefault(course_id, LanePool(settings, course_id))
    summary = grade_submissions(
        settings, course_id, assignment, students=[student], force=True, lanes=pool, stop=stop
    )
    (outcome,) = summary.outcomes
    if outcome.error:
        return {"success": False, "error": f"自动评分失败：{outcome.error}"}
    flags = f"；需要培训师查看：{'、'.join(outcome.flags)}" if outcome.flags else ""
    log = f"已在评分沙箱中自动评分：{outcome.score:g} / {outcome.max_score:g} 分{flags}"
    print(f"formgrader request {course_id}/{assignment}/{student}: {outcome.score:g}", flush=True)
    return {"success": True, "log": log, "score": outcome.score, "flags": outcome.flags}


def grade_new(settings: Settings, tried: dict, lanes: dict | None = None, stop=None) -> int:
    """One pass over every course; returns how many submissions were graded. `lanes`
    (course id → LanePool) keeps warm lanes between passes. New submissions are graded
    only with `grading.instant_feedback`; the formgraders' requests always are."""
    graded = 0
    lanes = {} if lanes is None else lanes
    instant = settings["grading"]["instant_feedback"]
    for course_id in deployed_course_ids(settings):
        graded += answer_formgrader_requests(settings, course_id, lanes, stop)
        if not instant:
            continue
        for assignment, students in pending(
            settings, course_id, instant_assignments(settings, course_id), tried
        ).items():
            collect(settings, course_id, assignment, students)
            pool = lanes.setdefault(course_id, LanePool(settings, course_id))
            summary = grade_submissions(
                settings, course_id, assignment, students=students, lanes=pool, stop=stop
            )
            graded += len(summary.graded)
            for outcome in summary.outcomes:
                note = f" ⚠ {'、'.join(outcome.flags)}" if outcome.flags else ""
                print(
                    f"graded {course_id}/{assignment}/{outcome.student}: {outcome.score:g}{note}", flush=True
                )
    return graded


def serve(settings: Settings, poll_every: float) -> None:
    """Poll until SIGTERM (how the hub stops its services) or Ctrl-C; then stop the
    notebooks being run (nothing half-written) and the warm lanes."""
    tried: dict = {}
    lanes: dict[str, LanePool] = {}
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    try:
        while not stop.is_set():
            try:
                grade_new(settings, tried, lanes, stop)
            except (GradingError, OSError) as exc:
                print(f"grading service: {exc}", file=sys.stderr, flush=True)
            except Exception:
                traceback.print_exc()
            stop.wait(poll_every)
    finally:
        for pool in lanes.values():
            pool.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--once", action="store_true", help="one pass, then exit")
    args = parser.parse_args(argv)
    settings = load()
    if args.once:
        grade_new(settings, {})
        return 0
    serve(settings, settings["grading"]["poll_every"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
