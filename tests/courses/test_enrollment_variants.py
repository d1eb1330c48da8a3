"""enrollment assignments: alternative correct solutions score full, plausible wrong ones do
not, and a missing helper costs only its own points — through real nbgrader."""

from __future__ import annotations

import pytest

from tests.courses.variants import grade_variants
from tests.paths import COURSES

COURSE = COURSES / "enrollment"

REGEX_MOBILE = """import re


def validate_mobile(text):
    digits = re.sub(r"[ -]", "", text)
    digits = digits[3:] if digits.startswith("+86") else digits
    return re.fullmatch(r"1[3-9][0-9]{9}", digits, flags=re.ASCII) is not None"""

NUMPY_MOBILE = """import numpy as np


def validate_mobile(text):
    s = text.replace(" ", "").replace("-", "").removeprefix("+86")
    return np.bool_(len(s) == 11 and s.isascii() and s.isdigit() and s[0] == "1" and s[1] in "3456789")"""

ALT_CHECK_CHAR = """def check_char(first17):
    remainder = 0
    for digit, weight in zip(first17, WEIGHTS):
        remainder = (remainder + int(digit) * weight) % 11
    return "10X98765432"[remainder]"""

HUKOU_DISPATCH = """def dispatch(app):
    if validate_id(app["id_number"]) != "OK" or not validate_mobile(app["mobile"]):
        return None
    code = app["id_number"][:4]
    city = next((c for c, k in SHANDONG_CITIES.items() if k == code), app["work_city"].removesuffix("市"))
    kind = "本单位工会" if app["employer"] and app["employer_union"] else "区域性工会联合会"
    return (city, app["work_district"], kind)"""

A1 = {
    "right-regex-loop": {"a1-validate-mobile": REGEX_MOBILE, "a1-check-char": ALT_CHECK_CHAR},
    "right-numpy-bool": {"a1-validate-mobile": NUMPY_MOBILE},
    "gap-check-char": {"a1-check-char": "def check_char(first17):\n    pass"},
    "wrong-dispatch-by-hukou": {"a1-dispatch": HUKOU_DISPATCH},
}
# 11 autograded points: check_char 2, validate_id 4, mobile 1, dispatch rules 2, territorial 2.
A1_SCORES = {
    "right-regex-loop": 11,
    "right-numpy-bool": 11,
    "gap-check-char": 9,
    "wrong-dispatch-by-hukou": 7,
}

A2 = {
    "right-dict-lookup": {
        "a2-cover": (
            "def cover(worker):\n"
            '    if worker["用人单位"] and worker["单位已建会"] == "是":\n'
            '        return "本单位工会"\n'
            '    for field in ("职业", "工作场所"):\n'
            '        if worker[field] in (INDUSTRIES if field == "职业" else ZONES):\n'
            '            return f"{worker[field]}工会联合会"\n'
            '    return "灵活就业人员联合工会"'
        ),
    },
    "gap-cover": {"a2-cover": "def cover(worker):\n    pass"},
    "wrong-zone-before-industry": {
        "a2-cover": (
            "def cover(worker):\n"
            '    if worker["用人单位"] and worker["单位已建会"] == "是":\n'
            '        return "本单位工会"\n'
            '    if worker["工作场所"] in ZONES:\n'
            '        return worker["工作场所"] + "工会联合会"\n'
            '    if worker["职业"] in INDUSTRIES:\n'
            '        return worker["职业"] + "工会联合会"\n'
            '    return "灵活就业人员联合工会"'
        ),
    },
}


@pytest.mark.parametrize(
    "assignment, variants", [("a1-id-dispatch", A1), ("a2-coverage", A2)], ids=["a1", "a2"]
)
def test_variants_through_nbgrader(assignment, variants, tmp_path):
    scores = grade_variants(COURSE, assignment, variants, tmp_path)
    by_cell = {n: s.by_cell for n, s in scores.items()}
    if assignment == "a1-id-dispatch":
        assert {name: s.score for name, s in scores.items()} == A1_SCORES, by_cell
        return
    full = scores["right-dict-lookup"].max_score
    assert scores["right-dict-lookup"].score == full, by_cell
    # A missing cover() loses only the cells that test cover() itself; the summary cell grades
    # coverage_counts and second_coverage with the reference cover().
    gap = by_cell["gap-cover"]
    assert gap["a2-test-cover-rules"] == 0 and gap["a2-test-cover-list"] == 0, gap
    assert gap["a2-test-summary"] > 0 and gap["a2-test-advice"] > 0, gap
    assert scores["wrong-zone-before-industry"].score < full
