"""What a dashboard kernel imports decides how long every page view waits: the modules the
dashboard notebooks import must not pull in nbgrader, nbformat or jsonschema's URI grammar
(about 1.5 s of a 2 s start; they are needed only to build the table or check course notebooks)."""

import json
import subprocess
import sys

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
