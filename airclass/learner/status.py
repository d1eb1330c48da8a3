"""An assignment's status as a cadre reads it, from the facts each page can see.

    未发布  not released yet            已领取  fetched, not submitted
    未领取  released, not fetched       已提交  submitted, no score yet
    已评分  scored, feedback not yet returned to the cadre
    已退回  feedback returned to the cadre (with the score)

The hub's 我的入口 (root) sees every fact; 我的作业 (the cadre's own server) sees the
exchange and the cadre's files, and learns the score from the returned feedback.
"""

from __future__ import annotations

NOT_RELEASED = "未发布"
NOT_FETCHED = "未领取"
FETCHED = "已领取"
SUBMITTED = "已提交"
GRADED = "已评分"
RETURNED = "已退回"
ALL = (NOT_RELEASED, NOT_FETCHED, FETCHED, SUBMITTED, GRADED, RETURNED)


def assignment_status(
    *, released: bool, fetched: bool, submitted: bool, graded: bool = False, returned: bool = False
) -> str:
    if submitted and returned:
        return RETURNED
    if submitted and graded:
        return GRADED
    if submitted:
        return SUBMITTED
    if fetched:
        return FETCHED
    if released:
        return NOT_FETCHED
    return NOT_RELEASED


def score_text(score: float | None, max_score: float | None, pass_mark: float | None = None) -> str:
    """'3 / 4（通过）' — '' when there is no score yet."""
    if score is None or max_score is None or score != score:
        return ""
    text = f"{score:g} / {max_score:g}"
    if pass_mark is None or pass_mark != pass_mark:
        return text
    return text + ("（通过）" if score >= pass_mark else f"（未通过，及格 {pass_mark:g} 分）")
