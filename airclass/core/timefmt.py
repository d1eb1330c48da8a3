"""Times as people read them: Beijing time, `YYYY-MM-DD HH:MM`, one formatter for every page.

Stored times are UTC (aware ISO strings, or naive strings that nbgrader writes in UTC).
Whatever a person reads — hub pages, dashboards, feedback, exports — goes through
`beijing()`. A timestamp that cannot be read, or that lies in the future (a clock set to
2099), is not a time anyone should plot: `classify()` says so, and `beijing()` shows it
with a flag instead of silently printing it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

BEIJING = dt.timezone(dt.timedelta(hours=8), "北京时间")
FORMAT = "%Y-%m-%d %H:%M"
#: How far ahead of now a stored time may be before it counts as "future" (clock skew).
FUTURE_SLACK = dt.timedelta(minutes=10)
MALFORMED_TEXT = "时间无效"
FUTURE_SUFFIX = "（时间异常）"


def parse_utc(value: Any) -> dt.datetime | None:
    """An aware UTC datetime from a datetime, pandas Timestamp or ISO text; None if unreadable."""
    if value is None or _is_nat(value):
        return None
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp (NaT has no year)
        try:
            value = value.to_pydatetime()
        except (ValueError, AttributeError):
            return None
    if isinstance(value, str):
        text = value.strip().replace(" UTC", "+00:00")
        if not text:
            return None
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError:
            return None
    if not isinstance(value, dt.datetime):
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def classify(value: Any, now: dt.datetime | None = None) -> str:
    """'ok', 'missing', 'malformed' or 'future' (later than now plus a little clock skew)."""
    if value is None or _is_nat(value) or (isinstance(value, str) and not value.strip()):
        return "missing"
    parsed = parse_utc(value)
    if parsed is None:
        return "malformed"
    now = now or dt.datetime.now(dt.UTC)
    return "future" if parsed > now + FUTURE_SLACK else "ok"


def _is_nat(value: Any) -> bool:
    return type(value).__name__ == "NaTType" or (isinstance(value, float) and value != value)


def beijing(value: Any, now: dt.datetime | None = None, *, check_future: bool = True) -> str:
    """`YYYY-MM-DD HH:MM` in Beijing time; '' when missing, flagged when malformed or future.

    Deadlines are legitimately in the future: pass ``check_future=False`` for them.
    """
    kind = classify(value, now)
    if kind == "missing":
        return ""
    if kind == "malformed":
        return MALFORMED_TEXT
    text = parse_utc(value).astimezone(BEIJING).strftime(FORMAT)
    if kind == "future" and check_future:
        return text + FUTURE_SUFFIX
    return text


def deadline(value: Any) -> str:
    """A due date in Beijing time (due dates may be in the future)."""
    return beijing(value, check_future=False)


def nbgrader_timestamp(text: str) -> dt.datetime | None:
    """nbgrader's exchange timestamps ('2026-11-29 13:49:29.791947 UTC') as aware UTC."""
    return parse_utc(text)
