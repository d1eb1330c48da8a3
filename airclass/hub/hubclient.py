"""Bring a running hub up to date with the roster, through the hub's REST API.

The hub config loads users and groups at start; this adds what a later `roster import`
brought, without restarting the hub (which would stop everyone's servers). Group
membership is only added, as JupyterHub's own load_groups does; removing people is a
deliberate admin action on the hub admin page.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from airclass.core.settings import Settings
from airclass.hub import hubconfig


class HubSyncError(RuntimeError):
    pass


def _api(settings: Settings, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    url = f"http://127.0.0.1:{settings['hub']['hub_port']}/hub/api/{path.lstrip('/')}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url,
        data=data,
        method=method,
        headers={
            "Authorization": f"token {hubconfig.admin_token(settings)}",
            "Content-Type": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            raw = reply.read()
            return reply.status, json.loads(raw) if raw else {}
    except urllib.error.HTTPError as exc:
        return exc.code, {"message": exc.read().decode(errors="replace")}


def hub_is_running(settings: Settings) -> bool:
    try:
        status, _ = _api(settings, "GET", "")
    except FileNotFoundError:
        return False  # no hub secrets: this data dir was never set up for a hub
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False
    return status == 200


def sync_roster(settings: Settings, roster: list[dict], course_ids: list[str]) -> dict[str, int]:
    """Create missing hub users and add group members; returns counts of what changed."""
    status, users = _api(settings, "GET", "users?limit=100000")
    if status != 200:
        raise HubSyncError(f"hub API refused the admin token ({status}): {users}")
    existing = {u["name"] for u in users}
    new_users = sorted({p["user_id"] for p in roster} - existing)
    if new_users:
        status, reply = _api(settings, "POST", "users", {"usernames": new_users})
        if status not in (200, 201):
            raise HubSyncError(f"could not create hub users ({status}): {reply}")
    added = 0
    for group, members in hubconfig.desired_groups(roster, course_ids).items():
        status, model = _api(settings, "GET", f"groups/{group}")
        if status == 404:
            _api(settings, "POST", f"groups/{group}")
            model = {"users": []}
        missing = sorted(set(members) - set(model.get("users", [])))
        if missing:
            status, reply = _api(settings, "POST", f"groups/{group}/users", {"users": missing})
            if status != 200:
                raise HubSyncError(f"could not add {missing} to {group} ({status}): {reply}")
            added += len(missing)
    return {"users": len(new_users), "memberships": added}
