"""One Beijing-time formatter; future and malformed stamps are flagged, never shown as times."""

import datetime as dt

import pandas as pd

from airclass.core import timefmt

NOW = dt.datetime(2026, 11, 29, 13, 49, tzinfo=dt.UTC)


def test_utc_becomes_beijing_minutes():
    assert timefmt.beijing("2026-11-29T13:49:48+00:00", NOW) == "2026-11-29 21:49"
    # a deadline at 23:59 Beijing is 15:59 UTC
    assert timefmt.deadline("2030-12-31T15:59:00+00:00") == "2030-12-31 23:59"
    assert timefmt.deadline(dt.datetime(2030, 12, 31, 23, 59, tzinfo=timefmt.BEIJING)) == "2030-12-31 23:59"


def test_nbgrader_stamps_naive_and_with_utc_suffix():
    assert timefmt.beijing("2026-11-29 13:49:29.791947 UTC", NOW) == "2026-11-29 21:49"
    assert timefmt.beijing("2026-11-29 13:49:29.791947", NOW) == "2026-11-29 21:49"
    assert timefmt.beijing(pd.Timestamp("2026-11-29T13:00Z"), NOW) == "2026-11-29 21:00"


def test_missing_malformed_and_future():
    assert timefmt.beijing(None, NOW) == "" and timefmt.beijing(pd.NaT, NOW) == ""
    assert timefmt.beijing("", NOW) == ""
    assert timefmt.classify("yesterday", NOW) == "malformed"
    assert timefmt.beijing("yesterday", NOW) == timefmt.MALFORMED_TEXT
    assert timefmt.classify("2099-01-01T00:00:00+00:00", NOW) == "future"
    assert timefmt.beijing("2099-01-01T00:00:00+00:00", NOW).endswith(timefmt.FUTURE_SUFFIX)
    # a few minutes of clock skew is not "future"
    assert timefmt.classify(NOW + dt.timedelta(minutes=3), NOW) == "ok"
