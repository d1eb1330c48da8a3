"""Settings → traits on a bare traitlets Config (no hub needed), as TLJH tests its configurer."""

from traitlets.config import Config

from airclass.core import names
from airclass.core.settings import Settings, validate
from airclass.hub import hubconfig
from airclass.system import layout

ROSTER = [
    {"user_id": "c1", "role": "cadre", "courses": ["labor-law", "enrollment"]},
    {"user_id": "c2", "role": "cadre", "courses": ["enrollment"]},
    {"user_id": "t1", "role": "trainer", "courses": ["labor-law"]},
    {"user_id": "m1", "role": "manager", "courses": []},
]
COURSES = {"enrollment": "入会与会籍管理", "labor-law": "劳动法律援助案例"}


def make_settings(tmp_path, raw=None) -> Settings:
    return Settings(validate({"data_dir": str(tmp_path), **(raw or {})}), None)


def configured(tmp_path, raw=None) -> Config:
    settings = make_settings(tmp_path, raw)
    layout.ensure_hub_secrets(settings)  # what `airclass setup` leaves for the hub
    return hubconfig.apply(Config(), settings, ROSTER, COURSES)


def test_native_auth_with_lockout(tmp_path):
    c = configured(tmp_path, {"auth": {"native": {"allowed_failed_logins": 4}}})
    assert c.JupyterHub.authenticator_class == "airclass.hub.auth.AirclassAuthenticator"
    assert c.NativeAuthenticator.allowed_failed_logins == 4
    assert c.NativeAuthenticator.seconds_before_next_try == 600
    assert c.Authenticator.allowed_users == {"c1", "c2", "t1", "m1"}


def test_oauth_option_maps_to_generic_oauthenticator(tmp_path):
    oauth = {
        "client_id": "id",
        "client_secret": "s",
        "authorize_url": "https://sso.example.cn/a",
        "token_url": "https://sso.example.cn/t",
        "userdata_url": "https://sso.example.cn/u",
    }
    c = configured(tmp_path, {"auth": {"type": "oauth", "oauth": oauth}})
    assert c.JupyterHub.authenticator_class == "oauthenticator.generic.GenericOAuthenticator"
    assert c.GenericOAuthenticator.token_url == "https://sso.example.cn/t"
    assert c.GenericOAuthenticator.login_service == "齐鲁工惠"


def test_groups_follow_roles_and_courses(tmp_path):
    groups = configured(tmp_path).JupyterHub.load_groups
    assert groups["cadres"]["users"] == ["c1", "c2"]
    assert groups["trainers"]["users"] == ["t1"]
    assert groups["managers"]["users"] == ["m1"]
    assert groups["nbgrader-enrollment"]["users"] == ["c1", "c2"]
    assert groups["nbgrader-labor-law"]["users"] == ["c1", "t1"]
    assert groups["formgrade-labor-law"]["users"] == ["t1"]
    assert groups["formgrade-enrollment"]["users"] == []


def test_formgrader_access_only_through_course_group(tmp_path):
    roles = {r["name"]: r for r in configured(tmp_path).JupyterHub.load_roles}
    assert roles["formgrade-labor-law"]["scopes"] == ["access:services!service=labor-law"]
    assert roles["formgrade-labor-law"]["groups"] == ["formgrade-labor-law"]
    assert roles["airclass-manager"]["scopes"] == ["access:services!service=dashboard"]
    assert roles["airclass-manager"]["groups"] == ["managers"]
    everyone = roles["airclass-member"]["scopes"]
    assert not any("dashboard" in s or "labor-law" in s for s in everyone)
    assert roles["server"]["scopes"] == ["inherit"]


def test_one_formgrader_service_per_course_as_its_grader(tmp_path):
    c = configured(tmp_path, {"hub": {"service_port_base": 30000}})
    services = {s["name"]: s for s in c.JupyterHub.services}
    assert set(services) == {
        "airclass-api",
        "dashboard",
        "learning",
        "enrollment",
        "labor-law",
        "idle-culler",
        "airclass-admin",
        "dashboard-refresh",
        "certificates",
        "grading",
    }
    assert services["certificates"]["user"] == "airclass-dash"
    assert services["labor-law"]["user"] == "grader-labor-law"
    assert services["labor-law"]["cwd"] == str(tmp_path / "courses" / "labor-law")
    ports = [s["url"] for s in c.JupyterHub.services if "url" in s]
    assert len(ports) == len(set(ports)), "every service has its own port"
    assert services["dashboard"]["user"] == "airclass-dash"


def test_grading_service_runs_as_root_even_without_instant_feedback(tmp_path):
    c = configured(tmp_path, {})
    grading = next(s for s in c.JupyterHub.services if s["name"] == "grading")
    assert "user" not in grading, "it starts lanes and sandboxes as other accounts"
    assert grading["command"][-1] == "airclass.services.grading_service"
    c = configured(tmp_path, {"grading": {"instant_feedback": False}})
    assert "grading" in {s["name"] for s in c.JupyterHub.services}, "the formgraders' Autograde needs it"


def test_culler_can_be_disabled(tmp_path):
    c = configured(tmp_path, {"culler": {"enabled": False}})
    assert "idle-culler" not in {s["name"] for s in c.JupyterHub.services}


def test_spawner_runs_the_world_readable_runtime(tmp_path):
    c = configured(tmp_path, {"runtime_prefix": "/opt/x"})
    assert c.Spawner.cmd == ["/opt/x/bin/jupyterhub-singleuser"]
    assert c.Spawner.environment["JUPYTER_CONFIG_PATH"] == str(tmp_path / "etc" / "jupyter")
    assert c.JupyterHub.spawner_class == "airclass.hub.spawner.AirclassSpawner"


def test_admin_service_can_sync_users_and_groups_only(tmp_path):
    c = configured(tmp_path)
    roles = {r["name"]: r for r in c.JupyterHub.load_roles}
    assert roles["airclass-admin"]["services"] == ["airclass-admin"]
    assert set(roles["airclass-admin"]["scopes"]) == {"admin:users", "admin:groups", "list:users"}
    admin = next(s for s in c.JupyterHub.services if s["name"] == "airclass-admin")
    assert admin["api_token"] == (tmp_path / "hub" / "admin_api_token").read_text().strip()


def test_course_titles_reach_the_hub_templates(tmp_path):
    titles = configured(tmp_path).JupyterHub.template_vars["airclass_course_titles"]
    assert titles == {"enrollment": "入会与会籍管理", "labor-law": "劳动法律援助案例"}


def test_dashboard_services_cull_kernels_and_serve_only_their_notebooks(tmp_path):
    c = configured(tmp_path, {"dashboard": {"kernel_idle_timeout": 30, "kernels_per_user": 2}})
    services = {s["name"]: s for s in c.JupyterHub.services}
    for name, landing in (("dashboard", "manager.ipynb"), ("learning", "my_progress.ipynb")):
        command = services[name]["command"]
        assert f"--ServerApp.default_url=/voila/render/{landing}" in command
        assert "--MappingKernelManager.cull_idle_timeout=30" in command
        assert "--OwnedKernelManager.per_user_limit=2" in command
        assert services[name]["cwd"] == str(tmp_path / "dashboards" / name)
    defaults = make_settings(tmp_path)["dashboard"]
    assert defaults["kernel_idle_timeout"] + 10 <= 60, "a closed page's kernel is gone within 60 s"


def test_formgrader_services_have_no_terminals_unless_allowed(tmp_path):
    fg = next(s for s in configured(tmp_path).JupyterHub.services if s["name"] == "labor-law")
    assert "--ServerApp.terminals_enabled=False" in fg["command"]
    assert fg["environment"]["JUPYTER_CONFIG_PATH"] == str(tmp_path / "etc" / "formgrader")
    allowed = configured(tmp_path, {"nbgrader": {"formgrader_terminals": True}})
    fg = next(s for s in allowed.JupyterHub.services if s["name"] == "labor-law")
    assert "--ServerApp.terminals_enabled=True" in fg["command"]


def test_everyone_lands_on_the_home_page_without_a_server(tmp_path):
    c = configured(tmp_path)
    assert c.JupyterHub.redirect_to_server is False
    assert c.JupyterHub.default_url == "/hub/home"


def test_staff_get_no_server_unless_the_settings_allow_it(tmp_path):
    assert configured(tmp_path).JupyterHub.template_vars["airclass_staff_servers"] is False
    allowed = configured(tmp_path, {"spawner": {"staff_servers": True}})
    assert allowed.JupyterHub.template_vars["airclass_staff_servers"] is True


def test_links_into_a_stopped_server_start_it(tmp_path):
    assert configured(tmp_path).JupyterHub.implicit_spawn_seconds > 0


def test_restarts_keep_servers_unless_told_to_stop_them(tmp_path):
    c = configured(tmp_path)
    assert c.JupyterHub.cleanup_servers is False, "an upgrade restart must not kill cadres' kernels"
    assert c.ConfigurableHTTPProxy.should_start is True  # plain `jupyterhub -f` starts its own proxy
    launched = hubconfig.apply(Config(), make_settings(tmp_path), ROSTER, COURSES, external_proxy=True)
    assert launched.ConfigurableHTTPProxy.should_start is False  # `airclass hub` runs it apart
    demo = configured(tmp_path, {"hub": {"stop_servers_with_hub": True}})
    assert demo.JupyterHub.cleanup_servers is True


def test_formgrader_services_may_send_manual_grades_to_the_audit_trail(tmp_path):
    c = configured(tmp_path)
    role = next(r for r in c.JupyterHub.load_roles if r["name"] == "airclass-grade-audit")
    assert sorted(role["services"]) == sorted(COURSES)
    assert role["scopes"] == [f"access:services!service={names.API_SERVICE}"]
    formgrader = next(s for s in c.JupyterHub.services if s["name"] == "enrollment")
    assert formgrader["environment"]["JUPYTER_CONFIG_PATH"].endswith("etc/formgrader")


def test_disabled_culler_leaves_no_role_behind(tmp_path):
    """The hub refuses to start with a role naming a service it does not define."""
    c = configured(tmp_path, {"culler": {"enabled": False}})
    assert "idle-culler" not in [s["name"] for s in c.JupyterHub.services]
    assert "idle-culler" not in [r["name"] for r in c.JupyterHub.load_roles]
    assert "idle-culler" in [r["name"] for r in configured(tmp_path).JupyterHub.load_roles]
