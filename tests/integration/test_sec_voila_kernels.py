"""Issue 9, findings 2 and 3, as the attacks were made: Voila dashboard kernels through the real hub.

A city manager attached to the provincial manager's dashboard kernel (its id read from
`ps`), anyone could shut down anyone's kernel, /services/learning/ served manager.ipynb,
and every page view left a kernel running forever.
"""

import asyncio
import re
import subprocess
import time

import pytest
from tornado.httpclient import HTTPClientError, HTTPRequest
from tornado.websocket import websocket_connect

pytestmark = pytest.mark.integration

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
KERNEL_ID = re.compile(r"kernel[_-]?[iI]d[\"'\s:=]+[\"']?(" + UUID + ")")


def open_dashboard(person, service: str = "dashboard") -> str:
    """Open the service's landing page as `person`; return the id of the kernel it started."""
    page = person.browse(f"services/{service}/")
    assert page.status_code == 200, page.status_code
    found = KERNEL_ID.search(page.text)
    assert found, "the Voila page names its kernel"
    return found.group(1)


def kernel_status(person, service: str, kernel_id: str) -> int:
    return person.browse(f"services/{service}/api/kernels/{kernel_id}").status_code


def websocket_status(classroom, person, service: str, kernel_id: str) -> int:
    """Open the kernel's websocket with `person`'s login cookies; the HTTP status of the handshake."""
    cookies = "; ".join(f"{c.name}={c.value}" for c in person.web.cookies if "/services/" in (c.path or "/"))
    url = classroom.base_url.replace("http", "ws") + f"/services/{service}/api/kernels/{kernel_id}/channels"

    async def attempt() -> int:
        try:
            conn = await websocket_connect(HTTPRequest(url, headers={"Cookie": cookies}))
        except HTTPClientError as exc:
            return exc.code
        conn.close()
        return 101

    return asyncio.run(attempt())


def test_other_manager_cannot_attach_to_or_stop_a_dashboard_kernel(classroom, login):
    owner, attacker = login("it-manager"), login("it-citymgr")
    kernel_id = open_dashboard(owner)
    assert kernel_status(owner, "dashboard", kernel_id) == 200
    assert websocket_status(classroom, owner, "dashboard", kernel_id) == 101

    # The attack: another manager with the province manager's kernel id.
    assert kernel_status(attacker, "dashboard", kernel_id) == 403
    assert websocket_status(classroom, attacker, "dashboard", kernel_id) == 403
    stop = attacker.api("POST", f"services/dashboard/voila/api/shutdown/{kernel_id}")
    assert stop.status_code == 403
    assert kernel_status(owner, "dashboard", kernel_id) == 200, "the owner's kernel survived"


def test_kernel_ids_do_not_show_in_ps(classroom, login):
    kernel_id = open_dashboard(login("it-manager"))
    # what any local account (a cadre's terminal) sees
    seen = subprocess.run(
        ["runuser", "-u", "nobody", "--", "ps", "-eww", "-o", "args"], capture_output=True, text=True
    ).stdout
    assert "ipykernel" in seen, "the dashboard kernels are running"
    assert kernel_id not in seen


def test_learning_service_serves_only_its_own_notebooks(classroom, login):
    manager = login("it-manager")
    assert manager.browse("services/learning/voila/render/manager.ipynb").status_code == 404
    assert manager.browse("services/dashboard/voila/render/my_progress.ipynb").status_code == 404
    assert manager.browse("services/learning/voila/render/my_progress.ipynb").status_code == 200


def test_kernels_of_closed_pages_are_culled_and_capped(classroom, login):
    manager = login("it-manager")
    limit = classroom.settings["dashboard"].get("kernels_per_user", 3)
    opened = [open_dashboard(manager) for _ in range(limit + 1)]
    # a user holds at most `limit` kernels: opening one more page ended the oldest
    # (a kernel that does not exist answers 403 like one of someone else's)
    assert kernel_status(manager, "dashboard", opened[0]) == 403
    assert all(kernel_status(manager, "dashboard", k) == 200 for k in opened[1:])
    # nobody connected to them (the pages "closed"): gone after the idle timeout
    deadline = time.monotonic() + classroom.settings["dashboard"].get("kernel_idle_timeout", 20) + 30
    while time.monotonic() < deadline and any(
        kernel_status(manager, "dashboard", k) == 200 for k in opened[1:]
    ):
        time.sleep(3)
    assert [kernel_status(manager, "dashboard", k) for k in opened[1:]] == [403] * limit
