"""The 我的作业 page: plain HTML in Chinese, cards that fit a 375-px phone, a little JavaScript
for the buttons. Built from `AssignmentView`s; every value is escaped."""

from __future__ import annotations

import json
from html import escape

from airclass.learner.exchange import AssignmentView
from airclass.learner.feedback import Feedback

CSS = """
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; margin: 0; color: #222;
       background: #f6f7f9; font-size: 16px; line-height: 1.6; }
header { background: #b71c1c; color: #fff; padding: .6em 1em; display: flex; flex-wrap: wrap;
         gap: .5em 1.2em; align-items: baseline; }
header h1 { font-size: 1.25rem; margin: 0; flex: 1 1 auto; }
header a { color: #fff; }
main { max-width: 760px; margin: 0 auto; padding: .5em .8em 3em; }
.card { background: #fff; border: 1px solid #ddd; border-radius: 8px; padding: .8em 1em; margin: 1em 0; }
.card h2 { font-size: 1.15rem; margin: 0 0 .2em; }
.meta { color: #555; font-size: .92em; display: flex; flex-wrap: wrap; gap: .2em 1.2em; }
.badge { display: inline-block; padding: 0 .5em; border-radius: 4px; background: #eef; color: #225;
         white-space: nowrap; }
.badge.s-已退回, .badge.s-已评分 { background: #e6f4ea; color: #17632a; }
.badge.s-未领取 { background: #fff4e0; color: #8a4b00; }
.actions { display: flex; flex-wrap: wrap; gap: .5em; margin-top: .6em; }
.actions button, .actions a.btn { font-size: 1rem; padding: .35em 1em; border-radius: 6px;
         border: 1px solid #b71c1c; background: #fff; color: #b71c1c; text-decoration: none;
         cursor: pointer; }
.actions .primary { background: #b71c1c; color: #fff; }
.msg { margin-top: .6em; padding: .5em .8em; border-radius: 6px; background: #f1f8ff; display: none; }
.msg.show { display: block; }
.msg.err { background: #fdecea; color: #8c1d18; }
.feedback { margin-top: .8em; border-top: 1px dashed #ccc; padding-top: .5em; }
.feedback table { border-collapse: collapse; width: 100%; }
.feedback td { padding: .25em .4em; border-bottom: 1px solid #eee; }
.ok { color: #17632a; } .bad { color: #8c1d18; }
.note { color: #666; font-size: .9em; }
"""

SCRIPT = """
function acPost(url) {
  var xsrf = document.body.dataset.xsrf;
  return fetch(url, {method: "POST", credentials: "same-origin",
                     headers: {"X-XSRFToken": xsrf, "Content-Type": "application/json"}, body: "{}"})
    .then(function (r) { return r.json().then(function (b) { b.ok = r.ok; return b; }); });
}
function acShow(card, text, isError) {
  var box = card.querySelector(".msg");
  box.textContent = "";
  box.innerHTML = text;
  box.className = "msg show" + (isError ? " err" : "");
}
function acAct(button, action) {
  var card = button.closest(".card");
  var url = card.dataset.api + "/" + action;
  if (action === "submit") {
    var files = JSON.parse(card.dataset.files);
    var lines = files.map(function (f) { return f.name + "（最后保存 " + f.saved + "）"; }).join("\\n");
    var now = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 16).replace("T", " ");
    var question = "确认提交《" + card.dataset.title + "》？\\n将提交的文件：\\n" + lines +
      "\\n提交时间：" + now + "（北京时间）\\n提交前请先在 JupyterLab 中保存。";
    if (!window.confirm(question)) { return; }
  }
  button.disabled = true;
  acShow(card, action === "check" ? "正在运行可见检查，请稍候……" : "正在处理，请稍候……", false);
  acPost(url).then(function (body) {
    button.disabled = false;
    if (!body.ok) { acShow(card, body.message || "操作失败，请稍后再试。", true); return; }
    if (action === "check") { acShow(card, body.html, false); return; }
    sessionStorage.setItem("ac-msg-" + card.id, body.message);
    window.location.reload();
  }).catch(function () { button.disabled = false; acShow(card, "网络异常，请稍后再试。", true); });
}
document.querySelectorAll(".card").forEach(function (card) {
  var saved = sessionStorage.getItem("ac-msg-" + card.id);
  if (saved) { sessionStorage.removeItem("ac-msg-" + card.id); acShow(card, saved, false); }
});
document.querySelectorAll("button[data-action]").forEach(function (b) {
  b.addEventListener("click", function () { acAct(b, b.dataset.action); });
});
document.querySelectorAll("button[data-toggle]").forEach(function (b) {
  b.addEventListener("click", function () {
    var box = document.getElementById(b.dataset.toggle);
    box.hidden = !box.hidden;
  });
});
"""


def _verdict(item) -> str:
    if item.passed:
        return "<span class='ok'>通过</span>" if item.kind == "check" else "<span class='ok'>满分</span>"
    if item.kind == "written":
        # written answers are scored by the trainer; 0 may simply mean "not read yet"
        return "<span class='note'>由培训师评阅</span>"
    return "<span class='bad'>未通过</span>" if item.kind == "check" else "<span class='bad'>未得满分</span>"


def feedback_html(fb: Feedback, dom_id: str) -> str:
    rows = "".join(
        f"<tr><td>{escape(i.label)}</td><td>{i.score:g} / {i.points:g} 分</td><td>{_verdict(i)}</td></tr>"
        for i in fb.items
    )
    failed = fb.failed_checks
    failed_text = (
        "<p class='bad'>未通过的检查：" + "、".join(escape(i.label) for i in failed) + "</p>"
        if failed
        else ""
    )
    comments = "".join(
        f"<p><b>培训师评语（{escape(label)}）：</b>{escape(text)}</p>" for label, text in fb.comments
    )
    return (
        f'<div class="feedback" id="{dom_id}" hidden><h3>批改反馈</h3>'
        f"<p>总分：{fb.score:g} / {fb.max_score:g} 分</p>"
        f"<table>{rows}</table>{failed_text}{comments or '<p class=note>暂无培训师评语。</p>'}</div>"
    )


def card_html(n: int, view: AssignmentView, base_url: str) -> str:
    api = f"{base_url}airclass/api/assignments/{view.course_id}/{view.assignment_id}"
    files = json.dumps(
        [{"name": nb["name"], "saved": nb["saved"]} for nb in view.notebooks], ensure_ascii=False
    )
    buttons = []
    if view.status == "未领取":
        buttons.append('<button class="primary" data-action="fetch">领取</button>')
    if view.notebooks:
        for nb in view.notebooks:
            label = "打开" if len(view.notebooks) == 1 else f"打开 {escape(nb['name'])}"
            buttons.append(
                f'<a class="btn" href="{escape(base_url)}lab/tree/{escape(nb["path"])}">{label}</a>'
            )
        buttons.append('<button data-action="check">检查</button>')
        buttons.append('<button class="primary" data-action="submit">提交</button>')
    fb = ""
    if view.feedback is not None:
        buttons.append(f'<button data-toggle="fb-{n}">查看反馈</button>')
        fb = feedback_html(view.feedback, f"fb-{n}")
    meta = [f"课程：{escape(view.course_title)}"]
    if view.due:
        meta.append(f"截止：{escape(view.due)}（北京时间）" + ("，已过截止时间" if view.due_passed else ""))
    if view.submitted_at:
        meta.append(f"最近提交：{escape(view.submitted_at)}")
    if view.score:
        meta.append(f"得分：{escape(view.score)}")
    if view.status == "未发布":
        meta.append("培训师尚未发布")
    return (
        f'<section class="card" id="a-{n}" data-api="{escape(api)}" data-title="{escape(view.title)}"'
        f" data-files='{escape(files)}' data-status=\"{escape(view.status)}\">"
        f'<h2>{escape(view.title)} <span class="badge s-{escape(view.status)}">'
        f"{escape(view.status)}</span></h2>"
        f'<div class="meta">{"".join(f"<span>{m}</span>" for m in meta)}</div>'
        f'<div class="actions">{"".join(buttons)}</div><div class="msg" role="status"></div>{fb}</section>'
    )


def page_html(views: list[AssignmentView], base_url: str, hub_home: str, xsrf: str, problem: str = "") -> str:
    cards = "".join(card_html(n, v, base_url) for n, v in enumerate(views))
    if problem:
        cards = f'<p class="card bad">{escape(problem)}</p>' + cards
    elif not views:
        cards = '<p class="card">目前没有作业。培训师发布作业后会显示在这里。</p>'
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>我的作业 · 空中课堂</title><style>{CSS}</style></head>"
        f'<body data-xsrf="{escape(xsrf)}"><header><h1>我的作业</h1>'
        f'<a href="{escape(hub_home)}">返回我的入口</a></header><main>'
        '<p class="note">流程：领取 → 打开并作答（记得保存）→ 检查 → 提交。“检查”只运行题目中可见的检查，'
        "隐藏检查在提交后评分时运行。截止时间为北京时间。</p>"
        f"{cards}</main><script>{SCRIPT}</script></body></html>"
    )


def checks_html(results: list[dict]) -> str:
    parts = []
    for nb in results:
        rows = []
        for c in nb["checks"]:
            if c["passed"]:
                rows.append(f"<li class='ok'>第 {c['number']} 项检查（{c['points']:g} 分）：通过</li>")
            else:
                reason = escape(c["reason"])
                rows.append(
                    f"<li class='bad'>第 {c['number']} 项检查（{c['points']:g} 分）：未通过——{reason}</li>"
                )
        passed = sum(c["passed"] for c in nb["checks"])
        summary = f"{escape(nb['notebook'])}：可见检查通过 {passed} / {len(nb['checks'])} 项"
        parts.append(f"<p>{summary}</p><ul>{''.join(rows)}</ul>")
    parts.append("<p class='note'>隐藏检查会在提交后评分时运行，所以最终得分可能低于这里的结果。</p>")
    return "".join(parts)
