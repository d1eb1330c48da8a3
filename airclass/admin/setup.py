"""`airclass setup`: everything the hub needs on the machine, done once and safe to repeat.

Service accounts, the data directory and its permissions, the platform database, the
dashboards and their locked-down server config, the proxy and the runtime environment
(as TLJH's installer does with its `ensure_*` steps). The hub's config file only maps
settings onto traits; `airclass hub` and `airclass demo` run this first.
"""

from __future__ import annotations

from pathlib import Path

from airclass.core.settings import Settings
from airclass.services.dashboard_server import SERVER_CONFIG
from airclass.system import accounts, launcher, layout, runtime

NOTEBOOKS = launcher.PROJECT / "notebooks"


def setup(settings: Settings, notebooks_dir: Path = NOTEBOOKS, with_runtime: bool = True) -> None:
    accounts.require_root("airclass setup")
    if with_runtime:
        runtime.ensure_proxy()
        runtime.ensure_cjk_fonts()
        runtime.ensure_bubblewrap()
        runtime.ensure_runtime(settings.runtime_prefix, launcher.PROJECT)
    layout.prepare_data_dir(settings)
    layout.deploy_dashboards(settings, notebooks_dir, SERVER_CONFIG)
