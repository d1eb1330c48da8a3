"""The formgrader → grading service requests: names only, answers never through a link."""

from __future__ import annotations

import os

import pytest

from airclass.services import grading_service, regrade_spool
from airclass.services.regrade_spool import Spool

ME = os.getuid()


def test_request_answer_round_trip(tmp_path):
    name = regrade_spool.file_request(tmp_path, "hw1", "cadre01")
    assert regrade_spool.take_result(tmp_path, name) is None, "pending"
    with Spool(tmp_path, ME) as spool:
        assert spool.requests() == [(name, "hw1", "cadre01")]
        spool.answer(name, {"success": True, "log": "已评分"})
        assert spool.requests() == [], "answered requests are not graded again"
    assert regrade_spool.take_result(tmp_path, name) == {"success": True, "log": "已评分"}
    assert list(regrade_spool.spool_dir(tmp_path).iterdir()) == [], "the answer is removed once read"


@pytest.mark.parametrize("student", ["../root", "Cadre", "a+b", ""])
def test_bad_names_are_refused_when_filed(tmp_path, student):
    with pytest.raises(ValueError):
        regrade_spool.file_request(tmp_path, "hw1", student)


def test_planted_entries_are_only_names(tmp_path):
    folder = regrade_spool.spool_dir(tmp_path)
    folder.mkdir()
    (folder / "hw1+../../etc+0123456789abcdef").mkdir(parents=True)  # a path, not a name
    (folder / "hw1+Root+0123456789abcdef").touch()
    (folder / "free text").touch()
    target = tmp_path / "secret"
    target.write_text("root's")
    name = "hw1+cadre01+0123456789abcdef"
    (folder / name).touch()
    (folder / (name + regrade_spool.RESULT)).symlink_to(target)  # planted answer: a link
    with Spool(tmp_path, ME) as spool:
        assert spool.requests() == [], "a request with an answer in place is not taken"
        spool.answer(name, {"success": True})
    assert target.read_text() == "root's", "the answer never goes through a link"


def test_a_spool_that_is_a_link_or_foreign_or_world_writable_is_refused(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    root = tmp_path / "course"
    root.mkdir()
    regrade_spool.spool_dir(root).symlink_to(elsewhere)
    with pytest.raises(OSError):
        Spool(root, ME).__enter__()
    regrade_spool.spool_dir(root).unlink()
    regrade_spool.spool_dir(root).mkdir()
    with pytest.raises(PermissionError):
        Spool(root, ME + 1).__enter__()
    os.chmod(regrade_spool.spool_dir(root), 0o777)
    with pytest.raises(PermissionError):
        Spool(root, ME).__enter__()


def test_the_service_answers_requests_it_cannot_grade(tmp_path, monkeypatch):
    """Unknown assignment, nothing collected: a clear answer, no grading started."""
    from airclass.core.catalog import course_toml, load_course
    from airclass.core.settings import Settings, validate
    from tests.paths import FIXTURE_COURSES

    settings = Settings(validate({"data_dir": str(tmp_path)}), None)
    course = load_course(FIXTURE_COURSES / "basics")
    root = settings.course_root(course.id)
    root.mkdir(parents=True)
    (root / "course.toml").write_text(course_toml(course), encoding="utf-8")
    assignment = course.assignments[0].id
    monkeypatch.setattr(grading_service, "grade_submissions", lambda *a, **k: pytest.fail("graded"))
    unknown = regrade_spool.file_request(root, "no-such-hw", "cadre01")
    missing = regrade_spool.file_request(root, assignment, "cadre01")
    with Spool(root, ME) as spool:
        for name, a, s in spool.requests():
            spool.answer(name, grading_service._regrade(settings, course.id, a, s, {}, None))
    assert "没有作业" in regrade_spool.take_result(root, unknown)["error"]
    assert "没有已收取" in regrade_spool.take_result(root, missing)["error"]


def test_the_formgrader_button_waits_for_the_answer(tmp_path):
    """The replaced Autograde handler files a request and replies with the service's answer."""
    import asyncio
    import json
    import threading
    import time
    from types import SimpleNamespace

    from nbgrader.server_extensions.formgrader import apihandlers

    from airclass.services import formgrader_autograde

    written = []
    handler = SimpleNamespace(
        api=SimpleNamespace(coursedir=SimpleNamespace(root=str(tmp_path))), write=written.append
    )

    def service():  # the grading service's part, on the first request that appears
        while not regrade_spool.spool_dir(tmp_path).is_dir():
            time.sleep(0.05)
        with Spool(tmp_path, ME) as spool:
            while not (requests := spool.requests()):
                time.sleep(0.05)
            ((name, assignment, student),) = requests
            spool.answer(name, {"success": True, "log": f"{assignment}/{student} 已在评分沙箱中自动评分"})

    answering = threading.Thread(target=service, daemon=True)
    answering.start()
    asyncio.run(formgrader_autograde._sandboxed_autograde(handler, "hw1", "cadre01"))
    answering.join(timeout=10)
    assert json.loads(written[0]) == {"success": True, "log": "hw1/cadre01 已在评分沙箱中自动评分"}

    original = apihandlers.AutogradeHandler.post
    try:
        formgrader_autograde._load_jupyter_server_extension(SimpleNamespace(log=SimpleNamespace(info=print)))
        assert getattr(apihandlers.AutogradeHandler.post, formgrader_autograde.SANDBOXED)
    finally:
        apihandlers.AutogradeHandler.post = original
