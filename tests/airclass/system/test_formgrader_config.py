"""The formgrader services' Jupyter config really loads: nbgrader's formgrader, the
sanitiser in its exporter and the CSP transform (a wrong import path here once left the
formgrader unloaded)."""

from __future__ import annotations

import subprocess
import sys

from airclass.core.settings import Settings, validate
from airclass.system import layout

PROBE = """
from jupyter_server.serverapp import ServerApp
app = ServerApp.instance()
app.initialize(argv=["--port=0", "--ServerApp.open_browser=False", "--allow-root"])
assert "nbgrader.server_extensions.formgrader" in app.extension_manager.extensions
assert [t.__name__ for t in app.web_app.transforms][:1] == ["FormgraderCSP"]
names = [type(p).__name__ for p in app.web_app.settings["nbgrader_exporter"]._preprocessors]
assert "SanitizeHTML" in names and "SafeNbgraderMetadata" in names, names
print("formgrader guarded")
"""


def test_formgrader_loads_with_sanitiser_and_csp(tmp_path):
    settings = Settings(validate({"data_dir": str(tmp_path)}), None)
    layout.write_formgrader_config(settings)
    env = {"JUPYTER_CONFIG_PATH": str(layout.formgrader_config_dir(settings)), "HOME": str(tmp_path)}
    probe = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert probe.returncode == 0 and "formgrader guarded" in probe.stdout, probe.stderr[-3000:]
