"""Restarting `airclass hub` (SIGTERM, start again) while a cadre works costs them nothing:
the proxy keeps routing, their server and kernel keep running and keep their state."""

import re

import pytest

from airclass.system import launcher
from tests.integration.kernelclient import execute, start_kernel

pytestmark = pytest.mark.integration


def set_stop_servers_with_hub(classroom, value: bool) -> None:
    path = classroom.settings.source
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"stop_servers_with_hub = \w+", f"stop_servers_with_hub = {str(value).lower()}", text)
    path.write_text(text, encoding="utf-8")


def restart_hub(classroom) -> None:
    launcher.stop_hub(classroom.hub)  # SIGTERM, as systemd or an admin's kill would
    classroom.hub = launcher.start_hub(classroom.settings, classroom.log)
    launcher.wait_for_login_page(classroom.settings, classroom.hub, timeout=120)


def test_hub_restart_keeps_cadres_servers_and_kernels(classroom, login):
    set_stop_servers_with_hub(classroom, False)  # the production default
    restart_hub(classroom)  # the fixture's hub stopped servers on exit; this one keeps them
    try:
        cadre = login("it-rel")
        cadre.start_server()
        started = cadre.server("GET", "api/status").json()["started"]
        kernel = start_kernel(cadre)
        assert execute(cadre, kernel, "counter = 41\nprint('ok')") == "ok\n"
        proxy = launcher.running_proxy(classroom.settings)
        assert proxy

        launcher.stop_hub(classroom.hub)
        # The hub is down: the proxy still routes the cadre to their server and kernel.
        assert launcher.running_proxy(classroom.settings) == proxy
        assert cadre.server("GET", "api/status").status_code == 200
        assert execute(cadre, kernel, "counter += 1\nprint(counter)") == "42\n"

        classroom.hub = launcher.start_hub(classroom.settings, classroom.log)
        launcher.wait_for_login_page(classroom.settings, classroom.hub, timeout=120)
        assert launcher.running_proxy(classroom.settings) == proxy
        model = cadre.api("GET", f"hub/api/users/{cadre.name}").json()
        assert model["servers"][""]["ready"], "the restarted hub took the running server over"
        assert cadre.server("GET", "api/status").json()["started"] == started, "same server process"
        assert kernel in [k["id"] for k in cadre.server("GET", "api/kernels").json()]
        assert execute(cadre, kernel, "print(counter + 1)") == "43\n", "same kernel, state kept"
        assert cadre.logged_in(), "the login cookie survives the restart"
        cadre.stop_server()
    finally:
        # Back to the fixture's setting; the hub started now stops servers at teardown.
        set_stop_servers_with_hub(classroom, True)
        restart_hub(classroom)
