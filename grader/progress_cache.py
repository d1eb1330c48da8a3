"""On-disk cache of the progress table (`ProgressCache`) and of views derived from it."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from grader.catalog import Course
from grader.progress import build_progress, course_items, overdue_at

_COMPACT = (
    "user_id",
    "name",
    "city",
    "city_code",
    "union_name",
    "phone",
    "course_id",
    "course_title",
    "item_type",
    "item_id",
    "item_title",
)


def compact(table: pd.DataFrame) -> pd.DataFrame:
    """Repeated text columns as categoricals: a fraction of the memory, fast to pickle."""
    return table.astype({c: "category" for c in _COMPACT if c in table.columns})


def source_signature(platform_db: Path, courses: Sequence[Course], gradebooks: Mapping[str, Path]) -> str:
    """Changes whenever a source of the table may have changed: size and mtime of the
    platform DB and every gradebook (and their WAL files), and the catalog's items."""
    parts = []
    paths = [Path(platform_db)] + [Path(gradebooks.get(c.id, "")) for c in courses]
    for path in paths:
        for p in (path, path.with_name(path.name + "-wal")):
            try:
                st = p.stat()
                parts.append(f"{p}:{st.st_size}:{st.st_mtime_ns}")
            except OSError:
                parts.append(f"{p}:-")
    parts.append(course_items(courses).to_json(orient="records", date_format="iso"))
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:24]


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "airclass"


class ProgressCache:
    """On-disk cache of the progress table and of views derived from it, private to the
    account that runs the dashboards (folder 0700, files 0600).

    The table is rebuilt whenever `source_signature` changes (a submission, a grade, a
    lesson completion, a roster import or a catalog change), so it is never stale;
    time-dependent columns (``overdue``) are recomputed for `now` on every load. Derived
    views (a dashboard's first screen) also expire after `max_age` seconds, since the
    at-risk rule depends on the clock.
    """

    def __init__(self, folder: Path | None = None):
        self.folder = Path(folder) if folder else default_cache_dir()

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
        files = sorted(self.folder.glob(f"{prefix}-*.pkl"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in files[keep:]:
            old.unlink(missing_ok=True)

    def table(
        self,
        platform_db: Path,
        courses: Sequence[Course],
        gradebooks: Mapping[str, Path],
        now: dt.datetime,
    ) -> pd.DataFrame:
        signature = source_signature(platform_db, courses, gradebooks)
        path = self.folder / f"progress-{signature}.pkl"
        table = self._read(path)
        if not isinstance(table, pd.DataFrame):
            table = compact(build_progress(platform_db, courses, gradebooks, now))
            try:
                self._write(path, table)
                self._prune("progress")
            except OSError:
                pass  # a cache we cannot write is only slower
        table = table.copy(deep=False)
        table["overdue"] = overdue_at(table, now)
        return table

    def derived(
        self,
        key: str,
        platform_db: Path,
        courses: Sequence[Course],
        gradebooks: Mapping[str, Path],
        now: dt.datetime,
        compute: Callable[[], Any],
        max_age: float = 600,
    ) -> tuple[Any, dt.datetime]:
        """`compute()` cached under `key` for the current sources, at most `max_age` seconds
        old. Returns the value and the time it was computed."""
        signature = source_signature(platform_db, courses, gradebooks)
        digest = hashlib.sha256(f"{signature}:{key}".encode()).hexdigest()[:24]
        path = self.folder / f"view-{digest}.pkl"
        hit = self._read(path)
        now_ts = pd.Timestamp(now).tz_convert("UTC")
        if isinstance(hit, dict) and 0 <= (now_ts - hit["made"]).total_seconds() <= max_age:
            return hit["value"], hit["made"].to_pydatetime()
        value = compute()
        try:
            self._write(path, {"made": now_ts, "value": value})
            self._prune("view", keep=64)
        except OSError:
            pass
        return value, now_ts.to_pydatetime()
