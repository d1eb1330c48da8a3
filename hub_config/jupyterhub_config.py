"""JupyterHub configuration for airclass — kept thin on purpose.

    AIRCLASS_SETTINGS=/etc/airclass/airclass.toml jupyterhub -f hub_config/jupyterhub_config.py

1. the settings file is loaded and validated (airclass/core/settings.py);
2. the roster and the deployed courses are read from the data directory, which
   `airclass setup` prepared (this file provisions nothing);
3. airclass/hub/hubconfig.py maps them onto JupyterHub traits;
4. any `<data_dir>/config.d/*.py` is loaded last, as an escape hatch (TLJH style).
"""

import os
from pathlib import Path

from airclass.core.platform_db import PlatformDB
from airclass.core.settings import current
from airclass.hub import hubconfig
from airclass.learner import landing
from airclass.system import launcher, layout

c = get_config()  # noqa: F821 — provided by JupyterHub when it loads this file

if os.geteuid() != 0:
    raise SystemExit(
        "airclass: the hub must run as root — it creates one unix account per cadre and starts "
        "each server as that account. Start it with sudo (or use `airclass hub`)."
    )

settings = current()  # loaded once for the hub process; the spawner reads the same
if not layout.is_prepared(settings):
    raise SystemExit(
        f"airclass: {settings.data_dir} is not set up for the hub; run `airclass setup` first "
        "(`airclass hub` and `airclass demo` do it for you)."
    )
with PlatformDB(settings.platform_db_url) as db:
    roster = db.people()
# `airclass hub` starts the proxy itself and says so; plain `jupyterhub -f` starts its own.
external_proxy = os.environ.get(launcher.EXTERNAL_PROXY_ENV) == "1"
hubconfig.apply(c, settings, roster, layout.deployed_course_titles(settings), external_proxy)
# 我的入口: each person's courses, lessons and assignments on the hub home page.
c.JupyterHub.template_vars["airclass_entry"] = landing.entry_for(settings)

extra_dir = settings.data_dir / "config.d"
if extra_dir.is_dir():
    for extra in sorted(Path(extra_dir).glob("*.py")):
        load_subconfig(str(extra))  # noqa: F821
