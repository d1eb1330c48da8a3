"""Fair comparisons for nbgrader test cells: judge what was asked, not how it was written.

Assignment test cells say

    from airclass.lessons import checks as ck
    ck.number(overtime_pay(4350, workday_hours=10), 375.0, what="工作日加班 10 小时的加班费")

Every check raises AssertionError with a Chinese message that says what was checked and
how the answer falls short — never the expected value, which would give a hidden test away.

- numbers: float, int, Decimal, Fraction and numpy scalars alike, within a stated tolerance;
- truth values: anything with a truth value (numpy.bool_, 0/1, "是"/"否" are *not* guessed:
  only bool-like objects count);
- tables: same rows and values, whatever the column order, row order (optional), index or dtype;
- charts: the label → value pairs of a bar chart, whatever the order of bars or decorations.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from fractions import Fraction

_MISSING = object()
MONEY = 0.01  # one fen
RATE = 0.0005  # a rate to three decimals (0.1 percentage point)


class CheckFailed(AssertionError):
    """A check of a cadre's answer failed; the message is for the cadre."""


def _fail(what: str, why: str) -> None:
    raise CheckFailed(f"检查未通过：{what}——{why}")


def as_number(value: object) -> float | None:
    """`value` as a float if it is a number of any usual kind (not bool, not text)."""
    if isinstance(value, bool) or value is None or isinstance(value, str | bytes):
        return None
    if isinstance(value, Decimal | Fraction | numbers.Real):
        try:
            return float(value)
        except (TypeError, ValueError, InvalidOperation, OverflowError):
            return None
    if hasattr(value, "item") and getattr(value, "shape", None) in ((), (1,)):  # numpy scalar / 1-array
        return as_number(value.item())
    return None


def number(value: object, expected: float, *, what: str, tol: float = MONEY) -> None:
    """`value` is a number within ±`tol` of `expected`."""
    got = as_number(value)
    if got is None:
        _fail(what, f"应当得到一个数，实际得到的是 {type(value).__name__}（{value!r:.40}）")
    if got != got:  # NaN
        _fail(what, "得到的是 NaN（不是数），检查是否有空值参与了计算")
    if abs(got - float(expected)) > tol:
        _fail(what, f"结果不对（允许误差 ±{tol:g}）。请对照题目的计算规则和取舍要求再算一遍")


def truth(value: object, expected: bool, *, what: str) -> None:
    """`value` is a truth value (bool or numpy.bool_) equal to `expected`."""
    kind = type(value).__name__
    if not (isinstance(value, bool) or kind in ("bool_", "bool") or _is_numpy_bool(value)):
        _fail(what, f"应当回答 True 或 False，实际得到的是 {kind}（{value!r:.40}）")
    if bool(value) != bool(expected):
        _fail(what, "判断结论不对。请对照法条的条件逐项再看一遍")


def _is_numpy_bool(value: object) -> bool:
    return type(value).__module__ == "numpy" and type(value).__name__.startswith("bool")


def same(value: object, expected: object, *, what: str) -> None:
    """`value` equals `expected` (text, choices, dates, tuples of those)."""
    if isinstance(value, str):
        value = value.strip()
    if isinstance(value, list) and isinstance(expected, tuple):
        value = tuple(value)  # a list of the same items answers a tuple question
    if value != expected:
        _fail(what, f"结果不对（得到的是 {value!r:.60}）。请对照题目要求再看一遍")


def mapping(value: object, expected: Mapping, *, what: str, tol: float = MONEY) -> None:
    """A dict-like answer with the same keys; numeric values within `tol`, others equal."""
    if hasattr(value, "to_dict") and not isinstance(value, dict):
        value = value.to_dict()
    if not isinstance(value, Mapping):
        _fail(what, f"应当得到一个字典（键 → 值），实际得到的是 {type(value).__name__}")
    missing = [k for k in expected if k not in value]
    extra = [k for k in value if k not in expected]
    if missing:
        _fail(what, f"缺少这些项：{'、'.join(map(str, missing))}")
    if extra:
        _fail(what, f"多出了这些项：{'、'.join(map(str, extra))}")
    for key, want in expected.items():
        if as_number(want) is not None:
            number(value[key], want, what=f"{what}中“{key}”这一项", tol=tol)
        else:
            same(value[key], want, what=f"{what}中“{key}”这一项")


def table(
    value: object,
    expected: object,
    *,
    what: str,
    columns: Iterable[str] | None = None,
    ordered: bool = False,
    tol: float = MONEY,
) -> None:
    """A pandas DataFrame with `expected`'s rows (or the named `columns`), judged by content.

    Column order, index, dtype (int vs float, object vs string) do not matter; row order
    matters only with `ordered=True` (e.g. "按人数从多到少排列").
    """
    import pandas as pd  # lessons may run without pandas; tables need it

    if isinstance(value, pd.Series):
        value = value.reset_index()
    if not isinstance(value, pd.DataFrame):
        _fail(what, f"应当得到一张表（DataFrame），实际得到的是 {type(value).__name__}")
    expected = pd.DataFrame(expected)
    wanted = list(columns) if columns is not None else list(expected.columns)
    if any(c not in value.columns for c in wanted) and set(map(str, value.index.names)) & set(wanted):
        value = value.reset_index()
    missing = [c for c in wanted if c not in value.columns]
    if missing:
        _fail(what, f"表里缺少这些列：{'、'.join(map(str, missing))}（列名要与题目一致）")
    if len(value) != len(expected):
        _fail(what, f"行数不对：得到 {len(value)} 行。请检查筛选条件和是否有重复行")
    got_rows = [_row(r, wanted) for r in value[wanted].itertuples(index=False)]
    want_rows = [_row(r, wanted) for r in expected[wanted].itertuples(index=False)]
    if not ordered:
        got_rows, want_rows = sorted(got_rows, key=_key), sorted(want_rows, key=_key)
    for position, (got, want) in enumerate(zip(got_rows, want_rows, strict=True)):
        for column, g, w in zip(wanted, got, want, strict=True):
            if not _equal(g, w, tol):
                where = f"第 {position + 1} 行" if ordered else "某一行"
                _fail(what, f"{where}“{column}”列的值不对" + ("（也可能是排列顺序不对）" if ordered else ""))


def _row(row: tuple, _columns: list[str]) -> tuple:
    return tuple(_plain(v) for v in row)


def _plain(v: object) -> object:
    n = as_number(v)
    if n is not None:
        return n
    if hasattr(v, "item") and not isinstance(v, str):
        try:
            return v.item()
        except (ValueError, AttributeError):
            return v
    return v


def _key(row: tuple) -> tuple:
    return tuple((0, round(v, 6)) if isinstance(v, float) else (1, str(v)) for v in row)


def _equal(got: object, want: object, tol: float) -> bool:
    if isinstance(want, float):
        return isinstance(got, float) and (abs(got - want) <= tol or got != got and want != want)
    if isinstance(want, str) and isinstance(got, str):
        return got.strip() == want.strip()
    return got == want


def bar_pairs(chart: object) -> dict[str, float]:
    """label → value of the bars in a matplotlib Axes or Figure (first axes).

    Works for vertical and horizontal bars; shaded bands (axhspan/axvspan), target lines
    and text are not bars and are ignored.
    """
    from matplotlib.axes import Axes
    from matplotlib.container import BarContainer

    axes = chart if isinstance(chart, Axes) else (chart.axes[0] if getattr(chart, "axes", None) else None)
    if axes is None:
        raise CheckFailed("检查未通过：没有找到图——函数要返回 matplotlib 的 Figure 或 Axes")
    bars = [
        patch for container in axes.containers if isinstance(container, BarContainer) for patch in container
    ]
    if not bars:
        raise CheckFailed("检查未通过：图里没有柱子——请用 bar 或 barh 画柱状图")
    horizontal = all(c.orientation == "horizontal" for c in axes.containers if isinstance(c, BarContainer))
    ticks = axes.get_yticks() if horizontal else axes.get_xticks()
    labels = [t.get_text() for t in (axes.get_yticklabels() if horizontal else axes.get_xticklabels())]
    by_position = dict(zip((round(float(t), 6) for t in ticks), labels, strict=False))
    pairs: dict[str, float] = {}
    for bar in bars:
        if horizontal:
            centre, size = bar.get_y() + bar.get_height() / 2, bar.get_width()
        else:
            centre, size = bar.get_x() + bar.get_width() / 2, bar.get_height()
        label = by_position.get(
            round(centre, 6), bar.get_label() if not bar.get_label().startswith("_") else ""
        )
        pairs[label] = float(size)
    return pairs


def bars(chart: object, expected: Mapping[str, float], *, what: str, tol: float = RATE) -> None:
    """The chart's bars pair each expected label with its value (bar order does not matter)."""
    pairs = bar_pairs(chart)
    missing = [k for k in expected if k not in pairs]
    if missing:
        _fail(what, f"图里找不到这些标签的柱子：{'、'.join(map(str, missing))}（标签要写在坐标轴上）")
    extra = [k for k in pairs if k not in expected]
    if extra:
        _fail(what, f"图里多出了这些柱子：{'、'.join(map(str, extra))}")
    for label, want in expected.items():
        if abs(pairs[label] - float(want)) > tol:
            _fail(what, f"“{label}”那根柱子的长度与它的数值不符——排序时标签和数值要一起移动")


@contextmanager
def reference(namespace: dict, *names: str):
    """While grading, use the reference version of other functions the tested one calls.

    A hidden test cell defines `_ref_<name>` for each helper function; inside this block
    `<name>` means that reference, so a mistake (or a gap) in one function costs only its
    own points. Where no reference is defined (the cadre's own copy) nothing changes.
    """
    saved = {}
    for name in names:
        if f"_ref_{name}" in namespace:
            saved[name] = namespace.get(name, _MISSING)
            namespace[name] = namespace[f"_ref_{name}"]
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is _MISSING:
                namespace.pop(name, None)
            else:
                namespace[name] = value


def raises(error: type[BaseException], call, *args, what: str, **kwargs) -> None:
    """`call(*args, **kwargs)` raises `error` (e.g. ValueError for a negative wage)."""
    try:
        call(*args, **kwargs)
    except error:
        return
    except Exception as exc:  # noqa: BLE001 — the cadre's code may raise anything
        _fail(what, f"应当报错 {error.__name__}，实际报的是 {type(exc).__name__}")
    _fail(what, f"应当报错 {error.__name__}（raise {error.__name__}），实际没有报错")


def filled(value: object, *, what: str, kind: str = "number") -> None:
    """The answer was filled in with the right kind of value (a visible test that gives nothing away).

    kind: "number", "truth" (True/False) or "choice" (an option letter such as "B").
    """
    if value is Ellipsis:
        _fail(what, "还没有作答：把 ... 换成你的答案，再运行答案单元格")
    if kind == "number" and as_number(value) is None:
        _fail(what, f"应当填一个数，现在是 {type(value).__name__}（{value!r:.40}）")
    if kind == "truth" and not (isinstance(value, bool) or _is_numpy_bool(value)):
        _fail(what, f"应当填 True 或 False（不加引号），现在是 {value!r:.40}")
    if kind == "choice" and not (isinstance(value, str) and value.strip()):
        _fail(what, f'应当填选项字母，并加英文引号，例如 "B"；现在是 {value!r:.40}')


def that(condition: object, *, what: str) -> None:
    """A yes/no requirement of the task holds (e.g. "不能改动传入的数据")."""
    if not condition:
        _fail(what, "这一条要求没有满足")


def columns(value: object, names: Iterable[str], *, what: str) -> None:
    """A table has these columns (in any order; extra columns are allowed)."""
    present = list(getattr(value, "columns", []))
    missing = [n for n in names if n not in present]
    if missing:
        _fail(what, f"表里缺少这些列：{'、'.join(map(str, missing))}（列名要与题目一致，顺序不限）")
