"""What a dashboard kernel imports decides how long every page view waits: the modules the
dashboard notebooks import must not pull in nbgrader, nbformat or jsonschema's URI grammar
(about 1.5 s of a 2 s start; they are needed only to build the table or check course notebooks)."""

import json
import subprocess
import sys

import pytest

from tests.airclass.dashboards.test_viewer import PROVINCE, run_dashboard
from tests.airclass.dashboards.test_viewer import classroom as classroom  # noqa: F401 — fixture
from tests.airclass.dashboards.test_viewer import settings_env as settings_env  # noqa: F401 — fixture
from tests.paths import REPO

DASHBOARD_IMPORTS = (
    "airclass.dashboards.pages",
    "airclass.dashboards.report",
    "airclass.dashboards.viewer",
    "airclass.progress.cache",
    "airclass.progress.table",
    "airclass.core.settings",
    "airclass.core.catalog",
)
# rfc3987_syntax: jsonschema's optional URI checker compiles a grammar on import (~1 s);
# airclass.core.settings keeps it out.
HEAVY = ("nbgrader", "nbformat", "nbconvert", "rfc3987_syntax")


def test_dashboard_modules_leave_nbgrader_and_nbformat_unloaded():
    code = (
        "import importlib, json, sys\n"
        f"for m in {DASHBOARD_IMPORTS!r}: importlib.import_module(m)\n"
        f"print(json.dumps(sorted(h for h in {HEAVY!r} if sys.modules.get(h) is not None)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


# A warm render of the manager dashboard reads its first screen from the cache; the table,
# statistics and report code (pandas, numpy: ~0.3 s) and the database driver (~0.1 s) wait
# for the first filter change. SQLite here: on PostgreSQL the change markers need the driver.
WARM_RENDER_SKIPS = ("pandas", "numpy", "sqlalchemy", "nbgrader", "nbformat")


@pytest.mark.slow
def test_a_warm_manager_render_loads_no_pandas_and_no_database_driver(settings_env, monkeypatch, tmp_path):
    report_loaded = (
        "import json, sys\n"
        f"print('LOADED=' + json.dumps(sorted(m for m in {WARM_RENDER_SKIPS!r} if m in sys.modules)))\n"
    )
    cold = run_dashboard("manager", PROVINCE, monkeypatch, tmp_path, then=report_loaded)
    assert "查看范围：全省" in cold and "孙七" in cold
    assert {"pandas", "sqlalchemy"} <= loaded(cold)  # the cold render built the table

    warm = run_dashboard("manager", PROVINCE, monkeypatch, tmp_path, then=report_loaded)
    assert "查看范围：全省" in warm and "孙七" in warm and "菏泽" in warm
    assert loaded(warm) == set()


def loaded(output: str) -> set[str]:
    return set(json.loads(output.rsplit("LOADED=", 1)[1].splitlines()[0]))
