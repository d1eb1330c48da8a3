"""Tamper detection: the static scan and the run-time canaries (grader/integrity.py)."""

from __future__ import annotations

import json

import nbformat
import pytest

from grader import integrity, sandbox
from tests.grader.conftest import make_gradable
from tests.grader.coursework import VARIANTS, course_root, variant
from tests.grader.test_feedback import ASSIGNMENTS

ATTACKS = {
    "patch run_cell": "ip = get_ipython()\nip.run_cell = lambda *a, **k: None",
    "magic": "%config InteractiveShell.showtraceback = None",
    "shell escape": "!echo hi",
    "rebind builtin": "def isinstance(*args):\n    return True",
    "rebind builtin by assignment": "len = lambda x: 24",
    "redefine locked helper": "def _close(a, b):\n    return True",
    "patch a library": "import math\nmath.isclose = lambda *a, **k: True",
    "patch through a call": "import pandas as pd\ntype(pd.DataFrame()).equals = lambda a, b: True",
    "builtins module": "import builtins\nbuiltins.AssertionError = Warning",
    "dunder walk": "x = ().__class__.__base__.__subclasses__()",
    "dynamic import": "m = __import__('sy' + 's')",
    "computed getattr": "import pandas as pd\nf = getattr(pd, 'get_' + 'ipython')",
    "exec": "exec('print(1)')",
    "reach sys through a module": "import pandas as pd\npd.io.common.sys.modules.clear()",
    "frames": "import traceback\nf = traceback.sys._getframe()",
    "unknown module written at run time": "import my_patches",
    "ctypes": "import ctypes",
    "globals": "globals()['isinstance'] = print",
}


@pytest.mark.parametrize("name", list(ATTACKS))
def test_static_scan_flags_each_attack(name):
    assert integrity.scan_code(ATTACKS[name], protected={"_close"}), name


def test_static_scan_accepts_ordinary_answers():
    ordinary = """
import math
import pandas as pd
from datetime import date, timedelta
%matplotlib inline

def overtime_pay(monthly_wage, hours=0):
    total = 0
    for h in range(hours):
        total += monthly_wage / 174 * 1.5
    table = pd.DataFrame({"a": [1, 2]})
    table["b"] = table["a"] * 2
    table.loc[0, "a"] = 5
    return round(total, 2)

class Case:
    def __init__(self, name):
        self.name = name
"""
    assert integrity.scan_code(ordinary, protected={"_close"}) == []


@pytest.mark.slow
@pytest.mark.parametrize(
    ("course", "assignment_id"), ASSIGNMENTS, ids=[f"{c.name}/{a}" for c, a in ASSIGNMENTS]
)
def test_no_answer_of_any_course_is_flagged(tmp_path, course, assignment_id):
    root = course_root(tmp_path, course, assignment_id)
    db_url = f"sqlite:///{root / 'gradebook.db'}"
    for kind in VARIANTS:
        for name, nb in variant(root, assignment_id, kind).items():
            node = nbformat.reads(json.dumps(nb), as_version=4)  # as the lane reads a file
            assert integrity.check_submission(node, db_url, name[: -len(".ipynb")], assignment_id) == [], kind


def _nb(*cells):
    return nbformat.from_dict(
        {
            "nbformat": 4,
            "nbformat_minor": 5,
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
            "cells": [
                {
                    "cell_type": "code",
                    "metadata": meta,
                    "source": src,
                    "outputs": [],
                    "execution_count": None,
                    "id": f"c{i}",
                }
                for i, (src, meta) in enumerate(cells)
            ],
        }
    )


TEST_META = {"nbgrader": {"grade": True, "solution": False, "locked": True, "points": 1, "grade_id": "t"}}
SWALLOW = """ip = get_ipython()
real = ip.run_cell
ip.run_cell = lambda raw, *a, **k: real("pass" if "assert" in raw else raw, *a, **k)
"""


@pytest.mark.slow
def test_canaries_catch_a_kernel_that_swallows_failures(grading_data_dir):
    """The run-time layer on its own, for real in the sandbox: a patch the static scan would
    catch is run here as if it had slipped through."""
    settings, made = grading_data_dir
    make_gradable(settings, made, "labor-law", "a1-calculators")  # pool accounts for the settings
    account = sandbox.ensure_pool(settings, 1)[0]
    cells = [
        ("def f(x):\n    return x", {}),
        ("assert f(1) == 2", TEST_META),
        ("assert f(2) == 2", TEST_META),
    ]

    honest = integrity.arm(_nb(*cells))
    result = sandbox.run_notebook(settings, account, nbformat.writes(honest.nb))
    assert result.finished and integrity.verify(honest, result) == []
    real = honest.strip(result.cells)
    assert [o["ename"] for o in real[1]["outputs"]] == ["AssertionError"], "the wrong answer fails as usual"
    assert real[2]["outputs"] == []

    patched = integrity.arm(_nb((SWALLOW, {}), *cells))
    result = sandbox.run_notebook(settings, account, nbformat.writes(patched.nb))
    assert result.finished
    assert all(not c["outputs"] for c in patched.strip(result.cells).values()), "the patch hid the failure"
    assert integrity.verify(patched, result) == [integrity.TAMPERING]


def test_arm_adds_canaries_and_strip_restores_indices():
    cells = [("x = 1", {}), ("assert x == 1", TEST_META), ("y = 2", {}), ("assert y == 2", TEST_META)]
    armed = integrity.arm(_nb(*cells))
    assert len(armed.nb.cells) == 6 and len(armed.canaries) == 2
    fake = {i: {"outputs": [], "execution_count": i} for i in range(6)}
    assert sorted(armed.strip(fake)) == [0, 1, 2, 3]
    assert json.dumps([c.source for c in armed.nb.cells]).count("assert _") == 2
