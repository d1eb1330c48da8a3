"""The audit trail: who changed grades, the roster and people's permissions, and when.

Entries live in the platform DB (`audit_log`), written in the same transaction as the
change they describe. Admins read them with `airclass audit`; trainers on their page
(notebooks/trainer.ipynb) for the courses they teach.
"""

from __future__ import annotations

import hashlib
import os
import pwd
from pathlib import Path

ROSTER_IMPORT = "roster.import"
PERMISSION_CHANGE = "permission.change"
GRADE_MANUAL = "grade.manual"
ACTION_LABELS = {
    ROSTER_IMPORT: "导入名册",
    PERMISSION_CHANGE: "权限变更",
    GRADE_MANUAL: "人工评分",
}
PERMISSION_FIELDS = ("role", "level", "courses")


def cli_actor() -> str:
    """The person behind a command run on the server: the sudo caller, else the account."""
    return os.environ.get("SUDO_USER") or pwd.getpwuid(os.geteuid()).pw_name


def file_digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def permission_changes(before: dict | None, after: dict) -> dict[str, list] | None:
    """Role, level and courses before → after; None when nothing that grants access changed."""
    old = before or {"role": "", "level": "", "courses": []}
    changed = {}
    for key in PERMISSION_FIELDS:
        a = sorted(old.get(key) or []) if key == "courses" else old.get(key) or ""
        b = sorted(after.get(key) or []) if key == "courses" else after.get(key) or ""
        if a != b:
            changed[key] = [a, b]
    return changed or None


def record_roster_import(db, actor: str, path: Path, people: list[dict]) -> dict[str, int]:
    """Log the import and every person whose access it grants or changes. Call it before
    the roster is written, inside the same PlatformDB transaction."""
    new = changed = 0
    for person in people:
        before = db.person(person["user_id"])
        diff = permission_changes(before, person)
        if diff is None:
            continue
        new += before is None
        changed += before is not None
        if "courses" in diff:  # the courses gained or lost
            courses = sorted(set(diff["courses"][0]) ^ set(diff["courses"][1]))
        else:  # a new role or level in the courses they have
            courses = sorted(person.get("courses") or [])
        for course in courses or [""]:
            db.record_audit(
                actor,
                PERMISSION_CHANGE,
                course_id=course,
                target=person["user_id"],
                detail={"new": before is None, **diff},
            )
    summary = {"people": len(people), "new": new, "changed": changed}
    db.record_audit(
        actor,
        ROSTER_IMPORT,
        target=str(path),
        detail={**summary, "sha256": file_digest(path)},
    )
    return summary


def describe(entry: dict) -> str:
    """One line in Chinese for trainers and admins."""
    d = entry["detail"]
    action = entry["action"]
    if action == GRADE_MANUAL:
        before, after = d.get("before", {}), d.get("after", {})
        return (
            f"{d.get('assignment', '')}/{d.get('notebook', '')} 第 {d.get('cell', '')} 题："
            f"人工分 {before.get('manual_score')} → {after.get('manual_score')}"
            f"（满分 {d.get('max_score')}，附加分 {after.get('extra_credit')}）"
        )
    if action == ROSTER_IMPORT:
        return f"导入 {d.get('people', 0)} 人，新增 {d.get('new', 0)} 人，权限变化 {d.get('changed', 0)} 人"
    if action == PERMISSION_CHANGE:
        parts = []
        for key, label in (("role", "角色"), ("level", "级别"), ("courses", "课程")):
            if key in d:
                old, new = d[key]
                fmt = "、".join if key == "courses" else str
                parts.append(f"{label} {fmt(old) or '无'} → {fmt(new) or '无'}")
        return ("新账号：" if d.get("new") else "") + "；".join(parts)
    return str(d)


def format_entry(entry: dict) -> str:
    label = ACTION_LABELS.get(entry["action"], entry["action"])
    course = f" [{entry['course_id']}]" if entry["course_id"] else ""
    return f"{entry['at']}  {entry['actor']:<14} {label}{course} {entry['target']}: {describe(entry)}"
