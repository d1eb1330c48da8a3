"""Each course's practice and first assignments: answered by filling in values and choosing
options, judged by what was asked, through real nbgrader.

For every assignment, two alternative correct answer sets score full and two plausible wrong
ones do not (one of them partly right, to show one gap costs only its own points). Failure
messages are Chinese, say what was checked and never show the hidden expected value.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from airclass.core.catalog import load_course
from tests.courses.variants import grade_variants
from tests.paths import COURSES

PRACTICE = {
    "right-other-types": {
        "practice-answer-1": "includes_100 = 100 >= 100",
        "practice-answer-2": "from decimal import Decimal\n\nmonthly_dues = Decimal('30.00')",
    },
    "right-numpy": {
        "practice-answer-1": "import numpy as np\n\nincludes_100 = np.bool_(True)",
        "practice-answer-2": "monthly_dues = 6000 * 0.005",
    },
    "wrong-all": {"practice-answer-1": "includes_100 = False", "practice-answer-2": "monthly_dues = 3"},
    "wrong-text-not-truth": {
        "practice-answer-1": 'includes_100 = "True"',
        "practice-answer-2": "monthly_dues = 30",
    },
}
PRACTICE_SCORES = {"right-other-types": 2, "right-numpy": 2, "wrong-all": 0, "wrong-text-not-truth": 1}

FILL_IN = {
    "labor-law": (
        {
            "right-decimal": {
                "q1-answer": "from decimal import Decimal\n\novertime = Decimal('375.00')",
                "q2-answer": "compensation = 24000.0",
                "q3-answer": 'choice_3 = "b"',
                "q4-answer": "swap_is_enough = bool(0)",
                "q5-answer": "least_extra = 6000",
            },
            "right-numpy": {
                "q1-answer": "import numpy as np\n\novertime = np.float64(4350) / 21.75 / 8 * 10 * 1.5",
                "q2-answer": "compensation = round(6000 * 4, 2)",
                "q3-answer": "choice_3 = ' B '",
                "q4-answer": "import numpy as np\n\nswap_is_enough = np.bool_(False)",
                "q5-answer": "least_extra = 12000 / 2",
            },
            "wrong-all": {
                "q1-answer": "overtime = 250",  # forgot the 150 %
                "q2-answer": "compensation = 18000",  # the employer's 3 months
                "q3-answer": 'choice_3 = "A"',
                "q4-answer": "swap_is_enough = True",
                "q5-answer": "least_extra = 12000",
            },
            "wrong-but-first": {
                "q2-answer": "compensation = 21000",  # 3.5 months: the six-month rule missed
                "q3-answer": 'choice_3 = "C"',
                "q4-answer": 'swap_is_enough = "False"',  # text, not a truth value
                "q5-answer": "least_extra = 3000",
            },
        },
        {"right-decimal": 8, "right-numpy": 8, "wrong-all": 0, "wrong-but-first": 2},
        ("q2-test", "24000"),
    ),
    "enrollment": (
        {
            "right-lower-x": {
                "q1-answer": 'check_char = "x"',
                "q2-answer": "choice_2 = 'b'",
                "q3-answer": "may_set_up = 18 < 25 or True",
                "q4-answer": "since_year = 2019.0",
            },
            "right-numpy": {
                "q1-answer": "check_char = ' X'",
                "q2-answer": 'choice_2 = "B"',
                "q3-answer": "import numpy as np\n\nmay_set_up = np.bool_(True)",
                "q4-answer": "import numpy as np\n\nsince_year = np.int64(2019)",
            },
            "wrong-all": {
                "q1-answer": 'check_char = "0"',
                "q2-answer": 'choice_2 = "A"',  # dispatched by hukou, not workplace
                "q3-answer": "may_set_up = False",
                "q4-answer": "since_year = 2025",  # restarted at the transfer
            },
            "wrong-but-third": {
                "q1-answer": 'check_char = "10"',
                "q2-answer": 'choice_2 = "C"',
                "q4-answer": "since_year = 2025",
            },
        },
        {"right-lower-x": 8, "right-numpy": 8, "wrong-all": 0, "wrong-but-third": 2},
        ("q4-test", "2019"),
    ),
    "union-data": (
        {
            "right-computed": {
                "q1-answer": 'big_count = len(ledger[ledger["职工人数"] >= 100])',
                "q2-answer": (
                    'big = ledger[ledger["职工人数"] >= 100]\nbig_unionized = (big["是否建会"] == "是").sum()'
                ),
                "q3-answer": "coverage = round(2 / 4, 4)",
                "q4-answer": 'choice_4 = "b"',
            },
            "right-typed": {
                "q1-answer": "big_count = 4.0",
                "q2-answer": "big_unionized = 2",
                "q3-answer": "coverage = 0.500",
                "q4-answer": 'choice_4 = "B"',
            },
            "wrong-over-100": {
                "q1-answer": "big_count = 3",  # "> 100" leaves out the 100-staff enterprise
                "q3-answer": "coverage = 2 / 3",
                "q4-answer": 'choice_4 = "C"',
            },
            "wrong-percent": {"q3-answer": "coverage = 50"},  # a percentage where a fraction was asked
        },
        {"right-computed": 8, "right-typed": 8, "wrong-over-100": 2, "wrong-percent": 6},
        ("q3-test", "0.5"),
    ),
}


@pytest.mark.parametrize("course_id", sorted(FILL_IN))
def test_catalog_lists_lesson_zero_practice_and_fill_in_first(course_id):
    course = load_course(COURSES / course_id)
    assert course.lessons[0].id == "how-to" and course.lessons[0].title.startswith("第0课")
    assert [a.id for a in course.assignments[:2]] == ["a0-practice", "fill-in"]
    assert course.assignments[0].weight == 0 and course.assignments[1].weight == 1
    assert course.assignments[1].title.startswith("作业一")


def test_practice_is_the_same_in_every_course():
    texts = {
        (COURSES / c / "source" / "a0-practice" / "a0-practice.ipynb").read_text(encoding="utf-8")
        for c in FILL_IN
    }
    assert len(texts) == 1


def _outputs(workdir: Path, student: str, assignment: str, grade_id: str) -> str:
    nb_path = next((workdir / "autograded" / student / assignment).glob("*.ipynb"))
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == grade_id)
    # The message a cadre reads (the traceback's source lines are the grading pipeline's to hide).
    return " ".join(f"{o['ename']}: {o['evalue']}" for o in cell["outputs"] if o["output_type"] == "error")


def test_practice_through_nbgrader(tmp_path):
    scores = grade_variants(COURSES / "enrollment", "a0-practice", PRACTICE, tmp_path)
    assert {name: s.score for name, s in scores.items()} == PRACTICE_SCORES
    assert all(s.max_score == 2 for s in scores.values())
    message = _outputs(tmp_path, "wrong-text-not-truth", "a0-practice", "practice-test-1")
    assert "检查未通过" in message and "应当填 True 或 False" in message


@pytest.mark.parametrize("course_id", sorted(FILL_IN))
def test_fill_in_through_nbgrader(course_id, tmp_path):
    variants, expected, (failing_cell, hidden_value) = FILL_IN[course_id]
    scores = grade_variants(COURSES / course_id, "fill-in", variants, tmp_path)
    assert {name: s.score for name, s in scores.items()} == expected, {
        n: s.by_cell for n, s in scores.items()
    }
    assert all(s.max_score == 8 for s in scores.values())
    wrong = next(
        name
        for name in variants
        if name.startswith("wrong") and failing_cell.replace("test", "answer") in variants[name]
    )
    message = _outputs(tmp_path, wrong, "fill-in", failing_cell)
    assert "检查未通过" in message, message
    assert hidden_value not in message.replace(variants[wrong][failing_cell.replace("test", "answer")], "")
