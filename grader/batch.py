"""Grade every submission of an assignment: N lanes, the sandbox pool, resumable (root side).

`grade_submissions` starts N lanes (grader/lane.py, as grader-<course>) and gives each
one pool account (grader/sandbox.py). Submissions are handed out one at a time; a
submission already graded (its marker matches its timestamp) is skipped unless `force`,
and only its feedback is refreshed when a trainer changed its grades since.

Ctrl-C (or `stop`) aborts the notebooks being executed — their lanes are still in the
read-only phase and write nothing — lets any lane that is recording finish (well under a
second), and returns a summary marked interrupted; a rerun grades what is left, each
submission exactly once.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import queue
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath

from nbgrader.api import Gradebook, MissingEntry

from airclass.core import names
from airclass.core.settings import Settings
from airclass.system import accounts, childproc
from grader import sandbox
from grader.lane import MARKER


class BatchError(RuntimeError):
    pass


@dataclass
class Outcome:
    student: str
    score: float = 0.0
    max_score: float = 0.0
    needs_manual: bool = False
    flags: list[str] = field(default_factory=list)
    graded_now: bool = False
    error: str = ""


@dataclass
class BatchSummary:
    course_id: str
    assignment_id: str
    max_score: float
    outcomes: list[Outcome]
    workers: int
    seconds: float
    interrupted: bool = False
    refused: list = field(default_factory=list)  # grader.intake.Refusal: quarantined inbox entries

    @property
    def graded(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.graded_now and not o.error]

    @property
    def flagged(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.flags and not o.error]

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.error]

    @property
    def skipped(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.graded_now and not o.error]

    def as_json(self) -> dict:
        return {
            "course": self.course_id,
            "assignment": self.assignment_id,
            "max_score": self.max_score,
            "workers": self.workers,
            "seconds": round(self.seconds, 2),
            "interrupted": self.interrupted,
            "graded": [o.student for o in self.graded],
            "skipped": [o.student for o in self.skipped],
            "flagged": {o.student: o.flags for o in self.flagged},
            "failed": {o.student: o.error for o in self.failed},
            "scores": {o.student: asdict(o) for o in self.outcomes if not o.error},
        }

    def table(self) -> str:
        head = (
            f"{self.course_id}/{self.assignment_id}: {len(self.outcomes)} 份提交，满分 {self.max_score:g}"
            f"（本次评分 {len(self.graded)}，跳过已评分 {len(self.skipped)}，标记 {len(self.flagged)}，"
            f"失败 {len(self.failed)}，用时 {self.seconds:.1f} 秒，{self.workers} 个并行）"
        )
        lines = [head]
        for o in sorted(self.outcomes, key=lambda o: o.student):
            if o.error:
                continue
            note = "（待人工评分）" if o.needs_manual else ""
            flags = f" ⚠ {'、'.join(o.flags)}" if o.flags else ""
            lines.append(f"  {o.student}: {o.score:g}{note}{flags}")
        if self.failed:
            lines.append("评分失败（其他提交不受影响）：")
            lines += [f"  {o.student}: {o.error.splitlines()[0] if o.error else ''}" for o in self.failed]
        if self.interrupted:
            lines.append("已中断：再次运行同一命令会继续评未完成的提交。")
        if self.refused:
            lines.append(f"未收取 {len(self.refused)} 份（已移到课程目录 quarantine/，见各自的“原因”文件）：")
            lines += [f"  {r.entry}: {r.reason}" for r in self.refused]
        return "\n".join(lines)


def read_marker(settings: Settings, course_id: str, assignment_id: str, student: str) -> dict:
    path = settings.course_root(course_id) / "autograded" / student / assignment_id / MARKER
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _timestamp(settings: Settings, course_id: str, assignment_id: str, student: str) -> str:
    path = settings.course_root(course_id) / "submitted" / student / assignment_id / "timestamp.txt"
    return path.read_text(encoding="utf-8").strip() if path.is_file() else ""


def submissions(settings: Settings, course_id: str, assignment_id: str) -> list[str]:
    submitted = settings.course_root(course_id) / "submitted"
    if not submitted.is_dir():
        return []
    return sorted(p.name for p in submitted.iterdir() if (p / assignment_id).is_dir())


def needs_grading(settings: Settings, course_id: str, assignment_id: str, student: str) -> bool:
    marker = read_marker(settings, course_id, assignment_id, student)
    return marker.get("timestamp") != _timestamp(settings, course_id, assignment_id, student)


def _safe_relpaths(files: list) -> list[str]:
    safe = []
    for rel in files:
        path = PurePosixPath(str(rel))
        if not path.is_absolute() and ".." not in path.parts and str(path) not in ("", "."):
            safe.append(str(path))
    return safe


class LaneProcess:
    """A lane (grader/lane.py) running as the course's grader account."""

    def __init__(self, settings: Settings, course_id: str) -> None:
        user = names.grader_account(course_id)
        root = settings.course_root(course_id)
        self.proc = subprocess.Popen(
            [
                childproc.system_tool("runuser"),
                "-u",
                user,
                "--",
                settings.runtime_bin("python"),
                "-m",
                "grader.lane",
                str(root),
            ],
            cwd=root,
            env=childproc.child_env(settings, user, reads_settings=False),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
            start_new_session=True,  # a terminal's Ctrl-C reaches only us; we stop lanes cleanly
        )
        self.log: list[str] = []  # the lane's recent log lines (nbgrader's), for failures
        threading.Thread(target=self._read_log, daemon=True).start()

    def _read_log(self) -> None:
        for line in self.proc.stderr:
            if "SAWarning" in line or line.startswith("  for notebook") or line.startswith("  return ["):
                continue  # nbgrader's SQLAlchemy noise
            self.log.append(line)
            del self.log[:-60]

    def recent_log(self) -> str:
        return "".join(self.log)[-4000:]

    def send(self, message: dict) -> None:
        self.proc.stdin.write(json.dumps(message, ensure_ascii=False) + "\n")
        self.proc.stdin.flush()

    def receive(self) -> dict:
        line = self.proc.stdout.readline()
        if not line:
            raise BatchError(f"the grading lane exited (code {self.proc.poll()})")
        return json.loads(line)

    def close(self) -> None:
        try:
            self.send({"op": "quit"})
            self.proc.stdin.close()
            self.proc.wait(timeout=10)
        except (OSError, ValueError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()


class LanePool:
    """Idle lanes of one course kept between runs (the grading service): a warm lane has
    nbgrader imported and its feedback templates compiled, seconds saved per submission."""

    def __init__(self, settings: Settings, course_id: str) -> None:
        self.settings, self.course_id = settings, course_id
        self.idle: list[LaneProcess] = []
        self.lock = threading.Lock()

    def get(self) -> LaneProcess:
        with self.lock:
            while self.idle:
                lane = self.idle.pop()
                if lane.proc.poll() is None:
                    return lane
        return LaneProcess(self.settings, self.course_id)

    def put(self, lane: LaneProcess) -> None:
        with self.lock:
            self.idle.append(lane)

    def close(self) -> None:
        with self.lock:
            lanes, self.idle = self.idle, []
        for lane in lanes:
            lane.close()


class Progress:
    def __init__(self, total: int, enabled: bool) -> None:
        self.total, self.done, self.enabled = total, 0, enabled and total > 0
        self.lock = threading.Lock()
        self.start = time.monotonic()

    def step(self, student: str) -> None:
        with self.lock:
            self.done += 1
            if self.enabled:
                width = 30
                filled = int(width * self.done / self.total)
                elapsed = time.monotonic() - self.start
                sys.stderr.write(
                    f"\r评分中 [{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} "
                    f"{elapsed:5.1f} 秒  {student[:20]:<20}"
                )
                if self.done == self.total:
                    sys.stderr.write("\n")
                sys.stderr.flush()


def default_workers(settings: Settings) -> int:
    return settings["grading"]["workers"] or os.cpu_count() or 1


def grade_submissions(
    settings: Settings,
    course_id: str,
    assignment_id: str,
    *,
    workers: int | None = None,
    force: bool = False,
    students: list[str] | None = None,
    progress: bool = False,
    stop: threading.Event | None = None,
    lanes: LanePool | None = None,
) -> BatchSummary:
    """Grade the submissions under submitted/ (all, or `students`) and return the summary.
    `lanes`: reuse (and keep) warm lanes instead of starting and closing them."""
    accounts.require_root("Grading")
    with course_lock(settings, course_id):
        return _grade_locked(
            settings, course_id, assignment_id, workers, force, students, progress, stop, lanes
        )


@contextlib.contextmanager
def course_lock(settings: Settings, course_id: str):
    """One grading run per course at a time (the trainer's CLI and the grading service):
    the second waits, then finds the first one's submissions graded."""
    base = settings.data_dir / "sandbox"
    base.mkdir(mode=0o711, exist_ok=True)
    with open(base / f"course-{course_id}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _grade_locked(
    settings, course_id, assignment_id, workers, force, students, progress, stop, lanes
) -> BatchSummary:
    started = time.monotonic()
    workers = workers or default_workers(settings)
    stop = stop or threading.Event()
    everyone = students if students is not None else submissions(settings, course_id, assignment_id)
    todo = [s for s in everyone if force or needs_grading(settings, course_id, assignment_id, s)]
    refresh = [s for s in everyone if s not in todo]
    outcomes: dict[str, Outcome] = {}
    interrupted = False
    if todo or refresh:
        lanes_wanted = max(1, min(workers, len(todo))) if todo else 1
        lease = sandbox.Lease(settings, lanes_wanted)
        pool = lease.accounts
        jobs: queue.Queue = queue.Queue()
        for student in todo:
            jobs.put(("grade", student))
        for student in refresh:
            jobs.put(("refresh", student))
        bar = Progress(len(todo), progress)
        source_dir = settings.course_root(course_id) / "source" / assignment_id
        lock = threading.Lock()

        def work(account: str) -> None:
            lane = lanes.get() if lanes else LaneProcess(settings, course_id)
            healthy = True
            try:
                while not stop.is_set():
                    try:
                        op, student = jobs.get_nowait()
                    except queue.Empty:
                        return
                    outcome = _run_one(settings, lane, account, op, student, assignment_id, source_dir, stop)
                    if outcome is not None:
                        with lock:
                            outcomes[student] = outcome
                    if op == "grade":
                        bar.step(student)
            except BatchError as exc:
                healthy = False
                with lock:
                    for student in _drain(jobs):
                        outcomes[student] = Outcome(student, error=str(exc))
            finally:
                if lanes and healthy and not stop.is_set():
                    lanes.put(lane)
                else:
                    lane.close()

        threads = [threading.Thread(target=work, args=(account,), daemon=True) for account in pool]
        for thread in threads:
            thread.start()
        try:
            for thread in threads:
                while thread.is_alive():
                    thread.join(timeout=0.2)
        except KeyboardInterrupt:
            interrupted = True
            stop.set()
            for thread in threads:
                thread.join()
        finally:
            lease.release()
        interrupted = interrupted or stop.is_set()
    summary = _summarize(settings, course_id, assignment_id, everyone, outcomes)
    return BatchSummary(
        course_id,
        assignment_id,
        summary["max_score"],
        summary["outcomes"],
        workers,
        time.monotonic() - started,
        interrupted,
    )


def _drain(jobs: queue.Queue) -> list[str]:
    left = []
    while True:
        try:
            op, student = jobs.get_nowait()
        except queue.Empty:
            return left
        if op == "grade":
            left.append(student)


def _run_one(settings, lane, account, op, student, assignment_id, source_dir, stop) -> Outcome | None:
    lane.send({"op": op, "student": student, "assignment": assignment_id})
    while True:
        message = lane.receive()
        kind = message.get("op")
        if kind == "execute":
            result = sandbox.run_notebook(
                settings,
                account,
                str(message.get("notebook", "")),
                source_dir,
                _safe_relpaths(message.get("files", [])),
                stop=stop,
            )
            if result.aborted:
                lane.send({"op": "abort"})
                continue
            lane.send(
                {
                    "op": "executed",
                    "cells": {str(k): v for k, v in result.cells.items()},
                    "flags": result.flags,
                    "finished": result.finished,
                }
            )
        elif kind == "graded":
            return Outcome(
                student,
                float(message.get("score") or 0),
                float(message.get("max_score") or 0),
                bool(message.get("needs_manual")),
                list(message.get("flags", [])),
                graded_now=True,
            )
        elif kind == "refreshed":
            return None
        elif kind == "aborted":
            return None
        elif kind == "failed":
            error = f"{message.get('error', '')}\n{lane.recent_log()}".strip()
            return Outcome(student, error=error, graded_now=True)
        else:
            raise BatchError(f"unexpected message from the grading lane: {kind!r}")


def _summarize(settings, course_id, assignment_id, students, outcomes) -> dict:
    result: list[Outcome] = []
    max_score = 0.0
    with Gradebook(settings.gradebook_url(course_id), course_id) as gb:
        try:
            max_score = gb.find_assignment(assignment_id).max_score
        except MissingEntry:
            max_score = 0.0
        for student in students:
            known = outcomes.get(student)
            if known is not None and known.error:
                result.append(known)
                continue
            try:
                sub = gb.find_submission(assignment_id, student)
            except MissingEntry:
                continue  # interrupted before it was recorded
            marker = read_marker(settings, course_id, assignment_id, student)
            if not marker and known is None:
                continue  # rows of an unfinished grading: not reported as graded
            result.append(
                Outcome(
                    student,
                    float(sub.score),
                    float(sub.max_score),
                    bool(sub.needs_manual_grade),
                    list(marker.get("flags", [])),
                    graded_now=known is not None and known.graded_now,
                )
            )
    return {"max_score": max_score, "outcomes": result}


def write_json(summary: BatchSummary, path: Path | None = None) -> str:
    text = json.dumps(summary.as_json(), ensure_ascii=False, indent=2)
    if path:
        path.write_text(text, encoding="utf-8")
    return text
