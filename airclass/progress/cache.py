"""On-disk cache of the progress table (`ProgressCache`) and of views derived from it."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from airclass.core import databases
from airclass.core.catalog import Course
from airclass.progress.table import build_progress, course_items, overdue_at


def source_signature(
    platform_db: str | Path, courses: Sequence[Course], gradebooks: Mapping[str, str | Path]
) -> str:
    """Changes whenever a source of the table may have changed: the platform DB and every
    gradebook (`databases.change_marker`: file size and mtime on SQLite, the server's
    write counters on PostgreSQL), and the catalog's items."""
    targets = [platform_db] + [gradebooks.get(c.id, "") for c in courses]
    parts = [databases.change_marker(t) if t else "-" for t in targets]
    parts.append(course_items(courses).to_json(orient="records", date_format="iso"))
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:24]


def source_key(
    platform_db: str | Path, courses: Sequence[Course], gradebooks: Mapping[str, str | Path]
) -> str:
    """Names a set of sources (the platform DB, the course ids and their gradebooks'
    paths), whatever their contents: entries of the same key are the same table at
    different moments, so an older one may stand in for the current one for a while."""
    parts = [databases.as_url(platform_db)] + [f"{c.id}={gradebooks.get(c.id, '')}" for c in courses]
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:16]


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "airclass"


def _utc(when: dt.datetime) -> pd.Timestamp:
    return pd.Timestamp(when).tz_convert("UTC")


class ProgressCache:
    """On-disk cache of the progress table and of views derived from it, private to the
    account that runs the dashboards (folder 0700, files 0600).

    The table is rebuilt whenever `source_signature` changes (a submission, a grade, a
    lesson completion, a roster import or a catalog change); time-dependent columns
    (``overdue``) are recomputed for `now` on every load. Derived views (a dashboard's
    first screen) also expire after `max_age` seconds, since the at-risk rule depends on
    the clock.

    Stale-while-revalidate: with ``stale_for > 0``, when nothing is cached for the
    current signature, `table_made` / `table` / `derived` return the most recent entry of
    the same sources (and key) if it was made less than `stale_for` seconds before `now`,
    with the time it was made, instead of rebuilding. The refresher
    (``python -m airclass.services.dashboard_refresher --refresh-every N``) rebuilds them outside the
    render. ``stale_for=0`` (the default) never serves stale entries.

    `counts` tallies what each call did ("table:hit", "table:stale", "table:built",
    "view:hit", "view:stale", "view:built").
    """

    def __init__(self, folder: Path | None = None, stale_for: float = 0):
        self.folder = Path(folder) if folder else default_cache_dir()
        self.stale_for = float(stale_for)
        self.counts: Counter[str] = Counter()

    def _write(self, path: Path, value) -> None:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)

    def _read(self, path: Path):
        try:
            with open(path, "rb") as fh:
                return pickle.load(fh)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
            return None

    def _prune(self, prefix: str, keep: int = 6) -> None:
        """Keep the `keep` most recently written files of a kind (several scopes and course
        sets share the folder)."""
        files = sorted(self._files(f"{prefix}-*.pkl"), key=lambda pm: pm[1], reverse=True)
        for old, _mtime in files[keep:]:
            old.unlink(missing_ok=True)

    def _files(self, pattern: str) -> list[tuple[Path, float]]:
        out = []
        for p in self.folder.glob(pattern):
            try:
                out.append((p, p.stat().st_mtime))
            except OSError:
                pass  # pruned meanwhile
        return out

    @staticmethod
    def _valid(entry, kind: type | None = None) -> bool:
        return (
            isinstance(entry, dict)
            and isinstance(entry.get("made"), pd.Timestamp)
            and "value" in entry
            and (kind is None or isinstance(entry["value"], kind))
        )

    def _stale(self, pattern: str, now_ts: pd.Timestamp, stale_for: float, kind: type | None = None):
        """The most recently written entry matching `pattern`, if made less than
        `stale_for` seconds before `now_ts`; else None."""
        if stale_for <= 0:
            return None
        files = sorted(self._files(pattern), key=lambda pm: pm[1], reverse=True)
        if not files:
            return None
        entry = self._read(files[0][0])
        if self._valid(entry, kind) and 0 <= (now_ts - entry["made"]).total_seconds() < stale_for:
            return entry
        return None

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
        signature = source_signature(platform_db, courses, gradebooks)
        key = source_key(platform_db, courses, gradebooks)
        now_ts = _utc(now)
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
        return table, entry["made"].to_pydatetime()

    def table(
        self,
        platform_db: str | Path,
        courses: Sequence[Course],
        gradebooks: Mapping[str, str | Path],
        now: dt.datetime,
        stale_for: float | None = None,
    ) -> pd.DataFrame:
        return self.table_made(platform_db, courses, gradebooks, now, stale_for)[0]

    def derived(
        self,
        key: str,
        platform_db: str | Path,
        courses: Sequence[Course],
        gradebooks: Mapping[str, str | Path],
        now: dt.datetime,
        compute: Callable[[], Any],
        max_age: float = 600,
        stale_for: float | None = None,
    ) -> tuple[Any, dt.datetime]:
        """`compute()` cached under `key` for the current sources, at most `max_age` seconds
        old (or, when nothing is cached for the current sources, a previous value of
        `key` less than `stale_for` seconds old). Returns the value and the time it was
        computed."""
        stale_for = self.stale_for if stale_for is None else stale_for
        signature = source_signature(platform_db, courses, gradebooks)
        sources = source_key(platform_db, courses, gradebooks)
        named = hashlib.sha256(f"{sources}:{key}".encode()).hexdigest()[:16]
        digest = hashlib.sha256(f"{signature}:{key}".encode()).hexdigest()[:24]
        path = self.folder / f"view-{named}-{digest}.pkl"
        now_ts = _utc(now)
        hit = self._read(path)
        if self._valid(hit):
            if 0 <= (now_ts - hit["made"]).total_seconds() <= max_age:
                self.counts["view:hit"] += 1
                return hit["value"], hit["made"].to_pydatetime()
        else:
            stale = self._stale(f"view-{named}-*.pkl", now_ts, min(stale_for, max_age))
            if stale is not None:
                self.counts["view:stale"] += 1
                return stale["value"], stale["made"].to_pydatetime()
        value = compute()
        self.counts["view:built"] += 1
        try:
            self._write(path, {"made": now_ts, "value": value})
            self._prune("view", keep=64)
        except OSError:
            pass
        return value, now_ts.to_pydatetime()
