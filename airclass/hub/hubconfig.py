"""Settings → JupyterHub traits, one small `update_<part>(c, ...)` per concern (cf. TLJH's configurer).

`apply(c, settings, roster, course_ids)` is all hub_config/jupyterhub_config.py calls.
Everything here works on a bare `traitlets.config.Config`, so it is unit-tested without
a running hub (tests/airclass/hub/test_hubconfig.py).
"""

from __future__ import annotations

from pathlib import Path

from traitlets.config import Config

from airclass.core import names
from airclass.core.settings import Settings
from airclass.system import launcher, layout
from airclass.system.childproc import child_env
from airclass.system.layout import DASHBOARD_NOTEBOOKS

TEMPLATES = Path(__file__).resolve().parent / "templates"


def service_port(settings: Settings, offset: int) -> int:
    return settings["hub"]["service_port_base"] + offset


def api_url(settings: Settings) -> str:
    return f"http://127.0.0.1:{service_port(settings, 0)}"


def update_base(c: Config, settings: Settings, external_proxy: bool = False) -> None:
    """`external_proxy`: `airclass hub` runs the proxy itself, so it outlives hub restarts
    (TLJH runs its proxy as a separate service for the same reason)."""
    hub = settings["hub"]
    c.JupyterHub.ip = hub["ip"]
    c.JupyterHub.port = hub["port"]
    c.JupyterHub.hub_ip = "127.0.0.1"
    c.JupyterHub.hub_port = hub["hub_port"]
    c.JupyterHub.db_url = settings.hub_db_url
    c.JupyterHub.cookie_secret_file = str(settings.hub_dir / "jupyterhub_cookie_secret")
    c.JupyterHub.pid_file = str(settings.hub_dir / "jupyterhub.pid")
    c.ConfigurableHTTPProxy.pid_file = str(settings.hub_dir / "proxy.pid")
    c.ConfigurableHTTPProxy.api_url = launcher.proxy_api_url(settings)
    c.ConfigurableHTTPProxy.auth_token = layout.hub_secret(settings, "proxy_token")
    c.JupyterHub.template_paths = [str(TEMPLATES)]
    c.JupyterHub.template_vars = {"airclass_title": "空中课堂", "airclass_names": names.template_names()}
    # Servers run in their own sessions (LocalProcessSpawner), so they survive the hub;
    # a restarted hub finds them again through the pids in its database.
    c.JupyterHub.cleanup_servers = hub["stop_servers_with_hub"]
    c.ConfigurableHTTPProxy.should_start = not external_proxy
    # After login everyone lands on 我的入口 (/hub/home); no server starts until a link needs it.
    c.JupyterHub.redirect_to_server = False
    c.JupyterHub.default_url = "/hub/home"
    # A link into a stopped server (a lesson, 我的作业) starts it instead of asking.
    c.JupyterHub.implicit_spawn_seconds = 0.5


def update_auth(c: Config, settings: Settings, roster: list[dict]) -> None:
    auth = settings["auth"]
    c.Authenticator.allowed_users = {p["user_id"] for p in roster}
    c.Authenticator.admin_users = set(settings["hub"]["admin_users"])
    if auth["type"] == "native":
        native = auth["native"]
        # NativeAuthenticator + activation codes and per-address lockout (airclass.hub.auth)
        c.JupyterHub.authenticator_class = "airclass.hub.auth.AirclassAuthenticator"
        c.AirclassAuthenticator.failed_logins_per_address = native["failed_logins_per_address"]
        c.AirclassAuthenticator.trusted_proxies = list(native["trusted_proxies"])
        c.NativeAuthenticator.allowed_failed_logins = native["allowed_failed_logins"]
        c.NativeAuthenticator.seconds_before_next_try = native["seconds_before_next_try"]
        c.NativeAuthenticator.minimum_password_length = native["minimum_password_length"]
        c.NativeAuthenticator.enable_signup = native["enable_signup"]
        c.NativeAuthenticator.check_common_password = True
        c.NativeAuthenticator.open_signup = False
    else:
        oauth = auth["oauth"]
        c.JupyterHub.authenticator_class = "oauthenticator.generic.GenericOAuthenticator"
        c.GenericOAuthenticator.client_id = oauth["client_id"]
        c.GenericOAuthenticator.client_secret = oauth["client_secret"]
        c.GenericOAuthenticator.authorize_url = oauth["authorize_url"]
        c.GenericOAuthenticator.token_url = oauth["token_url"]
        c.GenericOAuthenticator.userdata_url = oauth["userdata_url"]
        c.GenericOAuthenticator.username_claim = oauth["username_claim"]
        c.GenericOAuthenticator.login_service = oauth["login_service"]
        c.GenericOAuthenticator.oauth_callback_url = ""  # derived from the request


def update_spawner(c: Config, settings: Settings) -> None:
    spawner = settings["spawner"]
    c.JupyterHub.spawner_class = "airclass.hub.spawner.AirclassSpawner"
    c.Spawner.cmd = [settings.runtime_bin("jupyterhub-singleuser")]
    c.Spawner.default_url = spawner["default_url"]
    c.Spawner.start_timeout = spawner["start_timeout"]
    c.Spawner.http_timeout = spawner["http_timeout"]
    if spawner["mem_limit"]:
        c.Spawner.mem_limit = spawner["mem_limit"]
    if spawner["cpu_limit"]:
        c.Spawner.cpu_limit = float(spawner["cpu_limit"])
    c.JupyterHub.concurrent_spawn_limit = spawner["concurrent_spawn_limit"]
    c.JupyterHub.active_server_limit = spawner["active_server_limit"]
    # Retry-After stays JupyterHub's 30-60 s (spawn_throttle_retry_range is not configurable
    # in 5.5); the 请稍候 page itself retries after 10-30 s.
    # What a cadre's server and kernels need to know of the platform, and nothing more.
    c.Spawner.environment = child_env(
        settings,
        reads_settings=False,
        JUPYTER_CONFIG_PATH=str(settings.jupyter_config_dir),
        AIRCLASS_API_URL=api_url(settings),
        AIRCLASS_PUBLIC_DIR=str(settings.public_dir),
    )
    c.JupyterHub.template_vars["airclass_staff_servers"] = spawner["staff_servers"]


def desired_groups(roster: list[dict], course_ids: list[str]) -> dict[str, list[str]]:
    """Hub group → members: role groups, and per course nbgrader-<c> / formgrade-<c>."""
    groups: dict[str, list[str]] = {name: [] for name in names.ROLE_GROUPS.values()}
    for course in course_ids:
        groups[names.nbgrader_group(course)] = []
        groups[names.formgrade_group(course)] = []
    for person in roster:
        groups[names.ROLE_GROUPS[person["role"]]].append(person["user_id"])
        for course in person["courses"]:
            if course not in course_ids:
                continue
            if person["role"] in ("cadre", "trainer"):
                groups[names.nbgrader_group(course)].append(person["user_id"])
            if person["role"] == "trainer":
                groups[names.formgrade_group(course)].append(person["user_id"])
    return groups


def admin_token(settings: Settings) -> str:
    """Token of the `airclass-admin` service: the CLI uses it to sync a new roster live."""
    return layout.hub_secret(settings, "admin_api_token")


def update_groups_and_roles(c: Config, roster: list[dict], course_ids: list[str]) -> None:
    c.JupyterHub.load_groups = {
        name: {"users": users} for name, users in desired_groups(roster, course_ids).items()
    }

    roles = [
        # User servers act with their owner's permissions: nbgrader's extensions ask the
        # hub for the owner's groups and services.
        {"name": "server", "scopes": ["inherit"]},
        {
            "name": "airclass-member",
            "description": "Every roster member: record lessons, open own progress page",
            "groups": list(names.ROLE_GROUPS.values()),
            "scopes": [
                f"access:services!service={names.API_SERVICE}",
                f"access:services!service={names.LEARNING_SERVICE}",
                f"access:services!service={names.CERTIFICATE_SERVICE}",
                "read:users:groups!user",
            ],
        },
        {
            "name": "airclass-manager",
            "groups": [names.ROLE_GROUPS["manager"]],
            "scopes": [f"access:services!service={names.DASHBOARD_SERVICE}"],
        },
    ]
    if course_ids:
        roles.append(
            {
                "name": "airclass-grade-audit",
                "description": "Formgrader services send trainers' manual grades to the audit trail",
                "services": list(course_ids),
                "scopes": [f"access:services!service={names.API_SERVICE}"],
            }
        )
    for course in course_ids:
        roles.append(
            {
                "name": names.formgrade_group(course),
                "groups": [names.formgrade_group(course)],
                "scopes": [f"access:services!service={course}"],
            }
        )
        roles.append(
            {
                "name": names.nbgrader_group(course),
                "groups": [names.nbgrader_group(course)],
                "scopes": ["list:services", f"read:services!service={course}"],
            }
        )
    roles.append(
        {
            "name": names.ADMIN_SERVICE,
            "services": [names.ADMIN_SERVICE],
            "scopes": ["admin:users", "admin:groups", "list:users"],
        }
    )
    c.JupyterHub.load_roles = roles


def dashboard_server_args(settings: Settings, service: str) -> list[str]:
    """Voila service options: its first notebook as landing page, and kernel culling so a
    closed page's kernel ends within kernel_idle_timeout + 10 s."""
    dashboard = settings["dashboard"]
    return [
        f"--ServerApp.default_url=/voila/render/{DASHBOARD_NOTEBOOKS[service][0]}",
        f"--MappingKernelManager.cull_idle_timeout={dashboard['kernel_idle_timeout']}",
        "--MappingKernelManager.cull_interval=10",
        f"--OwnedKernelManager.per_user_limit={dashboard['kernels_per_user']}",
    ]


def platform_services(settings: Settings, course_ids: list[str]) -> list[dict]:
    """The platform's own services (API, dashboards, formgraders, refresher) as the local hub
    starts them; on Kubernetes each becomes a Deployment (airclass.hub.k8s)."""
    singleuser = settings.runtime_bin("jupyterhub-singleuser")
    services: list[dict] = [
        {
            "name": names.API_SERVICE,
            "url": api_url(settings),
            "command": [settings.runtime_bin("python"), "-m", "airclass.services.completion_api"],
            "user": names.API_USER,
            "cwd": str(settings.platform_db.parent),
            "environment": child_env(settings),
            "display": False,
        }
    ]
    # Offsets: 0 API, 1 dashboard, 2 learning, 10+ one formgrader per course.
    for offset, name in enumerate((names.DASHBOARD_SERVICE, names.LEARNING_SERVICE), start=1):
        services.append(
            {
                "name": name,
                "url": f"http://127.0.0.1:{service_port(settings, offset)}",
                "command": [singleuser, *dashboard_server_args(settings, name)],
                "user": names.DASH_USER,
                # each service serves its own notebooks only (layout.DASHBOARD_NOTEBOOKS)
                "cwd": str(settings.dashboards_dir / name),
                "environment": child_env(
                    settings, JUPYTER_CONFIG_PATH=str(settings.dashboards_dir / "config")
                ),
                "oauth_no_confirm": True,
            }
        )
    for offset, course in enumerate(course_ids, start=10):
        services.append(
            {
                "name": course,
                "url": f"http://127.0.0.1:{service_port(settings, offset)}",
                "command": [
                    singleuser,
                    f"--ServerApp.terminals_enabled={settings['nbgrader']['formgrader_terminals']}",
                ],
                "user": names.grader_account(course),
                "cwd": str(settings.course_root(course)),
                "environment": child_env(
                    settings,
                    reads_settings=False,
                    JUPYTERHUB_DEFAULT_URL="/formgrader",
                    # enables airclass.services.grade_audit (manual grades → audit trail)
                    JUPYTER_CONFIG_PATH=str(layout.formgrader_config_dir(settings)),
                    AIRCLASS_API_URL=api_url(settings),
                ),
                "oauth_no_confirm": True,
            }
        )
    # 结业证书: cadres download theirs; anyone checks a code (reads gradebooks, as airclass-dash).
    services.append(
        {
            "name": names.CERTIFICATE_SERVICE,
            "url": f"http://127.0.0.1:{service_port(settings, 7)}",
            "command": [settings.runtime_bin("python"), "-m", "airclass.learner.certificate_service"],
            "user": names.DASH_USER,
            "cwd": str(settings.dashboards_dir),
            "environment": child_env(settings),
            "oauth_no_confirm": True,
        }
    )
    # Keeps the managers' dashboards warm: rebuilds the progress table and each manager
    # scope's first screen when the data changed (renders then read the cache).
    services.append(
        {
            "name": names.DASHBOARD_REFRESH_SERVICE,
            "command": [
                settings.runtime_bin("python"),
                "-m",
                "airclass.services.dashboard_refresher",
                f"--refresh-every={settings['dashboard']['refresh_every']}",
            ],
            "user": names.DASH_USER,
            "cwd": str(settings.dashboards_dir),
            "environment": child_env(settings),
        }
    )
    return services


def update_services(c: Config, settings: Settings, course_ids: list[str]) -> None:
    services = platform_services(settings, course_ids)
    # The grading service: grades each submission as it arrives (with instant feedback on)
    # and whatever a formgrader's Autograde button asks for. Runs as root: it starts the
    # lanes as grader-<course> and the sandboxes as the pool accounts (grader/sandbox.py).
    services.append(
        {
            "name": names.GRADING_SERVICE,
            "command": [settings.runtime_bin("python"), "-m", "airclass.services.grading_service"],
            "environment": child_env(settings),
        }
    )
    # No process: only a token, for `airclass roster import` to update a running hub.
    services.append({"name": names.ADMIN_SERVICE, "api_token": admin_token(settings)})
    culler = settings["culler"]
    if culler["enabled"]:
        # Its role only with the service: the hub refuses a role naming an undefined service.
        c.JupyterHub.load_roles = [
            *c.JupyterHub.load_roles,
            {
                "name": "idle-culler",
                "services": ["idle-culler"],
                "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
            },
        ]
        services.append(
            {
                "name": "idle-culler",
                "command": [
                    settings.runtime_bin("python"),
                    "-m",
                    "jupyterhub_idle_culler",
                    f"--timeout={culler['timeout']}",
                    f"--cull-every={culler['every']}",
                ],
            }
        )
    c.JupyterHub.services = services


def apply(
    c: Config,
    settings: Settings,
    roster: list[dict],
    courses: dict[str, str],
    external_proxy: bool = False,
) -> Config:
    """`courses`: id → title of the deployed courses; `external_proxy`: see update_base."""
    course_ids = sorted(courses)
    update_base(c, settings, external_proxy)
    c.JupyterHub.template_vars["airclass_course_titles"] = dict(courses)
    update_auth(c, settings, roster)
    update_spawner(c, settings)
    update_groups_and_roles(c, roster, course_ids)
    update_services(c, settings, course_ids)
    return c
