"""The one settings file (TOML), its schema, and the paths derived from it.

Every tunable lives here. Defaults are deep-copied on each load, and paths are
computed by functions from the loaded settings, never at import time.
"""

from __future__ import annotations

import copy
import functools
import os
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# jsonschema's optional URI-format checker (rfc3987_syntax) compiles a grammar on import,
# about 1.3 s in every process that loads settings — dashboards included. Our schema uses
# no URI formats, so mark the optional module as absent before importing jsonschema.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
import jsonschema  # noqa: E402

from airclass.core import dburls, names  # noqa: E402
from airclass.core.cities import CITY_CODES  # noqa: E402

SETTINGS_ENV = "AIRCLASS_SETTINGS"
DEFAULT_SETTINGS_PATH = Path("/etc/airclass/airclass.toml")

# The default completion-rate target (managers' dashboards), for the province and any city.
COMPLETION_TARGET = 0.8

DEFAULTS: dict[str, Any] = {
    "data_dir": "/srv/airclass",
    "runtime_prefix": "/opt/airclass/env",
    "hub": {
        "ip": "127.0.0.1",
        "port": 8000,
        "hub_port": 8081,
        "service_port_base": 18100,
        "db_url": "",  # empty: SQLite in <data_dir>/hub/
        # false (the default): restarting the hub leaves cadres' servers, kernels and the
        # proxy running (an upgrade must not cost anyone their work); the demo sets true.
        "stop_servers_with_hub": False,
        "admin_users": [],
    },
    "auth": {
        "type": "native",
        "native": {
            "allowed_failed_logins": 5,
            "seconds_before_next_try": 600,
            "minimum_password_length": 8,
            "enable_signup": True,
            # Lockout counts failures per user name *and* client address (airclass.hub.auth);
            # one address may also fail this often per seconds_before_next_try, any names.
            "failed_logins_per_address": 30,
            "trusted_proxies": [],  # reverse proxies in front of ours, if any
        },
        "oauth": {
            "client_id": "",
            "client_secret": "",
            "authorize_url": "",
            "token_url": "",
            "userdata_url": "",
            "username_claim": "preferred_username",
            "login_service": "齐鲁工惠",
        },
    },
    "spawner": {
        "default_url": "/lab",
        # At a deadline a 2-core machine starts servers slowly (tests/benchmarks/bench_deadline.py:
        # with 50 cadres at once, single servers needed over a minute to answer): wait, don't fail.
        "start_timeout": 300,
        "http_timeout": 300,
        # Enforced per cadre (server + kernels) through cgroups, airclass/system/limits.py;
        # "" and 0 switch a limit off.
        "mem_limit": "1G",
        "cpu_limit": 1.0,
        # Overload turns into a "请稍候" page that retries, instead of errors: at most this
        # many servers starting at once, and (0: no cap) this many running.
        "concurrent_spawn_limit": 10,
        "active_server_limit": 0,
        # Trainers and managers work in services (formgrader, dashboards): no personal
        # JupyterLab unless this allows it.
        "staff_servers": False,
    },
    "culler": {"enabled": True, "timeout": 3600, "every": 300},
    # Formgrader terminals run as the course's grader account: off unless a site wants them.
    "nbgrader": {"execute_timeout": 120, "formgrader_terminals": False},
    # Autograding (grader/): each notebook runs in a sandbox as one of the pool accounts
    # <sandbox_accounts>-1 … -N; limits per notebook. workers 0: one per core.
    "grading": {
        "workers": 0,
        "sandbox_accounts": names.SANDBOX_ACCOUNT_PREFIX,
        "notebook_timeout": 300,
        "memory_mb": 2048,
        "max_processes": 64,
        "file_size_mb": 64,
        "instant_feedback": True,
        "poll_every": 2,
    },
    # Completion-rate targets on the manager dashboard: one for the province, and any
    # city's own (cities declare yearly targets the provincial federation confirms).
    "dashboard": {
        "completion_target": COMPLETION_TARGET,
        "city_targets": {},
        "refresh_every": 30,
        # A Voila page's kernel ends this long after its page closed (checked every 10 s).
        "kernel_idle_timeout": 45,
        "kernels_per_user": 3,
    },
    "accounts": {"unix_group": "airclass-users"},
    # Empty: SQLite files in the data dir. "postgresql://user:password@host:5432/db": the hub,
    # the platform and every course gradebook in schemas of that database (core.dburls).
    "database": {"url": ""},
    # Zero to JupyterHub deployment (`airclass k8s values`); unused by the one-machine hub.
    "kubernetes": {
        "namespace": "airclass",
        "hub_image": "airclass/hub:0.1.0",
        "cadre_image": "airclass/cadre:0.1.0",
        "shared_volume": "airclass-shared",  # ReadWriteMany claim: exchange, courses, public
        "storage_class": "",
        "home_size": "1Gi",
        "cpu_guarantee": 0.05,
        "cpu_limit": 1.0,
        "mem_guarantee": "256M",
        "mem_limit": "1G",
        "host": "",
    },
}

_SLUG = "^[a-z][a-z0-9-]{1,30}$"

SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "data_dir": {"type": "string", "pattern": "^/"},
        "runtime_prefix": {"type": "string", "pattern": "^/"},
        "hub": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "ip": {"type": "string"},
                "port": {"type": "integer", "minimum": 1, "maximum": 65535},
                "hub_port": {"type": "integer", "minimum": 1, "maximum": 65535},
                "service_port_base": {"type": "integer", "minimum": 1024, "maximum": 65000},
                "db_url": {"type": "string"},
                "stop_servers_with_hub": {"type": "boolean"},
                "admin_users": {"type": "array", "items": {"type": "string"}},
            },
        },
        "auth": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "type": {"enum": ["native", "oauth"]},
                "native": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "allowed_failed_logins": {"type": "integer", "minimum": 0},
                        "seconds_before_next_try": {"type": "integer", "minimum": 0},
                        "minimum_password_length": {"type": "integer", "minimum": 1},
                        "enable_signup": {"type": "boolean"},
                        "failed_logins_per_address": {"type": "integer", "minimum": 1},
                        "trusted_proxies": {"type": "array", "items": {"type": "string"}},
                    },
                },
                "oauth": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        k: {"type": "string"}
                        for k in (
                            "client_id",
                            "client_secret",
                            "authorize_url",
                            "token_url",
                            "userdata_url",
                            "username_claim",
                            "login_service",
                        )
                    },
                },
            },
        },
        "spawner": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "default_url": {"type": "string"},
                "start_timeout": {"type": "integer", "minimum": 10},
                "http_timeout": {"type": "integer", "minimum": 10},
                "mem_limit": {"type": "string", "pattern": "^$|^[0-9]+(\\.[0-9]+)?[KMGT]?$"},
                "cpu_limit": {"type": "number", "minimum": 0},
                "concurrent_spawn_limit": {"type": "integer", "minimum": 1},
                "active_server_limit": {"type": "integer", "minimum": 0},
                "staff_servers": {"type": "boolean"},
            },
        },
        "culler": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "enabled": {"type": "boolean"},
                "timeout": {"type": "integer", "minimum": 60},
                "every": {"type": "integer", "minimum": 10},
            },
        },
        "nbgrader": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "execute_timeout": {"type": "integer", "minimum": 5},
                "formgrader_terminals": {"type": "boolean"},
            },
        },
        "grading": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "workers": {"type": "integer", "minimum": 0, "maximum": 64},
                "sandbox_accounts": {"type": "string", "pattern": "^[a-z][a-z0-9]{1,12}$"},
                "notebook_timeout": {"type": "integer", "minimum": 10},
                "memory_mb": {"type": "integer", "minimum": 256},
                "max_processes": {"type": "integer", "minimum": 8},
                "file_size_mb": {"type": "integer", "minimum": 1},
                "instant_feedback": {"type": "boolean"},
                "poll_every": {"type": "number", "minimum": 0.2},
            },
        },
        "dashboard": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "completion_target": {"type": "number", "minimum": 0, "maximum": 1},
                "refresh_every": {"type": "integer", "minimum": 5},
                "kernel_idle_timeout": {"type": "integer", "minimum": 10},
                "kernels_per_user": {"type": "integer", "minimum": 1},
                "city_targets": {
                    "type": "object",
                    "propertyNames": {"enum": list(CITY_CODES)},
                    "additionalProperties": {"type": "number", "minimum": 0, "maximum": 1},
                },
            },
        },
        "accounts": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"unix_group": {"type": "string", "pattern": _SLUG}},
        },
        "database": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"url": {"type": "string", "pattern": "^$|^(sqlite|postgresql)(\\+[a-z0-9]+)?://"}},
        },
        "kubernetes": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "namespace": {"type": "string", "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"},
                "hub_image": {"type": "string", "pattern": "^\\S+$"},
                "cadre_image": {"type": "string", "pattern": "^\\S+$"},
                "shared_volume": {"type": "string", "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"},
                "storage_class": {"type": "string"},
                "home_size": {"type": "string", "pattern": "^[0-9]+(Ki|Mi|Gi|Ti)$"},
                "cpu_guarantee": {"type": "number", "exclusiveMinimum": 0},
                "cpu_limit": {"type": "number", "exclusiveMinimum": 0},
                "mem_guarantee": {"type": "string", "pattern": "^[0-9]+[KMGT]$"},
                "mem_limit": {"type": "string", "pattern": "^[0-9]+[KMGT]$"},
                "host": {"type": "string"},
            },
        },
    },
}


class SettingsError(ValueError):
    """A settings file the user wrote is wrong; the message says where and how to fix it."""


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _describe(error: jsonschema.ValidationError) -> str:
    where = ".".join(str(p) for p in error.absolute_path) or "(top level)"
    if error.validator == "additionalProperties":
        return f"{where}: {error.message} — remove it or check its spelling"
    if error.validator == "enum":
        return f"{where}: {error.instance!r} is not allowed; use one of {error.validator_value}"
    return f"{where}: {error.message}"


def validate(raw: dict[str, Any], source: str = "settings") -> dict[str, Any]:
    """Check raw settings against the schema and return them merged onto the defaults."""
    errors = sorted(jsonschema.Draft202012Validator(SCHEMA).iter_errors(raw), key=lambda e: list(e.path))
    if errors:
        lines = "\n".join(f"  - {_describe(e)}" for e in errors)
        raise SettingsError(f"{source}: invalid settings:\n{lines}")
    merged = _merge(DEFAULTS, raw)
    if merged["auth"]["type"] == "oauth":
        oauth = merged["auth"]["oauth"]
        missing = [k for k in ("client_id", "authorize_url", "token_url", "userdata_url") if not oauth[k]]
        if missing:
            raise SettingsError(
                f"{source}: auth.type is 'oauth' but auth.oauth is missing {', '.join(missing)}; "
                "fill them in from the 齐鲁工惠 SSO registration"
            )
    return merged


def load(path: str | os.PathLike[str] | None = None) -> Settings:
    """Load settings from `path`, $AIRCLASS_SETTINGS, /etc/airclass/airclass.toml, or defaults."""
    chosen = Path(path) if path else None
    if chosen is None and os.environ.get(SETTINGS_ENV):
        chosen = Path(os.environ[SETTINGS_ENV])
    if chosen is None and DEFAULT_SETTINGS_PATH.exists():
        chosen = DEFAULT_SETTINGS_PATH
    if chosen is None:
        return Settings(validate({}, "defaults"), None)
    try:
        raw = tomllib.loads(chosen.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SettingsError(f"{chosen}: settings file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{chosen}: not valid TOML: {exc}") from None
    return Settings(validate(raw, str(chosen)), chosen)


@functools.cache
def current() -> Settings:
    """This process's settings, loaded once from the path the hub or CLI passed on
    ($AIRCLASS_SETTINGS). Long-running services and page hooks use this, not `load`."""
    return load()


@dataclass(frozen=True)
class Settings:
    """Validated settings plus the paths every part of airclass agrees on."""

    values: dict[str, Any]
    source: Path | None

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    @property
    def data_dir(self) -> Path:
        return Path(self.values["data_dir"])

    @property
    def runtime_prefix(self) -> Path:
        return Path(self.values["runtime_prefix"])

    def runtime_bin(self, name: str) -> str:
        return str(self.runtime_prefix / "bin" / name)

    @property
    def hub_dir(self) -> Path:
        """Hub database, cookie secret: root only."""
        return self.data_dir / "hub"

    @property
    def platform_db(self) -> Path:
        """Roster and lesson completions (see airclass.core.platform_db)."""
        return self.data_dir / "platform" / "platform.sqlite"

    @property
    def courses_dir(self) -> Path:
        """nbgrader course roots, one per course, private to the course's graders."""
        return self.data_dir / "courses"

    def course_root(self, course_id: str) -> Path:
        return self.courses_dir / course_id

    @property
    def public_dir(self) -> Path:
        """World-readable part of each course: course.toml, lessons, data."""
        return self.data_dir / "public"

    @property
    def exchange_dir(self) -> Path:
        return self.data_dir / "exchange"

    @property
    def jupyter_config_dir(self) -> Path:
        """Extra Jupyter config path handed to every user server (nbgrader student config)."""
        return self.data_dir / "etc" / "jupyter"

    @property
    def dashboards_dir(self) -> Path:
        return self.data_dir / "dashboards"

    @property
    def database_url(self) -> str:
        """`[database] url`: empty for SQLite files, else the PostgreSQL database."""
        return self.values["database"]["url"]

    @property
    def hub_db_url(self) -> str:
        if self.values["hub"]["db_url"]:
            return self.values["hub"]["db_url"]
        if self.database_url:
            return dburls.in_schema(self.database_url, dburls.HUB_SCHEMA)
        return f"sqlite:///{self.hub_dir / 'jupyterhub.sqlite'}"

    @property
    def platform_db_url(self) -> str:
        """The platform DB (see airclass.core.platform_db), SQLite file or PostgreSQL schema."""
        if self.database_url:
            return dburls.in_schema(self.database_url, dburls.PLATFORM_SCHEMA)
        return dburls.as_url(self.platform_db)

    def gradebook_url(self, course_id: str) -> str:
        """The course's nbgrader gradebook (nbgrader's `CourseDirectory.db_url`)."""
        if self.database_url:
            return dburls.in_schema(self.database_url, dburls.gradebook_schema(course_id))
        return dburls.as_url(self.course_root(course_id) / "gradebook.db")
