"""The server side of the dashboards' viewer: Voila's prelaunch hook, run in the Voila
server (not in the kernels), decides who is looking and pins it into the kernel."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tornado.web import HTTPError

from airclass.core import settings as settings_mod
from airclass.core.platform_tables import lookup_person
from airclass.dashboards.viewer import DASHBOARD_ROLES, VIEWER_ENV, Viewer


def hub_username(req_handler: Any) -> str:
    """The hub user's name of a request under jupyterhub-singleuser (or plain Jupyter)."""
    user = getattr(req_handler, "current_user", None)
    if not user:
        return ""
    if isinstance(user, str):
        return user
    if isinstance(user, Mapping):
        return str(user.get("name") or "")
    for attr in ("username", "name"):
        value = getattr(user, attr, None)
        if isinstance(value, str) and value:
            return value
    hub_user = getattr(user, "hub_user", None)
    if isinstance(hub_user, Mapping):
        return str(hub_user.get("name") or "")
    return ""


def lookup_viewer(platform_db: str | Path, user_id: str) -> Viewer | None:
    """The roster entry of `user_id` as a Viewer, or None if not in the roster."""
    person = lookup_person(platform_db, user_id)
    if person is None:
        return None
    courses = tuple(person["courses"])
    return Viewer(person["user_id"], person["role"], person["city"], person["level"] or "", courses)


def dashboard_name(req_handler: Any, notebook: Any) -> str:
    """Which dashboard is being opened: the notebook's ``metadata.airclass.dashboard``,
    else the file name of the requested notebook."""
    meta = getattr(notebook, "metadata", None) or {}
    name = (meta.get("airclass") or {}).get("dashboard") if isinstance(meta, Mapping) else None
    if name:
        return str(name)
    path = getattr(req_handler, "notebook_path", "") or ""
    if not path:
        request = getattr(req_handler, "request", None)
        path = getattr(request, "path", "") or ""
    return Path(str(path)).stem


def viewer_cell_source(viewer: Viewer) -> str:
    return f"import os\nos.environ[{VIEWER_ENV!r}] = {viewer.to_json()!r}\n"


def voila_prelaunch_hook(req_handler: Any, notebook: Any, cwd: str) -> Any:
    """``VoilaConfiguration.prelaunch_hook``: authorize the hub user for this dashboard
    and pin the viewer into the kernel (first cell sets $AIRCLASS_VIEWER)."""
    username = hub_username(req_handler)
    if not username:
        raise HTTPError(403, "未登录或无法识别用户")
    viewer = lookup_viewer(settings_mod.current().platform_db_url, username)
    if viewer is None:
        raise HTTPError(403, f"用户 {username} 不在学员名册中")
    allowed = DASHBOARD_ROLES.get(dashboard_name(req_handler, notebook))
    if allowed is None or viewer.role not in allowed:
        raise HTTPError(403, "您的角色无权打开此页面")
    # Imported here, in the Voila server where it is loaded already: the dashboard kernels
    # import this module too, and nbformat's validator costs them most of a second.
    import nbformat

    cell = nbformat.v4.new_code_cell(viewer_cell_source(viewer))
    cell.metadata["tags"] = ["airclass-viewer"]
    notebook.cells.insert(0, cell)
    return notebook
