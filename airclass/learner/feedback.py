"""Returned feedback, read from nbgrader's feedback page into what a cadre needs to see.

nbgrader's feedback HTML marks every graded cell with an anchor named by its grade id and
a panel heading holding "score / points", and trainers' comments in a panel footer. Only
those numbers and the comment text are taken — never cell sources, outputs or tracebacks,
so nothing of a hidden test can reach the page. Each graded cell is named in Chinese from
the cadre's own notebook (第 1 题, 第 2 项检查, 书面回答 1).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

_ANCHOR = re.compile(r'<a name="([^"]+)"\s*>\s*</a>')
_NUMBERS = re.compile(r"(-?\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)")
_HEADING = re.compile(r'<div class="panel-heading">(.*?)</div>', re.S)
_FOOTER = re.compile(r'<div class="panel-footer">\s*<div>(.*?)</div>\s*</div>', re.S)
_TITLE = re.compile(r"<h4>(.*?)</h4>", re.S)
_TAGS = re.compile(r"<[^>]+>")


@dataclass
class Item:
    grade_id: str
    label: str
    kind: str  # "check" | "answer" | "written"
    score: float
    points: float

    @property
    def passed(self) -> bool:
        return self.score >= self.points


@dataclass
class Feedback:
    score: float
    max_score: float
    items: list[Item] = field(default_factory=list)
    comments: list[tuple[str, str]] = field(default_factory=list)  # (label, text)

    @property
    def failed_checks(self) -> list[Item]:
        return [i for i in self.items if i.kind == "check" and not i.passed]

    @staticmethod
    def combine(parts: list[Feedback]) -> Feedback:
        return Feedback(
            score=sum(p.score for p in parts),
            max_score=sum(p.max_score for p in parts),
            items=[i for p in parts for i in p.items],
            comments=[c for p in parts for c in p.comments],
        )


def _text(fragment: str) -> str:
    return " ".join(html.unescape(_TAGS.sub(" ", fragment)).split())


def cell_labels(notebook: Path | None) -> dict[str, tuple[str, str]]:
    """grade id → (Chinese label, kind), numbered in notebook order."""
    if notebook is None or not notebook.is_file():
        return {}
    nb = nbformat.read(str(notebook), as_version=4)
    labels: dict[str, tuple[str, str]] = {}
    counts = {"check": 0, "answer": 0, "written": 0}
    names = {"check": "第 {} 项检查", "answer": "第 {} 题", "written": "书面回答 {}"}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        grade_id = meta.get("grade_id")
        if not grade_id or not (meta.get("grade") or meta.get("solution") or meta.get("task")):
            continue
        if cell.cell_type == "markdown":
            kind = "written"
        elif meta.get("solution"):
            kind = "answer"
        else:
            kind = "check"
        counts[kind] += 1
        labels[grade_id] = (names[kind].format(counts[kind]), kind)
    return labels


def parse_feedback(page: str, notebook: Path | None = None) -> Feedback:
    labels = cell_labels(notebook)
    total = _NUMBERS.search(_text(_TITLE.search(page).group(1))) if _TITLE.search(page) else None
    anchors = list(_ANCHOR.finditer(page))
    items: list[Item] = []
    comments: list[tuple[str, str]] = []
    seen_items: set[str] = set()
    seen_comments: set[str] = set()
    for n, anchor in enumerate(anchors):
        grade_id = anchor.group(1).removeprefix("comment-")
        if grade_id == "top":
            continue
        end = anchors[n + 1].start() if n + 1 < len(anchors) else len(page)
        section = page[anchor.end() : end]
        label, kind = labels.get(grade_id, (f"第 {len(items) + 1} 项", "check"))
        heading = _HEADING.search(section)
        numbers = _NUMBERS.search(_text(heading.group(1))) if heading else None
        if numbers is not None and grade_id not in seen_items:
            seen_items.add(grade_id)
            items.append(Item(grade_id, label, kind, float(numbers.group(1)), float(numbers.group(2))))
        footer = _FOOTER.search(section)
        if footer and grade_id not in seen_comments:
            text = _text(footer.group(1).split("</b>", 1)[-1])
            if text:
                seen_comments.add(grade_id)
                comments.append((labels.get(grade_id, ("评语", ""))[0], text))
    if total:
        score, max_score = float(total.group(1)), float(total.group(2))
    else:
        score, max_score = sum(i.score for i in items), sum(i.points for i in items)
    return Feedback(score, max_score, items, comments)
