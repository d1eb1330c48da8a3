"""Lesson helpers: quick checks hint before they explain, 完成本课 waits for right answers,
videos show only when they are really there."""

from __future__ import annotations

import pytest

from airclass.lessons import kit as lk

COURSE_TOML = """\
id = "kitcourse"
title = "测试"
description = "测试"

[[lessons]]
id = "web"
title = "网上视频"
notebook = "lessons/01.ipynb"
video_url = "https://video.example.cn/a.mp4"
video_fallback = "文字版：网上视频"

[[lessons]]
id = "local"
title = "本地视频"
notebook = "lessons/02.ipynb"
video_url = "lessons/videos/02.mp4"
video_fallback = "文字版：本地视频"

[[lessons]]
id = "gone"
title = "视频文件缺失"
notebook = "lessons/03.ipynb"
video_url = "lessons/videos/missing.mp4"
video_fallback = "文字版：只看文字"

[[lessons]]
id = "none"
title = "没有视频"
notebook = "lessons/04.ipynb"
video_fallback = "文字版：没有视频"
"""


@pytest.fixture
def course(tmp_path, monkeypatch):
    root = tmp_path / "kitcourse"
    (root / "lessons" / "videos").mkdir(parents=True)
    (root / "course.toml").write_text(COURSE_TOML, encoding="utf-8")
    (root / "lessons" / "videos" / "02.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42")
    monkeypatch.chdir(root / "lessons")
    monkeypatch.delenv(lk.API_URL_ENV, raising=False)
    lk._CHECKS.clear()
    return root


def _answer(check: lk.QuickCheck, index: int) -> None:
    check.choice.index = index
    check.check_button.click()


def test_wrong_answer_gets_the_hint_not_the_explanation_first():
    q = lk.quick_check(
        "问题一", ["甲", "乙"], answer=1, hint="想想条件", explanation="答案是乙，依据某法第一条"
    )
    _answer(q, 0)
    assert "想想条件" in q.feedback.value and "答案是乙" not in q.feedback.value
    _answer(q, 0)  # stuck twice: now the explanation helps
    assert "答案是乙" in q.feedback.value
    _answer(q, 1)
    assert "回答正确" in q.feedback.value and "答案是乙" in q.feedback.value


def test_finish_waits_for_every_quick_check(course):
    q1 = lk.quick_check("第一个问题", ["甲", "乙"], answer=1)
    q2 = lk.quick_check("第二个问题", ["甲", "乙"], answer=0)
    box = lk.finish_lesson("kitcourse", "web")
    box.button.click()
    assert (
        "还差" in box.status.value and "第一个问题" in box.status.value and "第二个问题" in box.status.value
    )
    _answer(q1, 1)
    _answer(q2, 1)
    box.button.click()
    assert "第一个问题" not in box.status.value and "第二个问题" in box.status.value
    _answer(q2, 0)
    q1.choice.index = 0  # changed after checking: no longer counts
    box.button.click()
    assert "第一个问题" in box.status.value
    _answer(q1, 1)
    box.button.click()
    assert "还差" not in box.status.value and "离线模式" in box.status.value  # no platform here


def test_finish_with_explicit_checks_ignores_others(course):
    q1 = lk.quick_check("只看这一题", ["甲", "乙"], answer=0)
    lk.quick_check("别的题", ["甲", "乙"], answer=0)
    box = lk.finish_lesson("kitcourse", "web", checks=[q1])
    _answer(q1, 0)
    box.button.click()
    assert "还差" not in box.status.value


@pytest.mark.parametrize(
    "lesson, player, text",
    [
        ("web", "HTML", "若视频无法播放"),
        ("local", "Video", "若视频无法播放"),
        ("gone", None, "只看文字"),
        ("none", None, "没有视频"),
    ],
)
def test_video_shows_a_player_only_when_there_is_a_video(course, lesson, player, text):
    box = lk.video("kitcourse", lesson)
    assert (type(box.player).__name__ if box.player is not None else None) == player
    html = " ".join(
        child.value for child in box.children if hasattr(child, "value") and isinstance(child.value, str)
    )
    assert text in html
    if player is None:
        assert "<video" not in html


def test_local_video_must_stay_inside_the_course(course, tmp_path):
    outside = tmp_path / "secret.mp4"
    outside.write_bytes(b"x")
    assert lk.local_video(course / "course.toml", "../secret.mp4") is None
    assert lk.local_video(course / "course.toml", "lessons/videos/02.mp4") is not None


def test_a_lesson_page_links_back_to_my_entry_at_the_top_and_the_end(course, monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_BASE_URL", "/air/")
    top = lk.video("kitcourse", "web").children[0]
    end = lk.finish_lesson("kitcourse", "web").children[-1]
    for link in (top, end):
        assert 'href="/air/hub/home"' in link.value and "返回我的入口" in link.value
    monkeypatch.delenv("JUPYTERHUB_BASE_URL")
    assert 'href="/hub/home"' in lk.home_link().value
