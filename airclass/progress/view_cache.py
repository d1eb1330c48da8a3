"""The dashboards' on-disk cache folder and the views cached in it (a manager's first
screen), keyed by the state of their sources.

A warm dashboard render reads one pickled view from here and nothing else, so this module
imports no pandas and no database driver (tests/airclass/dashboards/test_kernel_imports.py).
The progress table itself is cached by `airclass.progress.cache.ProgressCache`, which
shares the folder and these helpers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from airclass.core import dburls
from airclass.core.catalog import Course
from airclass.core.change_markers import change_markers


def source_signature(
    platform_db: str | Path, courses: Sequence[Course], gradebooks: Mapping[str, str | Path]
) -> str:
    """Changes whenever a source of the table may have changed: the platform DB and every
    gradebook (`change_markers`: file size and mtime on SQLite, the server's write counters
    on PostgreSQL), and the catalog (every field of every course, lesson and assignment)."""
    targets = [platform_db] + [gradebooks.get(c.id, "") for c in courses]
    present = [t for t in targets if t]
    markers = iter(change_markers(present))
    parts = [next(markers) if t else "-" for t in targets]
    parts.append(repr(tuple(courses)))
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:24]


def source_key(
    platform_db: str | Path, courses: Sequence[Course], gradebooks: Mapping[str, str | Path]
) -> str:
    """Names a set of sources (the platform DB, the course ids and their gradebooks'
    paths), whatever their contents: entries of the same key are the same table at
    different moments, so an older one may stand in for the current one for a while."""
    parts = [dburls.as_url(platform_db)] + [f"{c.id}={gradebooks.get(c.id, '')}" for c in courses]
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:16]


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "airclass"


def utc(when: dt.datetime) -> dt.datetime:
    return when.astimezone(dt.UTC)


class ViewCache:
    """Pickled entries ``{"made": aware datetime, "value": …}`` in a folder private to the
    account that runs the dashboards (folder 0700, files 0600), and `derived` views.

    Stale-while-revalidate: with ``stale_for > 0``, when nothing is cached for the current
    sources' signature, the most recent entry of the same sources (and key) is returned if
    it was made less than `stale_for` seconds before `now`, with the time it was made,
    instead of recomputing. The refresher
    (``python -m airclass.services.dashboard_refresher --refresh-every N``) recomputes them
    outside the render. ``stale_for=0`` (the default) never serves stale entries.

    `counts` tallies what each call did ("view:hit", "view:stale", "view:built"; the
    table cache adds "table:…").
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
            and isinstance(entry.get("made"), dt.datetime)
            and entry["made"].tzinfo is not None
            and "value" in entry
            and (kind is None or isinstance(entry["value"], kind))
        )

    def _stale(self, pattern: str, now: dt.datetime, stale_for: float, kind: type | None = None):
        """The most recently written entry matching `pattern`, if made less than
        `stale_for` seconds before `now`; else None."""
        if stale_for <= 0:
            return None
        files = sorted(self._files(pattern), key=lambda pm: pm[1], reverse=True)
        if not files:
            return None
        entry = self._read(files[0][0])
        if self._valid(entry, kind) and 0 <= (now - entry["made"]).total_seconds() < stale_for:
            return entry
        return None

    def signature(
        self,
        platform_db: str | Path,
        courses: Sequence[Course],
        gradebooks: Mapping[str, str | Path],
        now: dt.datetime,
        trust_for: float = 0,
    ) -> str:
        """`source_signature` of these sources, published in the folder for the next caller;
        or, within `trust_for` seconds of the last one published (by a render or the
        refresher, which looks every ``[dashboard] refresh_every`` seconds anyway), that one.
        A trusted signature spares a render the databases — on PostgreSQL a connection and
        the driver's imports — and a change then shows at most `trust_for` seconds later."""
        path = self.folder / f"signature-{source_key(platform_db, courses, gradebooks)}.pkl"
        now = utc(now)
        if trust_for > 0:
            seen = self._read(path)
            if self._valid(seen, str) and 0 <= (now - seen["made"]).total_seconds() < trust_for:
                self.counts["signature:trusted"] += 1
                return seen["value"]
        signature = source_signature(platform_db, courses, gradebooks)
        try:
            self._write(path, {"made": now, "value": signature})
        except OSError:
            pass  # a cache we cannot write is only slower
        return signature

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
        trust_signature_for: float = 0,
    ) -> tuple[Any, dt.datetime]:
        """`compute()` cached under `key` for the current sources, at most `max_age` seconds
        old (or, when nothing is cached for the current sources, a previous value of
        `key` less than `stale_for` seconds old). Returns the value and the time (UTC) it
        was computed. `trust_signature_for`: see `signature`."""
        stale_for = self.stale_for if stale_for is None else stale_for
        signature = self.signature(platform_db, courses, gradebooks, now, trust_signature_for)
        sources = source_key(platform_db, courses, gradebooks)
        named = hashlib.sha256(f"{sources}:{key}".encode()).hexdigest()[:16]
        digest = hashlib.sha256(f"{signature}:{key}".encode()).hexdigest()[:24]
        path = self.folder / f"view-{named}-{digest}.pkl"
        now = utc(now)
        hit = self._read(path)
        if self._valid(hit):
            if 0 <= (now - hit["made"]).total_seconds() <= max_age:
                self.counts["view:hit"] += 1
                return hit["value"], utc(hit["made"])
        else:
            stale = self._stale(f"view-{named}-*.pkl", now, min(stale_for, max_age))
            if stale is not None:
                self.counts["view:stale"] += 1
                return stale["value"], utc(stale["made"])
        value = compute()
        self.counts["view:built"] += 1
        try:
            self._write(path, {"made": now, "value": value})
            self._prune("view", keep=64)
        except OSError:
            pass
        return value, now
