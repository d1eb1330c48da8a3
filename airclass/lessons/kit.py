"""Building blocks that lesson notebooks import: video, quick checks, "完成本课".

Lessons call these with the course and lesson ids from course.toml, e.g.

    from airclass.lessons import kit as lk
    lk.video("labor-law", "overtime")
    q1 = lk.quick_check("加班费按多少支付？", ["100%", "150%"], answer=1,
                        hint="想想工作日延长工时那一档", explanation="劳动法第44条 ...")
    lk.finish_lesson("labor-law", "overtime")      # or checks=[q1, ...]

Each returns the widget it displays, so tests can set a value, click, and read the result.
Only ipywidgets are used (no JupyterLab-only JavaScript), so lessons work the same in
JupyterLab and as Voila pages.
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


VIDEO_TYPES = {".mp4": "video/mp4", ".webm": "video/webm", ".ogv": "video/ogg", ".m4v": "video/mp4"}


def local_video(course_toml: Path, video_url: str) -> Path | None:
    """The video file a relative `video_url` names inside the course folder, if it exists."""
    if not video_url or "://" in video_url or video_url.startswith("/"):
        return None
    course_dir = course_toml.parent.resolve()
    candidate = (course_dir / video_url).resolve()
    if course_dir not in candidate.parents or not candidate.is_file():
        return None
    return candidate


def _video_player(course_id: str, lesson_id: str) -> widgets.Widget | None:
    """A player for the lesson's video when one is really there, else None.

    A local file under the course folder plays through an ipywidgets Video widget (its bytes
    travel over the kernel connection, so it works in JupyterLab and Voila alike); an
    http(s) URL gets an HTML5 player; a missing file or anything else gets no player.
    """
    path = find_course_toml(course_id)
    url = lesson_meta(course_id, lesson_id).get("video_url", "")
    if path is not None and (local := local_video(path, url)) is not None:
        kind = VIDEO_TYPES.get(local.suffix.lower())
        if kind is None:
            return None
        return widgets.Video.from_file(str(local), format=kind.split("/")[1], autoplay=False, controls=True)
    if url.startswith(("https://", "http://")):
        return widgets.HTML(
            f'<video controls preload="none" style="max-width:100%" src="{html.escape(url)}"></video>'
        )
    return None


def home_link(text: str = "← 返回我的入口") -> widgets.HTML:
    """A link back to the hub's 我的入口 (the lesson list), for the top and the end of
    every lesson page: a Voila page has no menu of its own. `_top`, so it also leaves a frame."""
    home = os.environ.get("JUPYTERHUB_BASE_URL", "/").rstrip("/") + "/hub/home"
    return widgets.HTML(f'<a href="{html.escape(home)}" target="_top">{html.escape(text)}</a>')


def video(course_id: str, lesson_id: str) -> _VBox:
    """The lesson's recorded experience video, or only its text version when there is none;
    above it the way back to 我的入口 (every lesson opens with this call)."""
    meta = lesson_meta(course_id, lesson_id)
    fallback = meta.get("video_fallback", "").removeprefix("文字版：") or "本课暂无视频，请阅读下方文字材料。"
    player = _video_player(course_id, lesson_id)
    if player is not None:
        parts = [
            widgets.HTML("<b>基层经验视频</b>"),
            player,
            widgets.HTML(f"<p>若视频无法播放，请阅读文字版：{html.escape(fallback)}</p>"),
        ]
    else:
        parts = [widgets.HTML(f"<p><b>本课文字版</b>　{html.escape(fallback)}</p>")]
    box = _VBox([home_link(), *parts])
    box.player = player
    box.add_class("airclass-video")
    display(box)
    return box


_CHECKS: list[QuickCheck] = []  # quick checks made in this kernel (one lesson per kernel)


class QuickCheck(_VBox):
    """A multiple-choice question with instant feedback.

    A wrong answer gets the `hint` (the way to think about it, not the answer); the
    `explanation` (which usually states the answer) is shown once the answer is right, or
    after a second wrong try, so a cadre who is stuck still learns why.
    """

    def __init__(self, question: str, options: list[str], answer: int, explanation: str = "", hint: str = ""):
        self.question = question
        self.answer = answer
        self.explanation = explanation
        self.hint = hint or "再读一遍上面的材料，对照法条的条件逐项想一想。"
        self.wrong_tries = 0
        self.choice = widgets.RadioButtons(
            options=list(options), value=None, layout=widgets.Layout(width="auto")
        )
        self.check_button = widgets.Button(description="提交答案", button_style="primary")
        self.feedback = widgets.HTML("")
        self.check_button.on_click(self._check)
        self.passed = False  # the current choice was submitted and is right
        self.choice.observe(self._changed, names="value")
        super().__init__(
            [
                widgets.HTML(f"<b>随堂小测：</b>{html.escape(question)}"),
                self.choice,
                self.check_button,
                self.feedback,
            ]
        )
        _CHECKS[:] = [c for c in _CHECKS if c.question != question] + [self]

    @property
    def correct(self) -> bool:
        return self.choice.index == self.answer

    @property
    def answered_correctly(self) -> bool:
        """Answered and checked with the right option (what 完成本课 asks for)."""
        return self.passed and self.correct

    def _changed(self, _change=None) -> None:
        self.passed = False

    def _check(self, _button=None) -> None:
        self.passed = self.correct
        if self.choice.index is None:
            self.feedback.value = "<span style='color:#b26a00'>请先选择一个答案。</span>"
        elif self.correct:
            self.feedback.value = (
                f"<span style='color:green'>✔ 回答正确。</span> {html.escape(self.explanation)}"
            )
        else:
            self.wrong_tries += 1
            text = f"<span style='color:#c00'>✘ 还不对，再想一想。</span> 提示：{html.escape(self.hint)}"
            if self.wrong_tries >= 2 and self.explanation:
                text += f"<br>讲解：{html.escape(self.explanation)}"
            self.feedback.value = text


def quick_check(
    question: str, options: list[str], answer: int, explanation: str = "", hint: str = ""
) -> QuickCheck:
    check = QuickCheck(question, options, answer, explanation, hint)
    display(check)
    return check


def record_completion(
    course_id: str, lesson_id: str, answers: dict[str, int] | None = None, timeout: float = 10
) -> tuple[bool, str]:
    """Tell the platform this cadre finished a lesson. Returns (recorded, message).

    The call carries the server's own hub token, so the platform records it for the
    token's owner only: a cadre cannot record a lesson for someone else. `answers`
    (question → chosen option) lets the platform check the lesson's quick checks itself.
    """
    api = os.environ.get(API_URL_ENV)
    token = os.environ.get("JUPYTERHUB_API_TOKEN")
    if not api or not token:
        return False, "离线模式：未连接到空中课堂平台，完成情况未上传（本地学习不受影响）。"
    body = json.dumps(
        {"course_id": course_id, "lesson_id": lesson_id, "answers": answers or {}}, ensure_ascii=False
    ).encode()
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
        text = exc.read().decode(errors="replace")
        try:
            text = json.loads(text).get("error", text)
        except (ValueError, AttributeError):
            pass
        return False, f"未记录（{exc.code}）：{text[:300]}"
    except (urllib.error.URLError, TimeoutError) as exc:
        return False, f"上传失败，请稍后重试：{exc}"
    return True, f"已记录：{timefmt.beijing(reply.get('completed_at'))}（北京时间）完成本课。"


def missing_checks(checks: list[QuickCheck]) -> list[str]:
    """Short names of the quick checks not yet answered correctly ("第2题：……")."""
    missing = []
    for number, check in enumerate(checks, 1):
        if not check.answered_correctly:
            question = check.question if len(check.question) <= 24 else check.question[:24] + "……"
            missing.append(f"第{number}题：{question}")
    return missing


def finish_lesson(course_id: str, lesson_id: str, checks: list[QuickCheck] | None = None) -> _VBox:
    """The "完成本课" step: records completion once every quick check is answered correctly.

    `checks` defaults to every quick check made in this kernel (the lesson's own). The
    platform checks the answers again (airclass.services.completion_api).
    """
    button = widgets.Button(description="完成本课", button_style="success", icon="check")
    status = widgets.HTML("")

    def on_click(_button=None):
        chosen = list(_CHECKS) if checks is None else list(checks)
        missing = missing_checks(chosen)
        if missing:
            status.value = (
                "<span style='color:#b26a00'>还不能完成本课：请先答对本课的随堂小测。还差："
                + "；".join(html.escape(m) for m in missing)
                + "</span>"
            )
            return
        answers = {c.question: c.choice.index for c in chosen}
        ok, message = record_completion(course_id, lesson_id, answers)
        color = "green" if ok else "#b26a00"
        status.value = f"<span style='color:{color}'>{html.escape(message)}</span>"
        if ok:
            button.disabled = True

    button.on_click(on_click)
    box = _VBox(
        [
            widgets.HTML("<b>学完了吗？</b>答对本课的随堂小测后，点击下方按钮记录学习进度。"),
            button,
            status,
            home_link("返回我的入口，学习下一课"),
        ]
    )
    box.button, box.status = button, status
    display(box)
    return box
