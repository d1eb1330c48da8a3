"""Overload and runaway cells: a full hub answers with a Chinese 请稍候 page that retries by
itself (not an error), and a cadre's memory limit is enforced by the kernel, not only
advertised — the runaway kernel dies, the cadre's server and everyone else carry on."""

import pytest

from airclass.system import launcher, limits
from tests.integration.kernelclient import execute, start_kernel

pytestmark = pytest.mark.integration


def restart_with(classroom, extra: str) -> None:
    path = classroom.settings.source
    text = path.read_text(encoding="utf-8").split("\n# overload test\n")[0]
    path.write_text(text + (f"\n# overload test\n{extra}" if extra else ""), encoding="utf-8")
    launcher.stop_hub(classroom.hub)
    classroom.hub = launcher.start_hub(classroom.settings, classroom.log)
    launcher.wait_for_login_page(classroom.settings, classroom.hub, timeout=180)


def test_full_hub_shows_a_waiting_page(classroom, login):
    restart_with(classroom, "[spawner]\nactive_server_limit = 1\n")
    try:
        first = login("it-rel")
        first.start_server()
        other = login("it-cadre1")
        page = other.web.get(other.url("hub/spawn"), timeout=120)
        assert page.status_code == 429
        assert "请稍候" in page.text and "自动重试" in page.text
        assert "Traceback" not in page.text
        api = other.api("POST", "hub/api/users/it-cadre1/server")
        assert api.status_code == 429, "API clients are told to wait too"
        first.stop_server()
    finally:
        restart_with(classroom, "")


def test_memory_limit_is_enforced_on_the_kernel(classroom, login):
    cadre = login("it-rel")
    cadre.start_server()
    kernel = start_kernel(cadre)
    pid = int(execute(cadre, kernel, "import os; print(os.getpid())"))
    assert pid in limits.members("it-rel"), "the kernel runs inside the cadre's cgroup"
    kills_before = limits.oom_kills("it-rel")
    with pytest.raises((ConnectionError, AssertionError, TimeoutError)):
        # 1.5 GiB against the default 1G limit: the kernel is killed mid-cell.
        execute(cadre, kernel, "x = bytearray(1536 * 2**20); print('survived')", timeout=120)
    assert limits.oom_kills("it-rel") > kills_before
    assert cadre.server("GET", "api/status").status_code == 200, "the cadre's server survives"
    fresh = start_kernel(cadre)
    assert execute(cadre, fresh, "print(1 + 1)") == "2\n", "and can start a new kernel"
    cadre.stop_server()
