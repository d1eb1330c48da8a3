"""Checks of course notebooks, done with nbgrader's own tools.

`check_notebook` reads one lesson or assignment notebook and returns its nbgrader points
and a list of problems. Each problem names the file, the cell (position and grade_id) and
the fix, in Chinese for trainers, followed by nbgrader's own English words where nbgrader
found it. The metadata rules are nbgrader's (`MetadataValidator`); cells are classified
with `nbgrader.utils` (`is_grade`, `is_task`, `is_locked`, `compute_checksum`), the same
functions `nbgrader generate_assignment` and `autograde` use.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema
import nbformat
from nbgrader.nbgraderformat import MetadataValidator, SchemaTooNewError, SchemaTooOldError, ValidationError
from nbgrader.utils import compute_checksum, is_grade, is_locked, is_solution, is_task

# nbgrader's validator messages (their beginnings) → what a trainer does about it.
_FIXES = (
    (
        "nbgrader cell does not have a grade_id",
        "缺少 ID：在 Create Assignment 工具栏的 ID 框里填一个本笔记本内不重复的英文名",
    ),
    ("grade_id is empty", "ID 是空的：在 Create Assignment 工具栏的 ID 框里填一个英文名"),
    ("does not have points", "评分单元格缺少分值：在 Create Assignment 工具栏的 Points 框里填分数"),
    (
        "Markdown grade cell",
        "文字单元格只能选“Manually graded answer”（人工评分的回答）或“Read-only”，不能选“Autograder tests”",
    ),
    (
        "Markdown solution cell",
        "文字回答单元格要选“Manually graded answer”（人工评分的回答），不能只选“Autograded answer”",
    ),
    ("Task cells have to be markdown", "“Manually graded task”只能用在文字（Markdown）单元格上"),
)


@dataclass
class NotebookReport:
    path: Path
    points: float = 0.0
    problems: list[str] = field(default_factory=list)


def _where(path: Path, index: int, cell) -> str:
    grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
    named = f"（ID：{grade_id}）" if grade_id else ""
    return f"{path} 第 {index + 1} 个单元格{named}"


def _validator_problem(exc: Exception) -> str:
    """Chinese fix for one nbgrader validator error, with nbgrader's English text after it."""
    english = str(exc).splitlines()[0]
    if isinstance(exc, SchemaTooOldError):
        fix = "nbgrader 元数据版本过旧：运行 `nbgrader update 文件名` 升级后再保存"
    elif isinstance(exc, SchemaTooNewError):
        fix = "nbgrader 元数据版本比平台的 nbgrader 新：请用平台上的 JupyterLab 重新设置该单元格"
    elif isinstance(exc, jsonschema.ValidationError) and isinstance(exc.validator, str):  # schema check
        english = exc.message
        field = ".".join(map(str, exc.absolute_path))
        if exc.validator == "required" and "'points'" in exc.message:
            fix = "评分单元格缺少分值：在 Create Assignment 工具栏的 Points 框里填分数"
        elif exc.validator == "required":
            fix = "nbgrader 元数据缺项：在 Create Assignment 工具栏里把该单元格改成“-”再重新设置一次"
        else:
            fix = (
                f"nbgrader 元数据字段 {field} 的值不合规（例如分值不是数字）："
                "在 Create Assignment 工具栏里重新设置该单元格"
            )
    else:
        fix = next(
            (zh for start, zh in _FIXES if english.startswith(start) or start in english),
            "nbgrader 元数据不合规：在 Create Assignment 工具栏里重新设置该单元格",
        )
    return f"{fix}（nbgrader: {english}）"


def _delimiters(source: str) -> list[str]:
    problems = []
    for name in ("SOLUTION", "HIDDEN TESTS"):
        begins = source.count(f"### BEGIN {name}")
        ends = source.count(f"### END {name}")
        if begins != ends:
            problems.append(
                f"“### BEGIN {name}”出现 {begins} 次、“### END {name}”出现 {ends} 次，"
                "必须成对出现：补上缺的那一行"
            )
    return problems


def check_notebook(path: Path, *, graded: bool) -> NotebookReport:
    """Points and problems of one notebook; `graded` is True for assignment sources."""
    report = NotebookReport(Path(path))
    try:
        nb = nbformat.read(str(path), as_version=4)
        nbformat.validate(nb)
    except Exception as exc:  # noqa: BLE001 — any unreadable file is one message, not a traceback
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        report.problems.append(
            f"{path}：不是可以打开的 Jupyter 笔记本（nbformat 4）——请在 JupyterLab 里打开并另存一次"
            f"（{first}）"
        )
        return report

    validator = MetadataValidator()
    cell_errors = False
    valid = []
    for index, cell in enumerate(nb.cells):
        if "nbgrader" not in cell.metadata:
            continue
        where = _where(path, index, cell)
        try:
            validator.validate_cell(cell)
        except (ValidationError, SchemaTooOldError, SchemaTooNewError) as exc:
            report.problems.append(f"{where}：{_validator_problem(exc)}")
            cell_errors = True
            continue
        valid.append(cell)
        if not graded and (is_grade(cell) or is_task(cell)):
            report.problems.append(
                f"{where}：课程讲义不评分，不能有评分单元格——把它改回“-”（无），"
                "评分题放到 source/<作业>/ 的作业笔记本里"
            )
        checksum = cell.metadata["nbgrader"].get("checksum")
        if checksum and (is_locked(cell) or is_grade(cell)) and checksum != compute_checksum(cell):
            report.problems.append(
                f"{where}：单元格带着已发布版本的校验和，内容又被改过——这是学员版本的副本；"
                "请编辑 source/ 里的教师版本，或删除该单元格 metadata 里的 checksum"
            )
        if graded and (is_solution(cell) or is_grade(cell)):
            report.problems += [f"{where}：{p}" for p in _delimiters(cell.source)]
    if not graded:
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "code" and "quick_check" in cell.source:
                calls, readable = _quick_check_calls(cell.source)
                if len(readable) < calls:
                    report.problems.append(
                        f"{_where(path, index, cell)}：随堂小测的题目和 answer 要直接写成文字和整数"
                        "（平台据此核对“完成本课”），不要用变量或算式"
                    )
    if not cell_errors:
        try:
            validator.validate_nb(nb)  # duplicate grade ids
        except ValidationError as exc:
            report.problems.append(
                f"{path}：两个单元格用了同一个 ID——每个 ID 在一个笔记本里只能用一次，改掉其中一个"
                f"（nbgrader: {str(exc).splitlines()[0]}）"
            )
    if graded:
        scored = [c for c in valid if is_grade(c) or is_task(c)]
        if not scored and not cell_errors:
            report.problems.append(
                f"{path}：没有评分单元格——用 JupyterLab 的 Create Assignment 工具栏把测试单元格设为"
                "“Autograder tests”并给分（no cell carries nbgrader grade metadata）"
            )
        report.points = sum(float(c.metadata["nbgrader"].get("points", 0) or 0) for c in scored)
    return report


def notebook_points(path: Path) -> float:
    """Sum of nbgrader points over the graded and task cells of one notebook."""
    return check_notebook(path, graded=True).points


def _quick_check_calls(source: str) -> tuple[int, dict[str, int]]:
    """(number of quick_check calls, question → right option of those written as literals)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return 0, {}
    calls, found = 0, {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name != "quick_check":
            continue
        calls += 1
        args = {kw.arg: kw.value for kw in node.keywords}
        question = node.args[0] if node.args else args.get("question")
        answer = node.args[2] if len(node.args) > 2 else args.get("answer")
        if (
            isinstance(question, ast.Constant)
            and isinstance(question.value, str)
            and isinstance(answer, ast.Constant)
            and isinstance(answer.value, int)
        ):
            found[question.value] = answer.value
    return calls, found


def lesson_quick_checks(path: Path) -> dict[str, int]:
    """question → index of the right option, for every `quick_check(...)` call in a lesson.

    Read from the notebook's code with `ast` (nothing is executed), so the completion
    service can check a cadre's answers against the lesson itself. Calls whose question or
    answer is not a literal are left out (`check_notebook` reports them to the trainer).
    """
    nb = nbformat.read(str(path), as_version=4)
    found: dict[str, int] = {}
    for cell in nb.cells:
        if cell.cell_type == "code" and "quick_check" in cell.source:
            found.update(_quick_check_calls(cell.source)[1])
    return found
