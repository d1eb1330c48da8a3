"""Who sees what: viewer parsing, row-level scope, the Voila prelaunch hook, and the
dashboards executed headless (nbclient) for different viewers.

Fixtures:
    classroom — the small classroom of test_progress.py (built once for this module)
    settings_env — $AIRCLASS_SETTINGS pointing at it
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from tornado.web import HTTPError

from airclass.core import settings as settings_mod
from airclass.dashboards import viewer as viewer_mod
from airclass.dashboards import viewer_hook
from airclass.dashboards.viewer import NO_ACCESS, Viewer, current_viewer, scope_table
from tests.airclass.progress import test_progress as fixture
from tests.paths import REPO

NOTEBOOKS = REPO / "notebooks"

PROVINCE = Viewer("m1", "manager", "济南", "province")
JINAN = Viewer("m2", "manager", "济南", "city")
TRAINER = Viewer("t1", "trainer", "济南", "", ("labor-law",))
CADRE = Viewer("c3", "cadre", "青岛", "", ("labor-law", "union-data"))


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    return fixture.make_classroom(tmp_path_factory.mktemp("classroom"))


@pytest.fixture(scope="module")
def table(classroom):
    return classroom.table()


@pytest.fixture
def settings_env(classroom, monkeypatch):
    path = classroom.root / "airclass.toml"
    path.write_text(f'data_dir = "{classroom.root}"\n', encoding="utf-8")
    monkeypatch.setenv("AIRCLASS_SETTINGS", str(path))
    settings_mod.current.cache_clear()  # a process loads its settings once; each test is a new "process"
    yield path
    settings_mod.current.cache_clear()


# --- current_viewer ---------------------------------------------------------------------


def test_absent_or_bad_viewer_has_no_access():
    assert current_viewer({}) == NO_ACCESS
    assert not current_viewer({}).has_access
    for raw in (
        "",
        "not json",
        "[]",
        '{"user_id": 3, "role": "manager"}',
        '{"user_id": "x", "role": "manager", "courses": "labor-law"}',
    ):
        assert current_viewer({"AIRCLASS_VIEWER": raw}) == NO_ACCESS


def test_viewer_from_env_round_trips():
    env = {"AIRCLASS_VIEWER": JINAN.to_json()}
    assert current_viewer(env) == JINAN and current_viewer(env).is_city_manager
    assert current_viewer({"AIRCLASS_VIEWER": TRAINER.to_json()}).courses == ("labor-law",)


# --- scope_table ------------------------------------------------------------------------


def test_scope_rules(table):
    assert len(scope_table(table, PROVINCE)) == 22
    jinan = scope_table(table, JINAN)
    assert set(jinan["city"]) == {"济南"} and len(jinan) == 10
    trainer = scope_table(table, TRAINER)
    assert set(trainer["course_id"]) == {"labor-law"} and len(trainer) == 16
    cadre = scope_table(table, CADRE)
    assert set(cadre["user_id"]) == {"c3"} and len(cadre) == 6
    assert scope_table(table, NO_ACCESS).empty
    assert scope_table(table, Viewer("x", "admin")).empty
    assert scope_table(table, Viewer("m9", "manager", "", "city")).empty  # city manager, no city
    assert scope_table(table, Viewer("m9", "manager", "济南", "")).empty  # unknown level
    assert scope_table(table.drop(columns=["city"]), JINAN).empty


def test_visible_cities():
    assert len(viewer_mod.visible_cities(PROVINCE, tuple("abc"))) == 3
    assert viewer_mod.visible_cities(JINAN, ("济南", "青岛")) == ["济南"]
    assert viewer_mod.visible_cities(CADRE, ("济南",)) == []


# --- the prelaunch hook -----------------------------------------------------------------


def handler(user, path="/services/dashboard/voila/render/manager.ipynb"):
    return SimpleNamespace(current_user=user, request=SimpleNamespace(path=path))


def notebook(name: str | None = None):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    if name:
        nb.metadata["airclass"] = {"dashboard": name}
    return nb


def test_hub_username_shapes():
    from jupyterhub.singleuser.extension import JupyterHubUser

    assert viewer_hook.hub_username(handler(JupyterHubUser({"name": "m2"}))) == "m2"
    assert viewer_hook.hub_username(handler({"name": "c1"})) == "c1"
    assert viewer_hook.hub_username(handler(SimpleNamespace(hub_user={"name": "t1"}))) == "t1"
    assert viewer_hook.hub_username(handler(None)) == ""


def test_hook_pins_the_viewer_as_first_cell(settings_env):
    from jupyterhub.singleuser.extension import JupyterHubUser

    nb = notebook("manager")
    out = viewer_hook.voila_prelaunch_hook(handler(JupyterHubUser({"name": "m2"})), nb, "/tmp")
    assert out is nb and len(nb.cells) == 2 and nb.cells[1].source == "x = 1"
    env: dict[str, str] = {}
    exec(nb.cells[0].source.replace("os.environ", "env"), {"env": env, "os": None})
    assert current_viewer(env) == Viewer("m2", "manager", "济南", "city", ())
    # the cadre's courses come from the roster, not from the request
    nb = notebook("my_progress")
    viewer_hook.voila_prelaunch_hook(handler({"name": "c1"}), nb, "/tmp")
    assert json.loads(nb.cells[0].source.split("= ", 1)[1].strip()[1:-1])["courses"] == [
        "labor-law",
        "union-data",
    ]


@pytest.mark.parametrize(
    ("user", "dashboard", "allowed"),
    [
        ("m1", "manager", True),
        ("m2", "manager", True),
        ("t1", "manager", False),
        ("c1", "manager", False),
        ("t1", "trainer", True),
        ("m1", "trainer", False),
        ("c1", "trainer", False),
        ("c1", "my_progress", True),
        ("t1", "my_progress", True),
        ("stranger", "my_progress", False),
        ("m1", "something_else", False),
    ],
)
def test_hook_authorizes_by_role(settings_env, user, dashboard, allowed):
    nb = notebook()  # no metadata: the request path names the dashboard
    h = handler({"name": user}, f"/services/dashboard/voila/render/{dashboard}.ipynb")
    if allowed:
        viewer_hook.voila_prelaunch_hook(h, nb, "/tmp")
        assert "AIRCLASS_VIEWER" in nb.cells[0].source
    else:
        with pytest.raises(HTTPError) as err:
            viewer_hook.voila_prelaunch_hook(h, nb, "/tmp")
        assert err.value.status_code == 403
        assert len(nb.cells) == 1


def test_hook_refuses_anonymous(settings_env):
    with pytest.raises(HTTPError) as err:
        viewer_hook.voila_prelaunch_hook(handler(None), notebook("my_progress"), "/tmp")
    assert err.value.status_code == 403


# --- the dashboards, executed headless --------------------------------------------------


def run_dashboard(name: str, viewer: Viewer | None, monkeypatch, cache_dir: Path, then: str = "") -> str:
    """Execute notebooks/<name>.ipynb as Voila would (plus a last cell `then`, if given, in
    the same kernel) and return all its output text."""
    from nbclient import NotebookClient

    if viewer is None:
        monkeypatch.delenv("AIRCLASS_VIEWER", raising=False)
    else:
        monkeypatch.setenv("AIRCLASS_VIEWER", viewer.to_json())
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache_dir))
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    if then:
        nb.cells.append(nbformat.v4.new_code_cell(then))
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    texts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            assert out.output_type != "error", "\n".join(out.get("traceback", []))
            data = out.get("data", {})
            texts.append(data.get("text/html") or data.get("text/plain") or out.get("text", ""))
    return "\n".join(texts)


@pytest.mark.slow
def test_city_manager_dashboard_shows_only_their_city(settings_env, monkeypatch, tmp_path):
    html = run_dashboard("manager", JINAN, monkeypatch, tmp_path)
    assert "查看范围：济南市" in html and "报名学员" in html
    assert "李四" in html  # c2 is at risk in 济南
    for other in ("王五", "赵六", "孙七", "13800000003", "13800000005", "青岛", "淄博"):
        assert other not in html, other
    # the exported detail sheet is the city's rows only
    assert 'download="学习进度-' in html


@pytest.mark.slow
def test_province_manager_dashboard_shows_all_cities(settings_env, monkeypatch, tmp_path):
    html = run_dashboard("manager", PROVINCE, monkeypatch, tmp_path)
    assert "查看范围：全省" in html
    assert "孙七" in html and "13800000005" in html
    assert "菏泽" in html  # all 16 cities in the ranking, even without data
    assert '>5</div><div class="k">报名学员' in html


@pytest.mark.slow
def test_dashboards_show_nothing_without_a_viewer(settings_env, monkeypatch, tmp_path):
    for name in ("manager", "trainer", "my_progress"):
        html = run_dashboard(name, None, monkeypatch, tmp_path)
        assert "张三" not in html and "13800000001" not in html and "c1" not in html


@pytest.mark.slow
def test_trainer_dashboard(settings_env, monkeypatch, tmp_path):
    html = run_dashboard("trainer", TRAINER, monkeypatch, tmp_path)
    assert "劳动法基础" in html and "工会数据" not in html
    assert "待人工评分" in html and "李四" in html  # c2's written answer awaits grading
    assert "逾期提交" in html and "加班工资计算" in html


@pytest.mark.slow
def test_my_progress_shows_only_own_rows(settings_env, monkeypatch, tmp_path):
    c1 = Viewer("c1", "cadre", "济南", "", ("labor-law", "union-data"))
    html = run_dashboard("my_progress", c1, monkeypatch, tmp_path)
    assert "我的学习进度" in html and "张三" in html
    assert "9 / 10（通过）" in html and "4 / 10（未通过" in html
    for other in ("李四", "王五", "赵六", "孙七", "13800000002"):
        assert other not in html, other
