"""Fair checks for test cells: what was asked, not how; Chinese messages that never tell
the expected value."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from airclass.lessons import checks as ck  # noqa: E402


@pytest.mark.parametrize(
    "value", [375.0, 375, Decimal("375.00"), np.float64(375.004), np.int64(375), Fraction(750, 2)]
)
def test_numbers_of_every_kind_within_tolerance(value):
    ck.number(value, 375.0, what="加班费")


@pytest.mark.parametrize("value", [375.02, "375", None, True, [375], float("nan")])
def test_wrong_numbers_fail_without_telling_the_answer(value):
    with pytest.raises(AssertionError) as err:
        ck.number(value, 375.0, what="加班费")
    assert "检查未通过：加班费" in str(err.value) and "375.0" not in str(err.value).replace("375.02", "")


@pytest.mark.parametrize("value", [True, np.bool_(True)])
def test_truth_values(value):
    ck.truth(value, True, what="是否需要支付")
    with pytest.raises(AssertionError, match="判断结论不对"):
        ck.truth(value, False, what="是否需要支付")


@pytest.mark.parametrize("value", [1, "是", None])
def test_truth_needs_a_truth_value(value):
    with pytest.raises(AssertionError, match="应当回答 True 或 False"):
        ck.truth(value, True, what="是否需要支付")


def test_tables_by_content_not_dtype_order_or_index():
    want = pd.DataFrame({"城市": ["济南", "青岛"], "家数": [3, 5], "建会率": [0.5, 0.8]})
    got = pd.DataFrame({"建会率": [0.8004, 0.5], "城市": ["青岛", "济南"], "家数": [5.0, 3.0]}).set_index(
        "城市"
    )
    ck.table(got, want, what="建会率表")
    with pytest.raises(AssertionError, match="顺序"):
        ck.table(got, want, what="建会率表", ordered=True)
    wrong = pd.DataFrame({"城市": ["济南", "青岛"], "家数": [3, 5], "建会率": [0.5, 0.7]})
    with pytest.raises(AssertionError) as err:
        ck.table(wrong, want, what="建会率表")
    assert "建会率" in str(err.value) and "0.8" not in str(err.value)
    with pytest.raises(AssertionError, match="缺少这些列：家数"):
        ck.table(want.drop(columns="家数"), want, what="建会率表")


def _chart(labels, values, band=True, horizontal=True):
    fig = Figure()
    ax = fig.subplots()
    (ax.barh if horizontal else ax.bar)(labels, values)
    if band:
        ax.axvspan(0.7, 0.9, alpha=0.2) if horizontal else ax.axhspan(0.7, 0.9, alpha=0.2)
        ax.axvline(0.8) if horizontal else ax.axhline(0.8)
    return fig


@pytest.mark.parametrize("horizontal", [True, False])
def test_chart_by_label_value_pairs_ignoring_bands(horizontal):
    want = {"济南": 0.5, "青岛": 0.8, "淄博": 0.65}
    ck.bars(_chart(["青岛", "淄博", "济南"], [0.8, 0.65, 0.5], horizontal=horizontal), want, what="建会率图")
    # Values sorted but labels left behind: a wrong chart.
    with pytest.raises(AssertionError, match="排序时标签和数值要一起移动"):
        ck.bars(
            _chart(["济南", "青岛", "淄博"], [0.8, 0.65, 0.5], horizontal=horizontal), want, what="建会率图"
        )


def test_mapping_with_numbers_and_text():
    ck.mapping({"A": Decimal("1.00"), "B": "派单"}, {"A": 1.0, "B": "派单"}, what="结果")
    with pytest.raises(AssertionError, match="缺少这些项：B"):
        ck.mapping({"A": 1}, {"A": 1.0, "B": "派单"}, what="结果")
