"""Scratch nbgrader courses and synthetic submissions, shared by the grading tests and benchmark.

    root = course_root(tmp, COURSES / "labor-law", "a1-calculators")   # generated, gradebook ready
    place(root, "a1-calculators", "cadre07", variant(root, "a1-calculators", "wrong"))

Variants of one cadre's notebooks, built from the source (solutions) and the release:
    solution   every answer cell as in the source (full marks)
    blank      the release untouched
    wrong      every answer returns / binds something wrong (runs, fails the checks)
    partly     the first half of the answers right, the rest wrong
    erroring   every answer raises NameError
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import re
import shutil
import sys
from pathlib import Path

from airclass.core.settings import Settings, validate
from airclass.system.layout import course_nbgrader_config
from grader.feedback import split_hidden
from grader.selfcheck import run_nbgrader as nbgrader  # plain nbgrader, the reference

VARIANTS = ("solution", "blank", "wrong", "partly", "erroring")
_BEGIN, _END = "### BEGIN SOLUTION", "### END SOLUTION"


def scratch_settings(data_dir: Path) -> Settings:
    return Settings(validate({"data_dir": str(data_dir), "runtime_prefix": sys.prefix}), None)


def course_root(
    data_dir: Path,
    course_dir: Path,
    assignment_id: str,
    course_id: str = "",
    settings: Settings | None = None,
) -> Path:
    """<data_dir>/courses/<id>: the assignment's source, the production nbgrader config,
    the gradebook with the assignment, and its release."""
    settings = settings or scratch_settings(data_dir)
    course_id = course_id or course_dir.name
    root = settings.course_root(course_id)
    src = course_dir / "source" / assignment_id
    shutil.copytree(src, root / "source" / assignment_id, dirs_exist_ok=True)
    (root / "nbgrader_config.py").write_text(course_nbgrader_config(settings, course_id))
    nbgrader(["db", "assignment", "add", assignment_id], root)
    nbgrader(["generate_assignment", assignment_id, "--force"], root)
    return root


def _answer_cells(nb: dict) -> list[dict]:
    return [c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("solution")]


def _regions(source: str) -> list[tuple[int, int, str]]:
    """(begin line, end line, indent) of each solution region."""
    lines, found, start = source.splitlines(), [], None
    for i, line in enumerate(lines):
        if _BEGIN in line:
            start = i
        elif _END in line and start is not None:
            found.append((start, i, re.match(r"\s*", lines[start]).group(0)))
            start = None
    return found


def _bound_names(code: str) -> list[str]:
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            names += [t.id for t in node.targets if isinstance(t, ast.Name)]
    return names


def _rewrite(source: str, how: str) -> str:
    lines = source.splitlines()
    for begin, end, indent in reversed(_regions(source)):
        body = lines[begin + 1 : end]
        if how == "erroring":
            new = [f"{indent}not_defined_anywhere  # 故意出错"]
        elif indent:  # inside a function: return something wrong
            new = [f"{indent}return None  # 错误答案"]
        else:  # module level: the solution, then every name it binds set wrong
            new = body + [f"{name} = None  # 错误答案" for name in _bound_names("\n".join(body))]
        lines[begin : end + 1] = new
    return "\n".join(lines)


def variant(root: Path, assignment_id: str, kind: str) -> dict[str, dict]:
    """notebook file name → notebook JSON of one cadre's submission of this kind."""
    assert kind in VARIANTS, kind
    out = {}
    for released in sorted((root / "release" / assignment_id).glob("*.ipynb")):
        nb = json.loads(released.read_text(encoding="utf-8"))
        source = json.loads((root / "source" / assignment_id / released.name).read_text(encoding="utf-8"))
        answers = {c["metadata"]["nbgrader"]["grade_id"]: "".join(c["source"]) for c in _answer_cells(source)}
        cells = _answer_cells(nb)
        for index, cell in enumerate(cells):
            if kind == "blank":
                break
            answer = answers[cell["metadata"]["nbgrader"]["grade_id"]]
            right = kind == "solution" or (kind == "partly" and index < len(cells) // 2)
            if cell["cell_type"] == "markdown" or right:
                cell["source"] = answer
            else:
                cell["source"] = _rewrite(answer, kind)
        out[released.name] = nb
    return out


def place(root: Path, assignment_id: str, student: str, notebooks: dict[str, dict], extra=None) -> Path:
    """Put a submission where `nbgrader collect` would: submitted/<student>/<assignment>/,
    with the released data files and a timestamp."""
    dest = root / "submitted" / student / assignment_id
    shutil.copytree(root / "release" / assignment_id, dest, dirs_exist_ok=True)
    for old in dest.glob("*.ipynb"):
        old.unlink()
    for name, nb in notebooks.items():
        if isinstance(nb, (bytes, str)):
            (dest / name).write_bytes(nb if isinstance(nb, bytes) else nb.encode())
        else:
            (dest / name).write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    for name, text in (extra or {}).items():
        (dest / name).write_text(text, encoding="utf-8")
    stamp = dt.datetime(2026, 11, 1, 8, 0, tzinfo=dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f %Z")
    (dest / "timestamp.txt").write_text(stamp)
    return dest


def set_cell(nb: dict, grade_id: str, source: str) -> dict:
    for cell in nb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == grade_id:
            cell["source"] = source
            return nb
    raise AssertionError(f"no cell {grade_id}")


def hidden_lines(root: Path, assignment_id: str) -> dict[str, list[str]]:
    """notebook name → the hidden-test lines of its source that appear nowhere visible."""
    out = {}
    for src in sorted((root / "source" / assignment_id).glob("*.ipynb")):
        nb = json.loads(src.read_text(encoding="utf-8"))
        released = (root / "release" / assignment_id / src.name).read_text(encoding="utf-8")
        release_text = "\n".join("".join(c["source"]) for c in json.loads(released)["cells"])
        lines = []
        for cell in nb["cells"]:
            text, hidden = split_hidden("".join(cell["source"]))
            lines += [
                text[i].strip()
                for i in sorted(hidden)
                if "HIDDEN TESTS" not in text[i] and len(text[i].strip()) >= 8
            ]
        out[src.stem] = [line for line in dict.fromkeys(lines) if line not in release_text]
    return out
