"""Feedback that leaks nothing: hidden tests stay hidden, the cadre still sees what failed.

nbgrader's feedback is the autograded notebook rendered to HTML, and the autograded
notebook carries the hidden tests in full (OverwriteCells restores the test cells from the
gradebook, which stores them before ClearHiddenTests runs), in three places: the cell text,
the traceback lines IPython prints around the failing line, and assertion messages such as
`assert got == expected, (city, got)`. `LeakFreeFeedback` runs in `GenerateFeedback` right
after `GetGrades` and rewrites each test cell:

* its hidden region becomes one placeholder line; visible test lines stay as written;
* its outputs are replaced by a verdict in Chinese built from *trusted* text only: the
  points (from the gradebook), the exception's name, and — when the failing line is a
  visible one before any hidden region — that line and the error message. A failing line
  inside the hidden region is reported as "隐藏测试中的检查没有通过", nothing more.

Any other output (the cadre's own cells run after the tests and could print them) is
dropped when it contains a hidden-test line or a literal of one (strings and numbers of
four characters or more that appear nowhere in the released notebook). Written answers
that no trainer has scored yet get a "待培训师评阅" note.
"""

from __future__ import annotations

import html
import io
import re
import tokenize
from html.parser import HTMLParser

from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode, from_dict
from nbgrader import utils
from nbgrader.api import Gradebook
from nbgrader.preprocessors import NbGraderPreprocessor

BEGIN_HIDDEN = "BEGIN HIDDEN TESTS"
END_HIDDEN = "END HIDDEN TESTS"
HIDDEN_PLACEHOLDER = "# ……（此处为隐藏测试，内容不公开）……"
REDACTED_OUTPUT = "（此处输出含有隐藏测试的内容，已隐去）"
AWAITING_TRAINER = "📝 本题为主观题，待培训师评阅。"
MIN_SECRET = 4  # shorter literals ("OK", 30) are not secrets worth hiding
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_CELL_LINE = re.compile(r"Cell In\s*\[\d*\],\s*line (\d+)")


def split_hidden(source: str) -> tuple[list[str], set[int]]:
    """The lines of a cell and the indices of those inside (or marking) a hidden region."""
    lines = source.splitlines()
    hidden: set[int] = set()
    inside = False
    for index, line in enumerate(lines):
        if BEGIN_HIDDEN in line:
            inside = True
        if inside:
            hidden.add(index)
        if END_HIDDEN in line:
            inside = False
    return lines, hidden


def public_source(source: str) -> str:
    """The cell text with each hidden region folded into one placeholder line."""
    lines, hidden = split_hidden(source)
    out: list[str] = []
    for index, line in enumerate(lines):
        if index not in hidden:
            out.append(line)
        elif not out or out[-1] != HIDDEN_PLACEHOLDER:
            out.append(HIDDEN_PLACEHOLDER)
    return "\n".join(out)


def _literals(code: str) -> set[str]:
    """String contents and numbers written in `code` (tokenised; unparsable code gives none)."""
    found: set[str] = set()
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return found
    for tok in tokens:
        if tok.type == tokenize.NUMBER:
            found.add(tok.string)
        elif tok.type == tokenize.STRING:
            body = re.sub(r"^[rbuRBUfF]*('''|\"\"\"|'|\")", "", tok.string)
            body = re.sub(r"('''|\"\"\"|'|\")$", "", body)
            found.add(body)
    return found


def hidden_secrets(sources: list[str]) -> set[str]:
    """What must never reach a cadre: the hidden lines of these cells and their literals,
    minus anything that is also written in the visible part of the notebook."""
    visible_text, hidden_lines = [], []
    for source in sources:
        lines, hidden = split_hidden(source)
        for index, line in enumerate(lines):
            if index in hidden:
                if BEGIN_HIDDEN not in line and END_HIDDEN not in line:
                    hidden_lines.append(line.strip())
            else:
                visible_text.append(line)
    visible = "\n".join(visible_text)
    secrets = {line for line in hidden_lines if len(line) >= MIN_SECRET}
    secrets |= {lit for lit in _literals("\n".join(hidden_lines)) if len(lit.strip()) >= MIN_SECRET}
    return {s for s in secrets if s not in visible}


def output_text(output: NotebookNode) -> str:
    parts = [output.get("text", ""), output.get("ename", ""), output.get("evalue", "")]
    parts += output.get("traceback", [])
    for key, value in output.get("data", {}).items():
        if key.startswith("text/") or key.endswith("json"):
            parts.append(
                value if isinstance(value, str) else "".join(value) if isinstance(value, list) else str(value)
            )
    return _ANSI.sub("", "\n".join(p if isinstance(p, str) else "".join(p) for p in parts))


def leaks(text: str, secrets: set[str]) -> bool:
    return any(secret in text for secret in secrets)


def _stream(text: str) -> NotebookNode:
    return from_dict({"output_type": "stream", "name": "stdout", "text": text})


def failing_line(outputs: list) -> tuple[int | None, str, str]:
    """(1-based line in the test cell, exception name, message) of the first error output.

    The line number is read from IPython's traceback ("Cell In[7], line 5"): the kernel is
    untrusted, so only the number is used, to pick a line of the trusted cell source."""
    for output in outputs:
        if output.get("output_type") != "error":
            continue
        line = None
        for entry in output.get("traceback", []):
            match = _CELL_LINE.search(_ANSI.sub("", entry))
            if match:
                line = int(match.group(1))
        return line, str(output.get("ename", "")), str(output.get("evalue", ""))
    for output in outputs:
        if output.get("output_type") == "stream" and output.get("name") == "stderr":
            return None, "stderr", ""
    return None, "", ""


def _points(value) -> str:
    return f"{float(value or 0):g}"


def verdict(source: str, outputs: list, score, points) -> str:
    """The Chinese verdict shown under a test cell instead of its outputs."""
    got = f"本项得 {_points(score)} / {_points(points)} 分"
    if score is not None and points is not None and float(score) >= float(points):
        return f"✔ 通过。{got}。"
    lines, hidden = split_hidden(source)
    first_hidden = min(hidden) if hidden else len(lines)
    line, ename, evalue = failing_line(outputs)
    if ename == "CellTimeoutError":
        return f"✘ 未通过：运行超时，检查没有完成。{got}。"
    if ename == "stderr":
        return f"✘ 未通过：检查时程序输出了错误信息（stderr）。{got}。"
    if line is not None and 1 <= line <= len(lines) and (line - 1) not in hidden:
        text = f"✘ 未通过：第 {line} 行的检查没有通过：\n    {lines[line - 1].strip()}\n"
        if ename:
            shown = evalue if line - 1 < first_hidden else ""
            text += f"错误：{ename}{': ' + shown[:300] if shown else ''}\n"
        return text + f"{got}。"
    if hidden:
        kind = f"（错误类型：{ename}）" if ename else ""
        return f"✘ 未通过：隐藏测试中的检查没有通过{kind}，隐藏测试的内容不公开。{got}。"
    kind = f"：{ename}" if ename else ""
    return f"✘ 未通过{kind}。{got}。"


class LeakFreeFeedback(NbGraderPreprocessor):
    """Run after GetGrades in GenerateFeedback (see the module docstring)."""

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict) -> tuple[NotebookNode, ResourcesDict]:
        info = resources["nbgrader"]
        with Gradebook(info["db_url"]) as gb:
            notebook = gb.find_notebook(info["notebook"], info["assignment"])
            trusted = {cell.name: cell.source for cell in notebook.source_cells}
            submitted = gb.find_submission_notebook(info["notebook"], info["assignment"], info["student"])
            awaiting = {grade.name for grade in submitted.grades if grade.needs_manual_grade}
        secrets = hidden_secrets(list(trusted.values()))
        cells = []
        for cell in nb.cells:
            cells.append(cell)
            meta = cell.metadata.get("nbgrader", {})
            grade_id = meta.get("grade_id")
            if cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell):
                source = trusted.get(grade_id, cell.source)
                note = verdict(source, cell.get("outputs", []), meta.get("score"), meta.get("points"))
                cell.source = public_source(source)
                cell.outputs = [_stream(note)]
                continue
            if cell.cell_type == "code":
                cell.outputs = [
                    _stream(REDACTED_OUTPUT) if leaks(output_text(o), secrets) else o for o in cell.outputs
                ]
            if utils.is_grade(cell) and grade_id in awaiting:
                cells.append(from_dict({"cell_type": "markdown", "metadata": {}, "source": AWAITING_TRAINER}))
        nb.cells = cells
        return nb, resources


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data):
        self.parts.append(data)


def html_text(page: str) -> str:
    """The text of an HTML page: tags stripped, entities decoded (syntax highlighting
    splits code into many spans; this joins it back). Script and style text is kept, so a
    check on it also covers anything embedded there."""
    parser = _TextOnly()
    parser.feed(page)
    parser.close()
    return html.unescape("".join(parser.parts))
