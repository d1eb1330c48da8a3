"""结业证书: earned only by finishing a course; the code verifies; a made-up one does not."""

from __future__ import annotations

import pytest

from airclass.admin import cli
from airclass.core.settings import load
from airclass.learner import certificate
from tests.airclass.progress.test_progress import NOW, make_classroom


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    root = tmp_path_factory.mktemp("certs")
    make_classroom(root)
    path = root / "airclass.toml"
    path.write_text(f'data_dir = "{root}"\n', encoding="utf-8")
    return load(path)


def test_only_a_finished_course_earns_a_certificate(settings):
    done = certificate.standing(settings, "c1", "union-data", NOW)
    assert done["eligible"] and done["score"] == "5 / 5"
    short = certificate.standing(settings, "c1", "labor-law", NOW)
    assert not short["eligible"]
    assert short["missing"] == ["作业《经济补偿计算》未达到及格分"]
    with pytest.raises(certificate.CertificateError, match="还不能领取结业证书"):
        certificate.issue(settings, "c1", "labor-law", NOW)
    pending = certificate.standing(settings, "c2", "labor-law", NOW)
    assert any("待培训师评阅" in m for m in pending["missing"])


def test_issued_code_verifies_and_stays_the_same(settings, capsys):
    cert = certificate.issue(settings, "c1", "union-data", NOW)
    assert certificate.issue(settings, "c1", "union-data", NOW).code == cert.code
    assert cert.name == "张三" and cert.issued_on == "2026-03-20"
    found = certificate.verify(settings, cert.code.lower().replace("-", " "))
    assert found == cert
    assert certificate.verify(settings, "ABCD-EFGH-JKLM") is None

    assert cli.main(["--settings", str(settings.source), "certificate", "verify", cert.code]) == 0
    assert "有效" in capsys.readouterr().out
    assert cli.main(["--settings", str(settings.source), "certificate", "verify", "ABCD-EFGH-JKLM"]) == 1
    assert "无效" in capsys.readouterr().err


def test_pdf_in_chinese_with_an_embedded_cjk_font(settings):
    cert = certificate.issue(settings, "c1", "union-data", NOW)
    pdf = certificate.render_pdf(cert, "https://example.cn/services/certificates/check")
    assert pdf.startswith(b"%PDF")
    assert b"/FontFile" in pdf and b"CJK" in pdf, "the Chinese font is embedded (subset)"


def test_a_practice_assignment_is_not_needed_for_the_certificate(settings):
    """c1 failed only hw2 of labor-law; made a practice assignment (weight = 0), it no
    longer stands between c1 and the certificate. The course.toml is put back after."""
    import dataclasses

    from airclass.core.catalog import course_toml, load_course

    toml = settings.public_dir / "labor-law" / "course.toml"
    original = toml.read_text(encoding="utf-8")
    course = load_course(toml.parent, check_notebooks=False)
    hw1, hw2 = course.assignments
    practice = dataclasses.replace(course, assignments=(hw1, dataclasses.replace(hw2, weight=0.0)))
    try:
        toml.write_text(course_toml(practice), encoding="utf-8")
        standing = certificate.standing(settings, "c1", "labor-law", NOW)
        assert standing["eligible"], standing["missing"]
    finally:
        toml.write_text(original, encoding="utf-8")
