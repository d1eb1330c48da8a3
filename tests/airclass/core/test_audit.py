"""Audit trail: roster imports and the permissions they grant or change, with who and when."""

import csv

from airclass.admin import cli
from airclass.admin.roster_import import import_roster
from airclass.core import audit
from airclass.core.platform_db import PlatformDB
from airclass.core.settings import load
from airclass.system import layout

HEADER = ["学员编号", "姓名", "城市", "工会", "角色", "课程", "级别"]


def write_roster(path, rows):
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def make_settings(tmp_path):
    path = tmp_path / "airclass.toml"
    path.write_text(f'data_dir = "{tmp_path / "data"}"\n[hub]\nhub_port = 1\n', encoding="utf-8")
    settings = load(path)
    layout.ensure_hub_secrets(settings)  # what `airclass setup` does first
    for course in ("law", "dues"):  # deployed, as deployed_course_ids() sees them
        settings.course_root(course).mkdir(parents=True)
        (settings.course_root(course) / "course.toml").write_text("")
    return settings


def test_imports_and_permission_changes_are_recorded(tmp_path, capsys):
    settings = make_settings(tmp_path)
    roster = tmp_path / "r.csv"
    trainer = ["au-px", "周培训", "济南", "山东省总工会", "培训师", "law", ""]
    manager = ["au-boss", "孙主任", "济南", "山东省总工会", "管理员", "", "市"]
    import_roster(settings, write_roster(roster, [trainer, manager]), actor="admin-wang")
    import_roster(settings, write_roster(roster, [trainer, manager]), actor="admin-wang")  # no change
    trainer[5] = "law;dues"
    manager[6] = "省"
    import_roster(settings, write_roster(roster, [trainer, manager]), actor="admin-li")

    with PlatformDB(settings.platform_db_url) as db:
        entries = list(reversed(db.audit_entries()))
        law = db.audit_entries(course_ids=["law"])
        dues = db.audit_entries(course_ids=["dues"], action=audit.PERMISSION_CHANGE)
    imports = [e for e in entries if e["action"] == audit.ROSTER_IMPORT]
    assert [(e["actor"], e["detail"]["new"], e["detail"]["changed"]) for e in imports] == [
        ("admin-wang", 2, 0),
        ("admin-wang", 0, 0),
        ("admin-li", 0, 2),
    ]
    assert imports[0]["detail"]["sha256"] != imports[2]["detail"]["sha256"]
    changes = [
        (e["actor"], e["course_id"], e["target"]) for e in entries if e["action"] == audit.PERMISSION_CHANGE
    ]
    assert changes == [
        ("admin-wang", "law", "au-px"),
        ("admin-wang", "", "au-boss"),
        ("admin-li", "dues", "au-px"),
        ("admin-li", "", "au-boss"),
    ]
    assert [e["target"] for e in law] == ["au-px"], "a trainer of law sees what concerns law"
    assert dues[0]["detail"] == {"new": False, "courses": [["law"], ["dues", "law"]]}
    assert entries[-2]["detail"] == {"new": False, "level": ["city", "province"]}
    assert all(e["at"] for e in entries)

    assert cli.main(["--settings", str(settings.source), "audit", "--course", "dues"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 and "admin-li" in out[0] and "权限变更 [dues] au-px: 课程 law → dues、law" in out[0]


def test_a_refused_roster_records_nothing(tmp_path):
    settings = make_settings(tmp_path)
    roster = write_roster(tmp_path / "r.csv", [["au-x", "甲", "北京", "某工会", "培训师", "law", ""]])
    try:
        import_roster(settings, roster, actor="admin-wang")
    except ValueError:
        pass
    assert not settings.platform_db.exists()


def test_describe_grade_change():
    entry = {
        "at": "2026-11-29T08:00:00+00:00",
        "actor": "px01",
        "action": audit.GRADE_MANUAL,
        "course_id": "law",
        "target": "jn0001",
        "detail": {
            "assignment": "a1",
            "notebook": "case",
            "cell": "why",
            "max_score": 2.0,
            "before": {"manual_score": None, "extra_credit": None},
            "after": {"manual_score": 1.5, "extra_credit": None},
        },
    }
    line = audit.format_entry(entry)
    assert "px01" in line and "人工评分 [law] jn0001" in line and "人工分 None → 1.5" in line
