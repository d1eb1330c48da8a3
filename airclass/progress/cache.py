"""The progress table's on-disk cache (`ProgressCache`): the table is rebuilt whenever a
source changes; first screens and other views derived from it are cached by the
`airclass.progress.view_cache.ViewCache` it extends (same folder)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from airclass.core.catalog import Course
from airclass.progress.table import build_progress, overdue_at
from airclass.progress.view_cache import ViewCache, source_key, utc


class ProgressCache(ViewCache):
    """The progress table, cached on disk, plus `ViewCache`'s derived views.

    The table is rebuilt whenever `source_signature` changes (a submission, a grade, a
    lesson completion, a roster import or a catalog change); time-dependent columns
    (``overdue``) are recomputed for `now` on every load. Derived views (a dashboard's
    first screen) also expire after `max_age` seconds, since the at-risk rule depends on
    the clock. Stale-while-revalidate (``stale_for``) as in `ViewCache`: `table_made` /
    `table` may return the most recent table of the same sources instead of rebuilding.
    """

    def table_made(
        self,
        platform_db: str | Path,
        courses: Sequence[Course],
        gradebooks: Mapping[str, str | Path],
        now: dt.datetime,
        stale_for: float | None = None,
    ) -> tuple[pd.DataFrame, dt.datetime]:
        """The progress table for `now` and the time it was built (see the class doc)."""
        stale_for = self.stale_for if stale_for is None else stale_for
        signature = self.signature(platform_db, courses, gradebooks, now)  # always asks the databases
        key = source_key(platform_db, courses, gradebooks)
        now_ts = utc(now)
        path = self.folder / f"progress-{key}-{signature}.pkl"
        entry, state = self._read(path), "hit"
        if not self._valid(entry, pd.DataFrame):
            entry, state = self._stale(f"progress-{key}-*.pkl", now_ts, stale_for, pd.DataFrame), "stale"
        if entry is None:
            table = build_progress(platform_db, courses, gradebooks, now)  # text already categorical
            entry, state = {"made": now_ts, "value": table}, "built"
            try:
                self._write(path, entry)
                self._prune("progress")
            except OSError:
                pass  # a cache we cannot write is only slower
        self.counts[f"table:{state}"] += 1
        table = entry["value"].copy(deep=False)
        table["overdue"] = overdue_at(table, now)
        return table, utc(entry["made"])

    def table(
        self,
        platform_db: str | Path,
        courses: Sequence[Course],
        gradebooks: Mapping[str, str | Path],
        now: dt.datetime,
        stale_for: float | None = None,
    ) -> pd.DataFrame:
        return self.table_made(platform_db, courses, gradebooks, now, stale_for)[0]
