"""The formgrader hook: a manual grade saved through nbgrader's gradebook becomes one audit
entry with the trainer, the cadre, the cell, before and after (a real nbgrader Gradebook;
only the HTTP post to the completion API is captured)."""

import logging
from types import SimpleNamespace

from nbgrader.api import Gradebook
from nbgrader.server_extensions.formgrader import apihandlers

from airclass.core.audit import GRADE_MANUAL
from airclass.services import grade_audit


def make_gradebook(tmp_path) -> Gradebook:
    gb = Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}")
    gb.add_assignment("hw1")
    gb.add_notebook("dues", "hw1")
    gb.add_grade_cell("why_dues", "dues", "hw1", max_score=2, cell_type="markdown")
    gb.add_student("jn0001")
    gb.add_submission("hw1", "jn0001")
    return gb


def nbgrader_like_put(handler, grade_id):
    """What nbgrader's GradeHandler.put does to the gradebook."""
    grade = handler.gradebook.find_grade_by_id(grade_id)
    grade.manual_score = handler.body.get("manual_score")
    grade.extra_credit = handler.body.get("extra_credit")
    handler.gradebook.db.commit()


def test_manual_grade_becomes_one_entry(tmp_path, monkeypatch):
    sent = []
    monkeypatch.setattr(grade_audit, "send_entry", sent.append)
    with make_gradebook(tmp_path) as gb:
        grade = gb.find_grade("why_dues", "dues", "hw1", "jn0001")
        handler = SimpleNamespace(
            gradebook=gb,
            current_user=SimpleNamespace(username="px01"),
            log=logging.getLogger("test"),
            body={"manual_score": 1.5},
        )
        put = grade_audit._audited_put(nbgrader_like_put)
        put(handler, grade.id)
        put(handler, grade.id)  # saving the same value again changes nothing: no entry
    assert len(sent) == 1
    entry = sent[0]
    assert entry["actor"] == "px01" and entry["action"] == GRADE_MANUAL and entry["target"] == "jn0001"
    assert entry["detail"]["cell"] == "why_dues" and entry["detail"]["assignment"] == "hw1"
    assert entry["detail"]["before"] == {"manual_score": None, "extra_credit": None}
    assert entry["detail"]["after"] == {"manual_score": 1.5, "extra_credit": None}


def test_extension_wraps_nbgrader_grade_handler_once(monkeypatch):
    original = apihandlers.GradeHandler.put
    monkeypatch.setattr(apihandlers.GradeHandler, "put", original)  # restored after the test
    app = SimpleNamespace(log=logging.getLogger("test"))
    grade_audit._load_jupyter_server_extension(app)
    wrapped = apihandlers.GradeHandler.put
    assert wrapped is not original and getattr(wrapped, grade_audit.AUDITED)
    grade_audit._load_jupyter_server_extension(app)
    assert apihandlers.GradeHandler.put is wrapped, "loading twice must not wrap twice"
