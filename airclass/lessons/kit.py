"""Building blocks that lesson notebooks import: video, quick checks, "完成本课".

Lessons call these with the course and lesson ids from course.toml, e.g.

    from airclass.lessons import kit as lk
    lk.video("labor-law", "overtime")
    lk.quick_check("加班费按多少支付？", ["100%", "150%"], answer=1, explanation="劳动法第44条 ...")
    lk.finish_lesson("labor-law", "overtime")

Each returns the widget it displays, so tests can set a value, click, and read the result.
"""

from __future__ import annotations

import dataclasses
import html
import json
import os
import urllib.error
import urllib.request
from pathlib import Path

import ipywidgets as widgets
from IPython.display import display

from airclass.core import timefmt
from airclass.core.catalog import CatalogError, load_course

API_URL_ENV = "AIRCLASS_API_URL"


class _ShownOnce:
    """Mixin: the lesson helpers display their widget and also return it (for tests and
    scripting). Without this, a call as a cell's last line would show the widget twice."""

    _airclass_shown = False

    def _ipython_display_(self, **kwargs):
        if self._airclass_shown:
            return
        self._airclass_shown = True
        display(self._repr_mimebundle_(**kwargs), raw=True)


class _HTML(_ShownOnce, widgets.HTML):
    pass


class _VBox(_ShownOnce, widgets.VBox):
    pass


def find_course_toml(course_id: str, start: Path | None = None) -> Path | None:
    """course.toml of `course_id`: walk up from the notebook's folder, then the public catalog."""
    here = Path(start or os.getcwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "course.toml"
        if candidate.is_file():
            try:
                if load_course(folder, check_notebooks=False).id == course_id:
                    return candidate
            except CatalogError:
                return None
    public = os.environ.get("AIRCLASS_PUBLIC_DIR")
    if public and (Path(public) / course_id / "course.toml").is_file():
        return Path(public) / course_id / "course.toml"
    return None


def lesson_meta(course_id: str, lesson_id: str) -> dict:
    path = find_course_toml(course_id)
    if path is None:
        return {}
    try:
        course = load_course(path.parent, check_notebooks=False)
    except CatalogError:
        return {}
    for lesson in course.lessons:
        if lesson.id == lesson_id:
            return dataclasses.asdict(lesson)
    return {}


def video(course_id: str, lesson_id: str) -> _HTML:
    """The lesson's recorded experience video, or its text fallback when there is no URL."""
    meta = lesson_meta(course_id, lesson_id)
    url = meta.get("video_url", "")
    fallback = meta.get("video_fallback", "") or "本课暂无视频，请阅读下方文字材料。"
    if url:
        body = (
            f'<video controls preload="none" style="max-width:100%" src="{html.escape(url)}">'
            f"</video><p>若视频无法播放（离线或网络受限），请阅读文字版：{html.escape(fallback)}</p>"
        )
    else:
        body = f"<p>📄 {html.escape(fallback)}</p>"
    box = _HTML(f'<div class="airclass-video"><b>🎬 基层经验视频</b>{body}</div>')
    display(box)
    return box


class QuickCheck(_VBox):
    """A multiple-choice question with instant feedback."""

    def __init__(self, question: str, options: list[str], answer: int, explanation: str = ""):
        self.answer = answer
        self.explanation = explanation
        self.choice = widgets.RadioButtons(
            options=list(options), value=None, layout=widgets.Layout(width="auto")
        )
        self.check_button = widgets.Button(description="提交答案", button_style="primary")
        self.feedback = widgets.HTML("")
        self.check_button.on_click(self._check)
        super().__init__(
            [
                widgets.HTML(f"<b>随堂小测：</b>{html.escape(question)}"),
                self.choice,
                self.check_button,
                self.feedback,
            ]
        )

    @property
    def correct(self) -> bool:
        return self.choice.index == self.answer

    def _check(self, _button=None) -> None:
        if self.choice.index is None:
            self.feedback.value = "<span style='color:#b26a00'>请先选择一个答案。</span>"
        elif self.correct:
            self.feedback.value = (
                f"<span style='color:green'>✔ 回答正确。</span> {html.escape(self.explanation)}"
            )
        else:
            self.feedback.value = (
                f"<span style='color:#c00'>✘ 还不对，再想一想。</span> 提示：{html.escape(self.explanation)}"
            )


def quick_check(question: str, options: list[str], answer: int, explanation: str = "") -> QuickCheck:
    check = QuickCheck(question, options, answer, explanation)
    display(check)
    return check


def record_completion(course_id: str, lesson_id: str, timeout: float = 10) -> tuple[bool, str]:
    """Tell the platform this cadre finished a lesson. Returns (recorded, message).

    The call carries the server's own hub token, so the platform records it for the
    token's owner only: a cadre cannot record a lesson for someone else.
    """
    api = os.environ.get(API_URL_ENV)
    token = os.environ.get("JUPYTERHUB_API_TOKEN")
    if not api or not token:
        return False, "离线模式：未连接到空中课堂平台，完成情况未上传（本地学习不受影响）。"
    body = json.dumps({"course_id": course_id, "lesson_id": lesson_id}).encode()
    request = urllib.request.Request(
        f"{api.rstrip('/')}/completions",
        data=body,
        method="POST",
        headers={"Authorization": f"token {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            reply = json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return False, f"上传失败（{exc.code}）：{exc.read().decode(errors='replace')[:200]}"
    except (urllib.error.URLError, TimeoutError) as exc:
        return False, f"上传失败，请稍后重试：{exc}"
    return True, f"已记录：{timefmt.beijing(reply.get('completed_at'))}（北京时间）完成本课。"


def finish_lesson(course_id: str, lesson_id: str) -> _VBox:
    """The "完成本课" step: one click records completion for the dashboards."""
    button = widgets.Button(description="完成本课", button_style="success", icon="check")
    status = widgets.HTML("")

    def on_click(_button=None):
        ok, message = record_completion(course_id, lesson_id)
        color = "green" if ok else "#b26a00"
        status.value = f"<span style='color:{color}'>{html.escape(message)}</span>"
        if ok:
            button.disabled = True

    button.on_click(on_click)
    box = _VBox([widgets.HTML("<b>学完了吗？</b>点击下方按钮记录学习进度。"), button, status])
    box.button, box.status = button, status
    display(box)
    return box
