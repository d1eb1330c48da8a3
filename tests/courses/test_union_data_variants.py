"""union-data assignments judged by content: rounded rates, other column orders and dtypes,
vertical or horizontal bars with a target band all score full; the holes named in the review
(bars sorted away from their labels, "> 100", "< km") do not — through real nbgrader."""

from __future__ import annotations

import nbformat
import pytest

from tests.courses.variants import grade_variants
from tests.paths import COURSES

COURSE = COURSES / "union-data"


def _solutions(assignment: str, notebook: str) -> dict[str, str]:
    nb = nbformat.read(COURSE / "source" / assignment / notebook, as_version=4)
    return {
        c.metadata["nbgrader"]["grade_id"]: c.source
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code"
    }


def _edit(source: str, old: str, new: str) -> str:
    assert old in source, old
    return source.replace(old, new)


A1 = _solutions("a1-coverage", "coverage.ipynb")
A2 = _solutions("a2-services", "services.ipynb")

A1_VARIANTS = {
    "right-rounded-reordered": {
        "coverage_by_city": _edit(
            A1["coverage_by_city"],
            'table["coverage"] = table["founded"] / table["required"]\n    return table',
            'table["coverage"] = (table["founded"] / table["required"]).round(4)\n'
            '    return table[["coverage", "missing", "founded", "required"]].astype(float)',
        ),
        "cities_behind": _edit(
            A1["cities_behind"],
            'return out.sort_values(["rate", "city"]).reset_index(drop=True)',
            'out = out.sort_values(["rate", "city"]).reset_index(drop=True)\n'
            '    out["rate"] = out["rate"].round(4)\n'
            '    return out[["rate", "gap", "achieved", "target", "city"]]',
        ),
    },
    "right-other-pandas": {
        "missing_list": (
            "def missing_list(df, city, threshold=100):\n"
            "    keep = (df.city == city) & (df.employees >= threshold) & ~df.union_founded.astype(bool)\n"
            "    rows = df.loc[keep].sort_values('enterprise_id')\n"
            "    rows = rows.sort_values('employees', ascending=False, kind='stable')\n"
            '    cols = ["name", "enterprise_id", "district", "industry", "employees", "migrant_workers"]\n'
            "    return rows[cols].reset_index(drop=True)"
        ),
    },
    "wrong-over-100": {
        "coverage_by_city": _edit(
            A1["coverage_by_city"], 'employees"] >= threshold', 'employees"] > threshold'
        )
    },
    "wrong-exactly-met-is-behind": {
        "cities_behind": _edit(
            A1["cities_behind"], 'one["achieved"] < one["target"]', 'one["achieved"] <= one["target"]'
        )
    },
}
# 8 autograded points: coverage_by_city 3, missing_list 2, cities_behind 3.
A1_SCORES = {
    "right-rounded-reordered": 8,
    "right-other-pandas": 8,
    "wrong-over-100": 5,
    "wrong-exactly-met-is-behind": 5,
}

BAND_VERTICAL_CHART = """def legal_aid_chart(table):
    data = table.sort_values("share")
    fig, ax = plt.subplots()
    ax.axhspan(80, 100, color="#d5f5e3", alpha=0.5, label="目标区间")
    ax.bar(list(data.index), (data["share"] * 100).round(1))
    ax.axhline(90, color="red")
    ax.set_title("各市法律援助覆盖率")
    ax.set_xlabel("城市")
    ax.set_ylabel("覆盖率（%）")
    return fig"""

PANDAS_CHART = """def legal_aid_chart(table):
    data = (table["share"] * 100).sort_values()
    fig, ax = plt.subplots()
    ax.axvspan(80, 100, alpha=0.2)
    data.plot.barh(ax=ax)
    ax.set_title("各市法律援助覆盖率")
    ax.set_xlabel("覆盖率（%）")
    ax.set_ylabel("城市")
    return fig"""

A2_VARIANTS = {
    "right-rounded-band-vertical": {
        "urban_legal_aid_share": _edit(
            A2["urban_legal_aid_share"], "return float(near / total)", "return round(near / total, 4)"
        ),
        "legal_aid_by_city": _edit(
            A2["legal_aid_by_city"],
            'table["share"] = table["covered"] / table["workers"]',
            'table["share"] = (table["covered"] / table["workers"]).round(4)',
        ),
        "legal_aid_chart": BAND_VERTICAL_CHART,
    },
    "right-pandas-plot": {"legal_aid_chart": PANDAS_CHART},
    "wrong-bars-sorted-away-from-labels": {
        "legal_aid_chart": _edit(
            A2["legal_aid_chart"],
            'ax.barh(list(data.index), data["share"] * 100',
            'ax.barh(list(table.index), data["share"] * 100',
        )
    },
    "wrong-strictly-within-km": {
        "urban_legal_aid_share": _edit(A2["urban_legal_aid_share"], "<= km", "< km")
    },
}
# 10 autograded points: zones 3, urban share 2, by city 3, chart 2.
A2_SCORES = {
    "right-rounded-band-vertical": 10,
    "right-pandas-plot": 10,
    "wrong-bars-sorted-away-from-labels": 8,
    "wrong-strictly-within-km": 8,
}


@pytest.mark.parametrize(
    "assignment, variants, expected",
    [("a1-coverage", A1_VARIANTS, A1_SCORES), ("a2-services", A2_VARIANTS, A2_SCORES)],
    ids=["a1", "a2"],
)
def test_variants_through_nbgrader(assignment, variants, expected, tmp_path):
    scores = grade_variants(COURSE, assignment, variants, tmp_path)
    assert {name: s.score for name, s in scores.items()} == expected, {
        n: s.by_cell for n, s in scores.items()
    }
