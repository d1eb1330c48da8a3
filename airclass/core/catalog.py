"""Course catalog: `courses/<id>/course.toml` plus its lessons and nbgrader sources.

A course directory looks like:

    courses/<id>/course.toml        metadata (see CourseSpec)
    courses/<id>/lessons/*.ipynb    ungraded, interactive lessons
    courses/<id>/source/<assignment>/*.ipynb   nbgrader source notebooks (with solutions)
    courses/<id>/data/              optional data files shipped with lessons and assignments

`load_course` validates everything a trainer can get wrong and raises CatalogError with
one message per problem, each naming the file and field.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

COURSE_ID = re.compile(r"^[a-z][a-z0-9-]{1,30}$")
ITEM_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,40}$")


def check_notebook(path: Path, graded: bool):
    """`airclass.core.course_notebooks.check_notebook`, imported on first use: it loads
    nbgrader and jsonschema (about 1.5 s), which readers of course.toml alone — every
    dashboard render, `check_notebooks=False` — must not pay."""
    from airclass.core.course_notebooks import check_notebook as check

    return check(path, graded=graded)


class CatalogError(ValueError):
    """A course on disk is wrong; the message lists every problem with file and field."""


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    notebook: str  # relative to the course directory
    video_url: str = ""
    video_fallback: str = ""


@dataclass(frozen=True)
class Assignment:
    id: str  # nbgrader assignment id == folder name under source/
    title: str
    due: dt.datetime
    points: float
    pass_mark: float
    kind: str = "homework"
    weight: float = 1.0  # share in the final mark; 0 for a practice assignment
    instant_feedback: bool = True  # false (exams): no automatic feedback on submission

    @property
    def practice(self) -> bool:
        """A practice assignment (weight 0, "不计成绩"): counts for no rate or certificate."""
        return self.weight == 0


@dataclass(frozen=True)
class Course:
    id: str
    title: str
    description: str
    audience: str
    path: Path
    lessons: tuple[Lesson, ...] = field(default_factory=tuple)
    assignments: tuple[Assignment, ...] = field(default_factory=tuple)

    def assignment(self, assignment_id: str) -> Assignment:
        for a in self.assignments:
            if a.id == assignment_id:
                return a
        known = ", ".join(a.id for a in self.assignments) or "none"
        raise CatalogError(
            f"{self.path / 'course.toml'}: course '{self.id}' has no assignment "
            f"'{assignment_id}' (known: {known})"
        )


def _need(table: dict, key: str, kind: type | tuple[type, ...], where: str, problems: list[str]):
    if key not in table:
        problems.append(f"{where}: missing field '{key}'")
        return None
    value = table[key]
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        problems.append(f"{where}: field '{key}' has the wrong type ({type(value).__name__})")
        return None
    return value


def _tables(meta: dict, key: str, where: str, problems: list[str]) -> list[dict]:
    """The entries of an array of tables ([[key]]); anything else is reported, not iterated."""
    raw = meta.get(key, [])
    if not isinstance(raw, list):
        problems.append(f"{where}: '{key}' must be a list of [[{key}]] tables")
        return []
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            problems.append(f"{where} [[{key}]] #{i + 1}: must be a table with id, title, …")
    return [item if isinstance(item, dict) else {} for item in raw]


def _optional_text(table: dict, key: str, default: str, where: str, problems: list[str]) -> str:
    value = table.get(key, default)
    if not isinstance(value, str):
        problems.append(f"{where}: field '{key}' must be text ({type(value).__name__} given)")
        return default
    return value


def _parse_due(value: object, where: str, problems: list[str]) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            problems.append(f"{where}: 'due' needs a UTC offset, e.g. 2026-12-31T23:59:00+08:00")
            return None
        return value
    problems.append(f"{where}: 'due' must be a TOML date-time such as 2026-12-31T23:59:00+08:00")
    return None


def load_course(course_dir: Path, check_notebooks: bool = True) -> Course:
    """Read and validate one course directory — the one reader of course.toml.

    `check_notebooks=False` reads course.toml alone (its fields still validated), for
    copies that hold no notebooks to check: the public catalog cadres read, a cadre's
    lesson folder, a course root the reader may not open.
    """
    course_dir = Path(course_dir)
    toml_path = course_dir / "course.toml"
    try:
        meta = tomllib.loads(toml_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CatalogError(f"{toml_path}: missing; every course needs a course.toml") from None
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"{toml_path}: not valid TOML: {exc}") from None

    problems: list[str] = []
    where = str(toml_path)
    course_id = _need(meta, "id", str, where, problems)
    if course_id is not None and not COURSE_ID.match(course_id):
        problems.append(f"{where}: id '{course_id}' must be an ASCII slug like 'labor-law'")
    if check_notebooks and course_id is not None and course_id != course_dir.name:
        problems.append(f"{where}: id '{course_id}' differs from its folder '{course_dir.name}'")
    title = _need(meta, "title", str, where, problems)
    description = _need(meta, "description", str, where, problems)
    audience = _optional_text(meta, "audience", "基层工会干部", where, problems)

    lessons: list[Lesson] = []
    for i, raw in enumerate(_tables(meta, "lessons", where, problems)):
        lw = f"{where} [[lessons]] #{i + 1}"
        lid = _need(raw, "id", str, lw, problems)
        ltitle = _need(raw, "title", str, lw, problems)
        notebook = _need(raw, "notebook", str, lw, problems)
        if lid and not ITEM_ID.match(lid):
            problems.append(f"{lw}: id '{lid}' must be lowercase ASCII (a-z, 0-9, - or _)")
        video_url = _optional_text(raw, "video_url", "", lw, problems)
        video_fallback = _optional_text(raw, "video_fallback", "", lw, problems)
        if notebook and not (course_dir / notebook).resolve().is_relative_to(course_dir.resolve()):
            problems.append(f"{lw}: notebook '{notebook}' must lie inside the course folder")
        elif notebook and check_notebooks:
            nb_path = course_dir / notebook
            if not nb_path.is_file():
                problems.append(f"{lw}: notebook '{notebook}' not found under {course_dir}")
            else:
                problems += check_notebook(nb_path, graded=False).problems
        local_video = course_dir / video_url
        if (
            check_notebooks
            and video_url
            and "://" not in video_url
            and not (local_video.resolve().is_relative_to(course_dir.resolve()) and local_video.is_file())
        ):
            problems.append(
                f"{lw}: video_url '{video_url}' is neither a web address nor a file in the course folder "
                f"（本地视频 {video_url} 不存在：把视频文件放到课程文件夹里，或删掉 video_url 只显示文字版）"
            )
        if lid and ltitle and notebook:
            lessons.append(Lesson(lid, ltitle, notebook, video_url, video_fallback))

    assignments: list[Assignment] = []
    for i, raw in enumerate(_tables(meta, "assignments", where, problems)):
        aw = f"{where} [[assignments]] #{i + 1}"
        aid = _need(raw, "id", str, aw, problems)
        atitle = _need(raw, "title", str, aw, problems)
        points = _need(raw, "points", (int, float), aw, problems)
        pass_mark = _need(raw, "pass_mark", (int, float), aw, problems)
        kind = _optional_text(raw, "kind", "homework", aw, problems)
        instant = raw.get("instant_feedback", True)
        if not isinstance(instant, bool):
            problems.append(f"{aw}: 'instant_feedback' must be true or false")
            instant = True
        due = _parse_due(raw.get("due"), aw, problems) if "due" in raw else None
        weight = raw.get("weight", 1)
        if isinstance(weight, bool) or not isinstance(weight, int | float) or weight < 0:
            problems.append(f"{aw}: 'weight' must be a number ≥ 0 (0 = practice, not counted)")
            weight = None
        if "due" not in raw:
            problems.append(f"{aw}: missing field 'due'")
        if aid and not ITEM_ID.match(aid):
            problems.append(f"{aw}: id '{aid}' must be lowercase ASCII (a-z, 0-9, - or _)")
        if points is not None and pass_mark is not None and not 0 <= pass_mark <= points:
            problems.append(f"{aw}: pass_mark {pass_mark} must lie between 0 and points {points}")
        if aid and check_notebooks:
            src = course_dir / "source" / aid
            notebooks = sorted(src.glob("*.ipynb"))
            if not notebooks:
                problems.append(f"{aw}: no notebooks in {src}")
            reports = [check_notebook(nb, graded=True) for nb in notebooks]
            for report in reports:
                problems += report.problems
            found = sum(report.points for report in reports)
            if notebooks and points is not None and abs(found - points) > 1e-9:
                problems.append(
                    f"{aw}: points = {points} but the notebooks' nbgrader cells add up to {found:g} "
                    f"（course.toml 写的总分 {points} 与笔记本评分单元格分值之和 {found:g} 不符："
                    "改 course.toml 的 points 或单元格的 Points）"
                )
        if aid and atitle and points is not None and pass_mark is not None and due and weight is not None:
            assignments.append(
                Assignment(aid, atitle, due, float(points), float(pass_mark), kind, float(weight), instant)
            )

    for kind, items in (("lesson", lessons), ("assignment", assignments)):
        ids = [x.id for x in items]
        for dup in sorted({x for x in ids if ids.count(x) > 1}):
            problems.append(f"{where}: {kind} id '{dup}' is used twice")

    if problems:
        raise CatalogError("\n".join(problems))
    return Course(course_id, title, description, audience, course_dir, tuple(lessons), tuple(assignments))


def discover(courses_root: Path) -> list[Course]:
    """Load every course under `courses_root`; all problems of all courses in one error."""
    courses, problems = [], []
    for course_dir in sorted(p for p in Path(courses_root).iterdir() if (p / "course.toml").exists()):
        try:
            courses.append(load_course(course_dir))
        except CatalogError as exc:
            problems.append(str(exc))
    if problems:
        raise CatalogError("\n".join(problems))
    return courses


def course_toml(course: Course) -> str:
    """A course.toml for `course` — what `load_course` reads back (used to build test and
    benchmark catalogs from Course objects)."""

    def text(value: str) -> str:
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML string

    lines = [
        f"id = {text(course.id)}",
        f"title = {text(course.title)}",
        f"description = {text(course.description)}",
        f"audience = {text(course.audience)}",
    ]
    for lesson in course.lessons:
        lines += [
            "",
            "[[lessons]]",
            f"id = {text(lesson.id)}",
            f"title = {text(lesson.title)}",
            f"notebook = {text(lesson.notebook)}",
            f"video_url = {text(lesson.video_url)}",
            f"video_fallback = {text(lesson.video_fallback)}",
        ]
    for a in course.assignments:
        lines += [
            "",
            "[[assignments]]",
            f"id = {text(a.id)}",
            f"title = {text(a.title)}",
            f"due = {a.due.isoformat()}",
            f"points = {a.points:g}",
            f"pass_mark = {a.pass_mark:g}",
            f"kind = {text(a.kind)}",
            f"weight = {a.weight:g}",
            f"instant_feedback = {'true' if a.instant_feedback else 'false'}",
        ]
    return "\n".join(lines) + "\n"
