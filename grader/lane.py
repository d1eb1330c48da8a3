"""One grading lane: runs as the course's grader account and grades one submission at a time.

    runuser -u grader-<course> -- python -m grader.lane <course root>

Root (grader/batch.py) starts one lane per worker and talks JSON lines with it:

    root → lane   {"op": "grade", "student": S, "assignment": A}
    lane → root   {"op": "execute", "notebook": "<json>", "source_dir": …, "files": [...]}
    root → lane   {"op": "executed", "cells": {...}, "flags": [...]}  or  {"op": "abort"}
    lane → root   {"op": "graded", …}  |  {"op": "failed", …}  |  {"op": "aborted", …}

The split is nbgrader's own (cf. nbgrader #483, PR #970): sanitize and record run here, on
nbgrader's converters and gradebook; only "execute" leaves, to the sandbox pool. A
submission is graded in two phases so that an interrupted run writes nothing:

  A. read-only: each notebook is sanitized with nbgrader's sanitize preprocessors (cells the
     cadre may not change are restored from the gradebook), checked for tampering
     (grader/integrity.py) and executed in the sandbox; outputs are kept in memory;
  B. nbgrader's `Autograde` converter runs as usual — same files, same gradebook rows —
     except that its Execute step puts phase A's outputs on the notebook instead of running
     it. Then feedback is generated (LeakFreeFeedback) and released for that cadre alone,
     and `autograded/<S>/<A>/.airclass-graded.json` records the submission's timestamp and
     flags: a rerun skips exactly the submissions that have it.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import traceback
import warnings
from pathlib import Path

sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]  (see sandbox_runner)
# Every notebook is read and written several times: validate with the compiled validator.
os.environ.setdefault("NBFORMAT_VALIDATOR", "fastjsonschema")

import nbformat  # noqa: E402
from nbconvert.preprocessors import ClearMetadataPreprocessor  # noqa: E402
from nbconvert.writers import FilesWriter  # noqa: E402
from nbgrader import utils  # noqa: E402
from nbgrader.api import Gradebook, MissingEntry  # noqa: E402
from nbgrader.converters import Autograde, GenerateFeedback  # noqa: E402
from nbgrader.coursedir import CourseDirectory  # noqa: E402
from nbgrader.exchange.default import ExchangeReleaseFeedback  # noqa: E402
from nbgrader.preprocessors import (  # noqa: E402
    AssignLatePenalties,
    CheckCellMetadata,
    IgnorePattern,
    LimitOutput,
    NbGraderPreprocessor,
    SaveAutoGrades,
)
from traitlets.config import Config  # noqa: E402
from traitlets.config.loader import PyFileConfigLoader  # noqa: E402

from grader import integrity  # noqa: E402
from grader.sandbox import SandboxResult, merge_outputs  # noqa: E402

MARKER = ".airclass-graded.json"
NOT_A_NOTEBOOK = "不是有效的 notebook"


class Aborted(Exception):
    pass


class Channel:
    """JSON lines with root on a private copy of stdout; nbgrader's logging goes to stderr."""

    def __init__(self) -> None:
        self._out = os.fdopen(os.dup(1), "w", encoding="utf-8")
        os.dup2(2, 1)
        self._in = sys.stdin

    def send(self, message: dict) -> None:
        self._out.write(json.dumps(message, ensure_ascii=False) + "\n")
        self._out.flush()

    def receive(self) -> dict | None:
        line = self._in.readline()
        return json.loads(line) if line else None


def load_config(root: Path) -> Config:
    cfg = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    cfg.CourseDirectory.root = str(root)
    return cfg


def marker_path(coursedir: CourseDirectory, student: str, assignment: str) -> Path:
    return Path(coursedir.format_path(coursedir.autograded_directory, student, assignment)) / MARKER


def submitted_timestamp(coursedir: CourseDirectory, student: str, assignment: str) -> str:
    path = Path(coursedir.format_path(coursedir.submitted_directory, student, assignment)) / "timestamp.txt"
    return path.read_text(encoding="utf-8").strip() if path.is_file() else ""


def is_graded(coursedir: CourseDirectory, student: str, assignment: str) -> bool:
    """Graded by airclass, and not resubmitted since."""
    try:
        marker = json.loads(marker_path(coursedir, student, assignment).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return marker.get("timestamp") == submitted_timestamp(coursedir, student, assignment)


class ReplayExecution(NbGraderPreprocessor):
    """Autograde's Execute step, replaced: the notebook phase A sanitized, with the outputs
    of its sandbox run."""

    staged: dict = {}

    def preprocess(self, nb, resources):
        sanitized, result = self.staged[resources["nbgrader"]["notebook"]]
        return nbformat.from_dict(merge_outputs(sanitized, result)), resources


class StagedAutograde(Autograde):
    """nbgrader's Autograde with the execute step swapped for ReplayExecution. Its sanitize
    pass only copies the file: phase A already ran nbgrader's sanitize preprocessors."""

    def _init_preprocessors(self) -> None:
        if self._sanitizing:
            self.sanitize_preprocessors = []
        else:
            self.autograde_preprocessors = [
                ReplayExecution,
                IgnorePattern,
                ClearMetadataPreprocessor,
                LimitOutput,
                SaveAutoGrades,
                AssignLatePenalties,
                CheckCellMetadata,
            ]
        super()._init_preprocessors()

    def init_assignment(self, assignment_id: str, student_id: str) -> None:
        super().init_assignment(assignment_id, student_id)
        # notebooks that are not notebooks were scored 0 in phase A; nbgrader would fail
        self.notebooks = [nb for nb in self.notebooks if Path(nb).stem in ReplayExecution.staged]


class ReusedFeedback(GenerateFeedback):
    """GenerateFeedback that keeps its HTML exporter between cadres: building one compiles
    the feedback templates (~0.8 s of CPU), the same for every cadre of the course."""

    _kept = None

    def start(self) -> None:
        self.init_notebooks()
        self.writer = FilesWriter(parent=self, config=self.config)
        if self._kept is None:
            self._kept = self.exporter_class(parent=self, config=self.config)
            for pp in self.preprocessors:
                self._kept.register_preprocessor(pp)
        self.exporter = self._kept
        currdir = os.getcwd()
        os.chdir(self.coursedir.root)
        try:
            self.convert_notebooks()
        finally:
            os.chdir(currdir)


class Lane:
    def __init__(self, root: Path, channel: Channel) -> None:
        self.root = root
        self.channel = channel
        self.config = load_config(root)
        self._feedback_cd = CourseDirectory(config=self.config)
        self._feedback_cd.root = str(root)
        self._feedback = ReusedFeedback(coursedir=self._feedback_cd, config=self.config, force=True)

    def coursedir(self, student: str, assignment: str) -> CourseDirectory:
        cd = CourseDirectory(config=self.config)
        cd.root = str(self.root)
        cd.student_id = student
        cd.assignment_id = assignment
        return cd

    # ---------------------------------------------------------------- phase A (read-only)

    def _sanitize(self, nb, resources):
        for cls in Autograde.class_traits()["sanitize_preprocessors"].default():
            nb, resources = cls(config=self.config)(nb, resources)
        return nb, resources

    def _execute(self, nb_json: str, source_dir: Path, files: list[str]) -> SandboxResult:
        self.channel.send(
            {"op": "execute", "notebook": nb_json, "source_dir": str(source_dir), "files": files}
        )
        reply = self.channel.receive()
        if not reply or reply.get("op") != "executed":
            raise Aborted()
        cells = {int(k): v for k, v in reply.get("cells", {}).items()}
        return SandboxResult(
            cells=cells, flags=list(reply.get("flags", [])), finished=bool(reply.get("finished"))
        )

    def phase_a(
        self, cd: CourseDirectory, student: str, assignment: str
    ) -> tuple[dict, list[str], list[str]]:
        """Sanitize, check and execute every notebook; nothing is written."""
        submitted = Path(cd.format_path(cd.submitted_directory, student, assignment))
        source_dir = Path(cd.format_path(cd.source_directory, ".", assignment))
        files = sorted(
            os.path.relpath(f, source_dir)
            for f in utils.find_all_files(str(source_dir), cd.ignore + ["*.ipynb"])
        )
        with Gradebook(cd.db_url, cd.course_id) as gb:
            known = [nb.name for nb in gb.find_assignment(assignment).notebooks]
        staged: dict[str, tuple] = {}
        flags: list[str] = []
        unreadable: list[str] = []
        for notebook_id in known:
            path = submitted / f"{notebook_id}.ipynb"
            if not path.exists():
                continue  # nbgrader scores a missing notebook 0
            try:
                nb = nbformat.read(str(path), as_version=4)
            except Exception:
                unreadable.append(notebook_id)
                flags.append(NOT_A_NOTEBOOK)
                continue
            resources = {
                "nbgrader": {
                    "student": student,
                    "assignment": assignment,
                    "notebook": notebook_id,
                    "db_url": cd.db_url,
                }
            }
            flags += integrity.check_submission(nb, cd.db_url, notebook_id, assignment)
            nb, resources = self._sanitize(nb, resources)
            prepared = integrity.arm(nb)
            result = self._execute(nbformat.writes(prepared.nb), source_dir, files)
            flags += result.flags
            flags += integrity.verify(prepared, result)
            result.cells = prepared.strip(result.cells)
            staged[notebook_id] = (nb, result)
        return staged, list(dict.fromkeys(flags)), unreadable

    # ---------------------------------------------------------------- phase B (writes)

    def phase_b(self, cd, student, assignment, staged, flags, unreadable) -> None:
        ReplayExecution.staged = staged
        converter = StagedAutograde(coursedir=cd, config=self.config)
        converter.force = True
        if staged:
            converter.start()
        with Gradebook(cd.db_url, cd.course_id) as gb:
            if not staged:  # nothing could be run: record the submission with zero points
                gb.update_or_create_student(student)
                gb.update_or_create_submission(assignment, student)
            for notebook_id in unreadable:
                for grade in gb.find_submission_notebook(notebook_id, assignment, student).grades:
                    grade.auto_score = 0
                    grade.needs_manual_grade = False
            if flags:  # shown to the trainer in the formgrader and to the cadre in the feedback
                note = f"⚠ 评分标记（请培训师复核）：{'、'.join(flags)}"
                for notebook in gb.find_submission(assignment, student).notebooks:
                    if notebook.comments:
                        first = notebook.comments[0]
                        first.auto_comment = (
                            note if not first.auto_comment else f"{note}\n{first.auto_comment}"
                        )
            if integrity.zeroes_scores(flags):
                for notebook in gb.find_submission(assignment, student).notebooks:
                    for grade in notebook.grades:
                        if grade.auto_score is not None:
                            grade.auto_score = 0
                            grade.needs_manual_grade = True  # the trainer decides
            gb.db.commit()

    def feedback(self, cd: CourseDirectory) -> str:
        """Generate and release this cadre's feedback; a failure here is reported, not fatal."""
        try:
            self._feedback_cd.student_id = cd.student_id
            self._feedback_cd.assignment_id = cd.assignment_id
            self._feedback.start()
            exchange_course = Path(self.config.Exchange.root or "/nonexistent") / cd.course_id
            if exchange_course.is_dir():
                ExchangeReleaseFeedback(coursedir=cd, config=self.config).start()
            return ""
        except Exception as exc:  # one cadre's feedback must not stop the others
            return f"{type(exc).__name__}: {exc}"[:500]

    def _fingerprint(self, cd: CourseDirectory, student: str, assignment: str) -> str:
        """What the feedback shows of the gradebook: changes when a trainer grades or comments."""
        with Gradebook(cd.db_url, cd.course_id) as gb:
            parts = []
            for notebook in gb.find_submission(assignment, student).notebooks:
                parts += [(g.name, g.auto_score, g.manual_score, g.extra_credit) for g in notebook.grades]
                parts += [(c.name, c.manual_comment) for c in notebook.comments]
        return json.dumps(sorted(parts, key=str), ensure_ascii=False)

    def _write_marker(self, marker: Path, record: dict) -> None:
        marker.parent.mkdir(parents=True, exist_ok=True)
        tmp = marker.with_suffix(".tmp")
        tmp.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        tmp.replace(marker)

    def refresh(self, student: str, assignment: str) -> None:
        """Regenerate and release feedback of a graded submission whose grades changed."""
        cd = self.coursedir(student, assignment)
        marker = marker_path(cd, student, assignment)
        record = json.loads(marker.read_text(encoding="utf-8"))
        now = self._fingerprint(cd, student, assignment)
        if record.get("feedback_of") != now:
            record["feedback_error"] = self.feedback(cd)
            record["feedback_of"] = now
            self._write_marker(marker, record)

    def grade(self, student: str, assignment: str) -> dict:
        cd = self.coursedir(student, assignment)
        marker = marker_path(cd, student, assignment)
        if marker.exists():
            marker.unlink()
        staged, flags, unreadable = self.phase_a(cd, student, assignment)
        self.phase_b(cd, student, assignment, staged, flags, unreadable)
        feedback_error = self.feedback(cd)
        with Gradebook(cd.db_url, cd.course_id) as gb:
            sub = gb.find_submission(assignment, student)
            summary = {
                "student": student,
                "score": sub.score,
                "code_score": sub.code_score,
                "max_score": sub.max_score,
                "needs_manual": bool(sub.needs_manual_grade),
                "flags": flags,
                "feedback_error": feedback_error,
            }
        record = {
            "timestamp": submitted_timestamp(cd, student, assignment),
            "feedback_of": self._fingerprint(cd, student, assignment),
            **summary,
        }
        self._write_marker(marker, record)
        return summary

    def serve(self) -> None:
        while True:
            message = self.channel.receive()
            if message is None or message.get("op") == "quit":
                return
            student, assignment = message["student"], message["assignment"]
            if message.get("op") == "refresh":
                try:
                    self.refresh(student, assignment)
                except Exception:
                    traceback.print_exc()
                self.channel.send({"op": "refreshed", "student": student})
                continue
            try:
                summary = self.grade(student, assignment)
                self.channel.send({"op": "graded", **summary})
            except Aborted:
                self.channel.send({"op": "aborted", "student": student})
            except MissingEntry as exc:
                self.channel.send({"op": "failed", "student": student, "error": f"gradebook: {exc}"})
            except Exception as exc:
                detail = traceback.format_exc(limit=3)
                self.channel.send({"op": "failed", "student": student, "error": f"{exc}\n{detail}"[-2000:]})


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(message)s")
    warnings.simplefilter("ignore")  # nbgrader's SQLAlchemy warnings drown its errors
    channel = Channel()
    Lane(Path(args[0]), channel).serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
