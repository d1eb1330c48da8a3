"""Which exchange inbox entries may be collected (grader.intake.judge), without a hub."""

from __future__ import annotations

import datetime as dt
import os
import pwd

from grader.intake import judge

NOW = dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC)
ROOT = pwd.getpwuid(0).pw_name


def entry(uid: int = 0, ctime: dt.datetime = NOW, folder: bool = True) -> os.stat_result:
    mode = 0o040755 if folder else 0o120777
    t = ctime.timestamp()
    return os.stat_result((mode, 1, 1, 1, uid, 0, 0, t, t, t))


def name(student: str = ROOT, when: str = "2026-11-29 11:59:00.000000 UTC") -> str:
    return f"{student}+hw1+{when}+Zr4nd"


def test_a_genuine_submission_passes():
    assert judge(name(), entry(), {ROOT}, NOW) is None
    assert judge(f"{ROOT}+hw1+2026-11-29 11:59:00.000000 UTC", entry(), {ROOT}, NOW) is None


def test_refusals_name_the_reason():
    cases = {
        "不是提交文件夹": (name(), entry(folder=False)),
        "格式": ("just-a-folder", entry()),
        "无法识别": (name(when="yesterday"), entry()),
        "的名义提交": (name(student="someone-else"), entry()),
        "晚于当前时间": (name(when="2099-01-01 00:00:00.000000 UTC"), entry()),
        "倒填": (name(when="2026-11-20 00:00:00.000000 UTC"), entry()),
    }
    for needle, (folder, info) in cases.items():
        reason = judge(folder, info, {ROOT, "someone-else"}, NOW)
        assert reason and needle in reason, (needle, reason)
    assert "未选修" in judge(name(), entry(), set(), NOW)
