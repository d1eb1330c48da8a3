"""结业证书: a PDF in Chinese for a cadre who finished a course, and its verification.

A cadre earns a course's certificate when every lesson is completed and every assignment
is graded at or above its pass mark (written answers graded too). The certificate is
recorded in the platform database under a random verification code; the code is what
`airclass certificate verify CODE` and the hub page /hub/certificate-check look up, so a
forged PDF with an invented code verifies as nothing.
"""

from __future__ import annotations

import datetime as dt
import secrets
import subprocess
from dataclasses import dataclass
from pathlib import Path

from fontTools.ttLib import TTCollection
from fpdf import FPDF

from airclass.core import deployed, timefmt
from airclass.core.platform_db import PlatformDB
from airclass.core.settings import Settings
from airclass.progress import table as progress

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud on the phone
FONT_FAMILY = "Noto Serif CJK SC"


class CertificateError(ValueError):
    """Why a certificate cannot be issued or read (Chinese, for the person asking)."""


@dataclass(frozen=True)
class Certificate:
    code: str
    user_id: str
    name: str
    course_id: str
    course_title: str
    score: str
    issued_at: str  # UTC ISO

    @property
    def issued_on(self) -> str:
        return timefmt.beijing(self.issued_at)[:10]


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


def normalize_code(code: str) -> str:
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def standing(settings: Settings, user_id: str, course_id: str, now: dt.datetime | None = None) -> dict:
    """{eligible, missing: [Chinese reasons], score: 'x / y', title} for one cadre's course."""
    now = now or dt.datetime.now(dt.UTC)
    courses = [c for c in deployed.deployed_courses(settings) if c.id == course_id]
    if not courses:
        raise CertificateError(f"没有课程 {course_id}。")
    rows = progress.build_progress(
        settings.platform_db_url, courses, deployed.gradebook_urls(settings, courses), now, user_id
    )
    if rows.empty:
        raise CertificateError(f"您没有报名课程《{courses[0].title}》。")
    missing = []
    for r in rows.itertuples():
        if r.item_type == "lesson" and not r.done:
            missing.append(f"课时《{r.item_title}》未完成")
        elif r.item_type == "assignment" and not r.submitted:
            missing.append(f"作业《{r.item_title}》未提交")
        elif r.item_type == "assignment" and r.needs_grading:
            missing.append(f"作业《{r.item_title}》待培训师评阅")
        elif r.item_type == "assignment" and not r.passed:
            missing.append(f"作业《{r.item_title}》未达到及格分")
    assignments = rows[rows["item_type"] == "assignment"]
    score = f"{assignments['score'].fillna(0).sum():g} / {assignments['max_score'].sum():g}"
    return {"eligible": not missing, "missing": missing, "score": score, "title": courses[0].title}


def issue(settings: Settings, user_id: str, course_id: str, now: dt.datetime | None = None) -> Certificate:
    """The cadre's certificate for the course (the same code every time once issued)."""
    state = standing(settings, user_id, course_id, now)
    if not state["eligible"]:
        raise CertificateError("还不能领取结业证书：" + "；".join(state["missing"]) + "。")
    with PlatformDB(settings.platform_db_url) as db:
        found = db.certificate_of(user_id, course_id)
        if found:
            return Certificate(**found)
        person = db.person(user_id)
        stamp = (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
        cert = Certificate(
            new_code(), user_id, person["name"], course_id, state["title"], state["score"], stamp
        )
        db.record_certificate(cert.__dict__)
    return cert


def verify(settings: Settings, code: str) -> Certificate | None:
    with PlatformDB(settings.platform_db_url) as db:
        found = db.certificate(normalize_code(code))
    return Certificate(**found) if found else None


def cjk_font() -> Path:
    """A Simplified-Chinese CJK font file (installed by the setup: fonts-noto-cjk)."""
    try:
        out = subprocess.run(
            ["fc-match", "-f", "%{file}", f"{FONT_FAMILY}:style=Regular"], capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        out = ""
    if out and "CJK" in out and Path(out).is_file():
        return Path(out)
    raise CertificateError("服务器缺少中文字体（fonts-noto-cjk），无法生成证书；请联系管理员。")


def _sc_index(font: Path) -> int:
    """Index of the Simplified-Chinese face inside a Noto CJK collection (.ttc)."""
    if font.suffix.lower() != ".ttc":
        return 0
    for index, face in enumerate(TTCollection(str(font)).fonts):
        if " SC" in str(face["name"].getDebugName(1)):
            return index
    return 0


def render_pdf(cert: Certificate, verify_url: str = "") -> bytes:
    font = cjk_font()
    pdf = FPDF(orientation="L", format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.add_font("cjk", fname=str(font), collection_font_number=_sc_index(font))
    pdf.set_draw_color(183, 28, 28)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, 277, 190)
    pdf.set_text_color(183, 28, 28)
    pdf.set_font("cjk", size=34)
    pdf.set_xy(10, 32)
    pdf.cell(277, 16, "结业证书", align="C")
    pdf.set_text_color(30, 30, 30)
    pdf.set_font("cjk", size=17)
    lines = [
        f"{cert.name}（学员编号 {cert.user_id}）：",
        f"    已完成山东省总工会“空中课堂”课程《{cert.course_title}》的全部课时，",
        f"    并通过全部作业，作业总分 {cert.score} 分，准予结业。",
    ]
    y = 70
    for line in lines:
        pdf.set_xy(40, y)
        pdf.cell(217, 12, line)
        y += 16
    pdf.set_font("cjk", size=14)
    pdf.set_xy(40, 150)
    pdf.cell(217, 9, f"发证日期：{cert.issued_on}")
    pdf.set_xy(40, 161)
    pdf.cell(217, 9, f"验证码：{cert.code}")
    if verify_url:
        pdf.set_font("cjk", size=11)
        pdf.set_xy(40, 172)
        pdf.cell(217, 8, f"核验：{verify_url}")
    pdf.set_font("cjk", size=15)
    pdf.set_xy(170, 150)
    pdf.cell(90, 9, "山东省总工会 空中课堂", align="R")
    return bytes(pdf.output())
