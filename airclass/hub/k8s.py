"""The same platform on Kubernetes, through the Zero to JupyterHub (Z2JH) Helm chart.

One settings file still says everything. From it this module derives, with the functions
that configure the one-machine hub (`hubconfig.update_auth`, `update_groups_and_roles`,
`update_services` for the commands of the services):

* `helm_values(settings, course_ids)` — the chart's values (``airclass k8s values``):
  KubeSpawner with the cadre image and per-cadre CPU/memory guarantees and limits, the hub
  database on PostgreSQL, the hub services, the idle culler, and a ``hub.extraConfig``
  that calls `configure_hub` inside the hub pod;
* `configure_hub(c)` — run by that extraConfig at hub start: loads the mounted settings
  file, reads the roster from the platform DB (PostgreSQL) and applies authentication,
  groups, roles and the spawner exactly as the local hub does (`apply`);
* `platform_manifests(settings, course_ids)` — what the chart does not deploy
  (``airclass k8s manifests``): one Deployment + Service per hub service (completion API,
  manager dashboard, learning page, one formgrader per course), the dashboard refresher,
  and the shared volume claim;
* `grading_job(settings, course_id, assignment_id)` — grading as a Kubernetes Job
  (``airclass k8s grading-job COURSE ASSIGNMENT | kubectl apply -f -``).

Storage decision: one ReadWriteMany volume (NFS, CephFS, a cloud file store) holds what
the one-machine layout keeps under the data dir — the nbgrader exchange, the course roots
(sources, submissions, feedback) and the public lesson copies — mounted at the same
paths, so nbgrader's own exchange, its permissions and every path derived from the
settings stay as they are. ngshare (the exchange service made for Kubernetes) was not
chosen: its last release is from 2022, it replaces nbgrader's exchange with its own
database and API, and it leaves the course roots (which the formgraders, the grading
workers and the dashboards all read) to be shared some other way anyway. What keeps
cadres apart on that volume is what keeps them apart on one machine: their own unix
uid — each cadre's pod runs as ``UID_BASE + <the hub's id of the user>`` (`cadre_uid`),
so nbgrader's write-only inbound and per-owner files work unchanged, and no two cadres
share an identity. Homes are per-cadre dynamic volumes.

Grading scale-out: grading runs in pods, never in the hub — a Job per course and
assignment (`grading_job`), running the same `airclass grade COURSE ASSIGNMENT` as on one
machine. Courses grade in parallel (one Job each); the Job pod mounts only its course root
and the exchange, gets no service-account token and a CPU/memory limit, and may keep only
the capabilities the engine needs to drop to the course's grader account (as `runuser`
does on one machine). A worker Deployment taking single submissions from a queue is the
next step once the grading engine has such a queue; the Job is what exists today.
"""

from __future__ import annotations

import copy
import os
from typing import Any

import yaml
from traitlets.config import Config

from airclass.core import names
from airclass.core.platform_db import PlatformDB
from airclass.core.settings import Settings, current
from airclass.hub import hubconfig
from airclass.hub.spawner import LESSONS_FOLDER
from airclass.system import layout

CHART = "jupyterhub"  # https://hub.jupyter.org/helm-chart/, version 4.x (JupyterHub 5)
CHART_VERSION = "4.2.0"
SERVICE_PORT = 8888
HUB_API_URL = "http://hub:8081/hub/api"  # the chart's hub Service
SETTINGS_SECRET = "airclass-settings"  # kubectl create secret generic … --from-file=airclass.toml
SETTINGS_MOUNT = "/etc/airclass"
UID_BASE = 100000
USERS_GID = 100
GRADER_UID = 20000  # the grading workers and formgraders (one account, one course root each)
DASH_UID = 20001
API_UID = 20002


class KubernetesSettingsError(ValueError):
    """The settings cannot describe a Kubernetes deployment; the message says what to set."""


def check(settings: Settings) -> None:
    if not settings.database_url.startswith("postgresql"):
        raise KubernetesSettingsError(
            f"{settings.source or 'settings'}: [database] url must name a PostgreSQL database on "
            "Kubernetes (hub, platform DB and gradebooks are shared by several pods; SQLite on a "
            "network volume is not safe)"
        )


def image(ref: str) -> dict[str, str]:
    """`registry/name:tag` → the chart's {name, tag}."""
    name, _, tag = ref.rpartition(":")
    if not name or "/" in tag:
        return {"name": ref, "tag": "latest"}
    return {"name": name, "tag": tag}


def resource_name(service: str) -> str:
    """Kubernetes name of a hub service's Deployment and Service."""
    return service if service.startswith("airclass-") else f"airclass-{service}"


def service_url(service: str) -> str:
    return f"http://{resource_name(service)}:{SERVICE_PORT}"


def cadre_uid(spawner) -> int:
    """Each cadre's own uid, stable for as long as the hub knows the user."""
    return UID_BASE + int(spawner.user.id)


# --- the shared volume ----------------------------------------------------------------------


def _sub(settings: Settings, path) -> str:
    return str(os.path.relpath(path, settings.data_dir))


def shared_volume(settings: Settings) -> dict:
    claim = settings["kubernetes"]["shared_volume"]
    return {"name": "airclass-shared", "persistentVolumeClaim": {"claimName": claim}}


def settings_volume() -> dict:
    return {"name": SETTINGS_SECRET, "secret": {"secretName": SETTINGS_SECRET, "defaultMode": 0o440}}


def mount(settings: Settings, path, read_only: bool = False) -> dict:
    """A mount of part of the data dir, from the shared volume, at the same path."""
    return {
        "name": "airclass-shared",
        "mountPath": str(path),
        "subPath": _sub(settings, path),
        "readOnly": read_only,
    }


def settings_mount() -> dict:
    return {"name": SETTINGS_SECRET, "mountPath": SETTINGS_MOUNT, "readOnly": True}


def cadre_mounts(settings: Settings) -> list[dict]:
    """A cadre sees the exchange (nbgrader), the public lessons and the student nbgrader
    config — and nothing of the course roots."""
    return [
        mount(settings, settings.exchange_dir),
        mount(settings, settings.public_dir, read_only=True),
        mount(settings, settings.jupyter_config_dir, read_only=True),
    ]


# --- KubeSpawner ----------------------------------------------------------------------------


IMAGE_LESSONS = "/opt/airclass/lessons"  # baked into the cadre image (Dockerfile.cadre)


def lessons_hook() -> dict:
    """Copy lessons missing from the home (never overwriting a cadre's edits), as the local
    spawner does before each start."""
    target = f"/home/jovyan/{LESSONS_FOLDER}"
    script = f'mkdir -p "{target}" && cp -rn {IMAGE_LESSONS}/. "{target}/"'
    return {"postStart": {"exec": {"command": ["sh", "-c", script]}}}


def kubespawner_traits(settings: Settings) -> dict[str, Any]:
    """KubeSpawner's traits for cadres' servers (the chart's `singleuser` values say the same)."""
    k8s, spawner = settings["kubernetes"], settings["spawner"]
    traits: dict[str, Any] = {
        "image": k8s["cadre_image"],
        "cpu_guarantee": k8s["cpu_guarantee"],
        "cpu_limit": k8s["cpu_limit"],
        "mem_guarantee": k8s["mem_guarantee"],
        "mem_limit": k8s["mem_limit"],
        "default_url": spawner["default_url"],
        "start_timeout": spawner["start_timeout"],
        "http_timeout": spawner["http_timeout"],
        "fs_gid": USERS_GID,
        "storage_pvc_ensure": True,
        "storage_capacity": k8s["home_size"],
        "pvc_name_template": "home-{username}",
        "volumes": [
            {"name": "home", "persistentVolumeClaim": {"claimName": "home-{username}"}},
            shared_volume(settings),
        ],
        "volume_mounts": [{"name": "home", "mountPath": "/home/jovyan"}, *cadre_mounts(settings)],
        "environment": {
            "JUPYTER_CONFIG_PATH": str(settings.jupyter_config_dir),
            "AIRCLASS_API_URL": service_url(names.API_SERVICE),
            "AIRCLASS_PUBLIC_DIR": str(settings.public_dir),
            "LANG": "C.UTF-8",
        },
        "lifecycle_hooks": lessons_hook(),
        "automount_service_account_token": False,
        "allow_privilege_escalation": False,
        "profile_list": [
            {
                "display_name": "空中课堂学习空间",
                "slug": "cadre",
                "description": "中文 JupyterLab：课程、作业与反馈",
                "default": True,
                "kubespawner_override": {
                    "image": k8s["cadre_image"],
                    "cpu_guarantee": k8s["cpu_guarantee"],
                    "cpu_limit": k8s["cpu_limit"],
                    "mem_guarantee": k8s["mem_guarantee"],
                    "mem_limit": k8s["mem_limit"],
                },
            }
        ],
    }
    if k8s["storage_class"]:
        traits["storage_class"] = k8s["storage_class"]
    return traits


def update_kubespawner(c: Config, settings: Settings) -> None:
    c.JupyterHub.spawner_class = "kubespawner.KubeSpawner"
    for name, value in kubespawner_traits(settings).items():
        setattr(c.KubeSpawner, name, copy.deepcopy(value))
    c.KubeSpawner.uid = cadre_uid


# --- services -------------------------------------------------------------------------------


def hub_services(settings: Settings, course_ids: list[str]) -> list[dict]:
    """The hub's services on Kubernetes: the local hub's, each served by its own Deployment
    (so registered by URL, not started by the hub). The refresher talks to no one and the
    idle culler is the chart's own, so neither is registered."""
    services = []
    for entry in hubconfig.platform_services(settings, course_ids):
        name = entry["name"]
        if name == names.DASHBOARD_REFRESH_SERVICE:
            continue
        service = {"name": name}
        if "url" in entry:
            service["url"] = service_url(name)
        for key in ("display", "oauth_no_confirm"):
            if key in entry:
                service[key] = entry[key]
        services.append(service)
    # token only (the chart generates it): `roster import` updates the running hub with it
    services.append({"name": names.ADMIN_SERVICE})
    return services


def apply(c: Config, settings: Settings, roster: list[dict], courses: dict[str, str]) -> Config:
    """The hub's configuration in Kubernetes mode (inside the chart's own jupyterhub_config,
    which already set ports, proxy, database and the services' tokens from the values)."""
    course_ids = sorted(courses)
    c.JupyterHub.template_paths = [str(hubconfig.TEMPLATES)]
    c.JupyterHub.template_vars = {
        "airclass_title": "空中课堂",
        "airclass_names": names.template_names(),
        "airclass_course_titles": dict(courses),
    }
    hubconfig.update_auth(c, settings, roster)
    update_kubespawner(c, settings)
    hubconfig.update_groups_and_roles(c, roster, course_ids)
    registered = {s["name"] for s in hub_services(settings, course_ids)}
    c.JupyterHub.load_roles = [
        role for role in c.JupyterHub.load_roles if set(role.get("services", [])) <= registered
    ]
    return c


def configure_hub(c: Config) -> Config:
    """Called by the chart's ``hub.extraConfig`` (see `helm_values`) in the hub pod."""
    settings = current()
    with PlatformDB(settings.platform_db_url) as db:
        roster = db.people()
    return apply(c, settings, roster, layout.deployed_course_titles(settings))


# --- the chart's values ---------------------------------------------------------------------

EXTRA_CONFIG = "from airclass.hub import k8s\nk8s.configure_hub(c)\n"


def helm_values(settings: Settings, course_ids: list[str]) -> dict:
    """Values for the Zero to JupyterHub chart (``helm upgrade --install airclass jupyterhub/
    jupyterhub --version CHART_VERSION -f values.yaml``)."""
    check(settings)
    k8s, culler = settings["kubernetes"], settings["culler"]
    traits = kubespawner_traits(settings)
    hub_mounts = [
        settings_mount(),
        mount(settings, settings.courses_dir, read_only=True),  # course titles for the home page
        mount(settings, settings.public_dir, read_only=True),
    ]
    values: dict[str, Any] = {
        "hub": {
            "image": image(k8s["hub_image"]),
            "db": {"type": "postgres", "url": settings.hub_db_url},
            "services": {
                s["name"]: {k: v for k, v in s.items() if k != "name"}
                for s in hub_services(settings, course_ids)
            },
            "extraConfig": {"10-airclass": EXTRA_CONFIG},
            "extraEnv": {"AIRCLASS_SETTINGS": f"{SETTINGS_MOUNT}/airclass.toml"},
            "extraVolumes": [settings_volume(), shared_volume(settings)],
            "extraVolumeMounts": hub_mounts,
        },
        "singleuser": {
            "image": image(traits["image"]),
            "defaultUrl": traits["default_url"],
            "startTimeout": traits["start_timeout"],
            "cpu": {"guarantee": traits["cpu_guarantee"], "limit": traits["cpu_limit"]},
            "memory": {"guarantee": traits["mem_guarantee"], "limit": traits["mem_limit"]},
            "fsGid": USERS_GID,
            "extraEnv": dict(traits["environment"]),
            "profileList": copy.deepcopy(traits["profile_list"]),
            "storage": {
                "type": "dynamic",
                "capacity": traits["storage_capacity"],
                "homeMountPath": "/home/jovyan",
                "dynamic": {
                    "pvcNameTemplate": traits["pvc_name_template"],
                    "volumeNameTemplate": "home",
                    "storageAccessModes": ["ReadWriteOnce"],
                },
                "extraVolumes": [shared_volume(settings)],
                "extraVolumeMounts": cadre_mounts(settings),
            },
            "lifecycleHooks": copy.deepcopy(traits["lifecycle_hooks"]),
            "networkPolicy": {"enabled": True},
        },
        "cull": {"enabled": culler["enabled"], "timeout": culler["timeout"], "every": culler["every"]},
        "scheduling": {
            "userScheduler": {"enabled": True},
            "podPriority": {"enabled": True},
            "userPlaceholder": {"enabled": True, "replicas": 4},
        },
        "prePuller": {"hook": {"enabled": True}, "continuous": {"enabled": True}},
        "proxy": {"service": {"type": "ClusterIP"}},
    }
    if k8s["storage_class"]:
        values["singleuser"]["storage"]["dynamic"]["storageClass"] = k8s["storage_class"]
    if k8s["host"]:
        values["ingress"] = {"enabled": True, "hosts": [k8s["host"]]}
    return values


# --- what the chart does not deploy -----------------------------------------------------------


def _labels(component: str) -> dict[str, str]:
    return {"app.kubernetes.io/part-of": "airclass", "app.kubernetes.io/component": component}


def _env(values: dict[str, str]) -> list[dict]:
    return [{"name": k, "value": str(v)} for k, v in sorted(values.items())]


def _service_env(name: str) -> list[dict]:
    """What JupyterHub hands a service it starts, for one it does not: identity, hub URL,
    OAuth client, and the token the chart generated for it (in the chart's `hub` Secret)."""
    prefix = f"/services/{name}/"
    env = _env(
        {
            "JUPYTERHUB_SERVICE_NAME": name,
            "JUPYTERHUB_API_URL": HUB_API_URL,
            "JUPYTERHUB_BASE_URL": "/",
            "JUPYTERHUB_SERVICE_PREFIX": prefix,
            "JUPYTERHUB_SERVICE_URL": f"http://0.0.0.0:{SERVICE_PORT}",
            "JUPYTERHUB_CLIENT_ID": f"service-{name}",
            "JUPYTERHUB_OAUTH_CALLBACK_URL": f"{prefix}oauth_callback",
            "AIRCLASS_SETTINGS": f"{SETTINGS_MOUNT}/airclass.toml",
        }
    )
    token = {"secretKeyRef": {"name": "hub", "key": f"hub.services.{name}.apiToken"}}
    return [*env, {"name": "JUPYTERHUB_API_TOKEN", "valueFrom": token}]


def _pod_spec(
    settings: Settings, command: list[str], env: list[dict], mounts: list[dict], uid: int, **extra
) -> dict:
    hub_image = image(settings["kubernetes"]["hub_image"])
    container = {
        "name": "main",
        "image": f"{hub_image['name']}:{hub_image['tag']}",
        "command": command,
        "env": env,
        "volumeMounts": [settings_mount(), *mounts],
        "securityContext": {"allowPrivilegeEscalation": False, "runAsNonRoot": True},
        **extra,
    }
    return {
        "automountServiceAccountToken": False,
        "securityContext": {"runAsUser": uid, "runAsGroup": USERS_GID, "fsGroup": USERS_GID},
        "containers": [container],
        "volumes": [settings_volume(), shared_volume(settings)],
    }


def _deployment(name: str, component: str, pod: dict, replicas: int = 1) -> dict:
    labels = {**_labels(component), "app.kubernetes.io/name": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "labels": labels},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app.kubernetes.io/name": name}},
            "template": {"metadata": {"labels": labels}, "spec": pod},
        },
    }


def _service(name: str) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "labels": _labels("service")},
        "spec": {
            "selector": {"app.kubernetes.io/name": name},
            "ports": [{"port": SERVICE_PORT, "targetPort": SERVICE_PORT}],
        },
    }


def _service_mounts(settings: Settings, entry: dict, course_ids: list[str]) -> tuple[list[dict], int]:
    """What a hub service may see on the shared volume, and its uid — by the account the
    local hub runs it as (the same account, the same rights)."""
    user, name = entry.get("user"), entry["name"]
    if user == names.API_USER:
        return [mount(settings, settings.public_dir, read_only=True)], API_UID
    if user == names.DASH_USER:
        return [
            mount(settings, settings.dashboards_dir),
            mount(settings, settings.public_dir, read_only=True),
            mount(settings, settings.courses_dir, read_only=True),
        ], DASH_UID
    if name in course_ids and user == names.grader_account(name):  # a formgrader: its course only
        return [
            mount(settings, settings.course_root(name)),
            mount(settings, settings.exchange_dir),
        ], GRADER_UID
    raise KubernetesSettingsError(
        f"service {name!r} (as {user!r}) has no Kubernetes placement in airclass.hub.k8s"
    )


def _local_command(entry: dict, name: str) -> list[str]:
    """The local hub's command for a service, listening where the Kubernetes Service sends."""
    command = list(entry["command"])
    if command[0].endswith("jupyterhub-singleuser"):
        command += ["--ip=0.0.0.0", f"--port={SERVICE_PORT}"]
    return command


def platform_manifests(settings: Settings, course_ids: list[str]) -> list[dict]:
    """Deployments and Services for the hub services, the refresher and the grading
    workers, and the shared volume's claim — from the commands the local hub runs."""
    check(settings)
    k8s = settings["kubernetes"]
    out: list[dict] = [
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"name": k8s["shared_volume"], "labels": _labels("storage")},
            "spec": {
                "accessModes": ["ReadWriteMany"],
                "resources": {"requests": {"storage": "200Gi"}},
                **({"storageClassName": k8s["storage_class"]} if k8s["storage_class"] else {}),
            },
        }
    ]
    for entry in hubconfig.platform_services(settings, course_ids):
        name = entry["name"]
        mounts, uid = _service_mounts(settings, entry, course_ids)
        env = (
            _service_env(name)
            if "url" in entry
            else _env({"AIRCLASS_SETTINGS": f"{SETTINGS_MOUNT}/airclass.toml"})
        )
        extra_env = {
            k: v for k, v in entry.get("environment", {}).items() if k not in ("PATH", "AIRCLASS_SETTINGS")
        }
        pod = _pod_spec(
            settings,
            _local_command(entry, name),
            env + _env(extra_env),
            mounts,
            uid,
            workingDir=entry.get("cwd", "/"),
        )
        kind = "formgrader" if name in course_ids else "service"
        out.append(_deployment(resource_name(name), kind, pod))
        if "url" in entry:
            out.append(_service(resource_name(name)))
    return out


def _grading_resources() -> dict:
    return {"requests": {"cpu": "500m", "memory": "1Gi"}, "limits": {"cpu": "2", "memory": "3Gi"}}


def grading_job(settings: Settings, course_id: str, assignment_id: str) -> dict:
    """One course assignment graded in its own pod (deadline bursts): collect, autograde,
    feedback — `airclass grade COURSE ASSIGNMENT`, as on one machine."""
    check(settings)
    mounts = [mount(settings, settings.course_root(course_id)), mount(settings, settings.exchange_dir)]
    pod = _pod_spec(
        settings,
        ["airclass", "grade", course_id, assignment_id],
        _env({"AIRCLASS_SETTINGS": f"{SETTINGS_MOUNT}/airclass.toml"}),
        mounts,
        GRADER_UID,
        resources=_grading_resources(),
    )
    pod["restartPolicy"] = "Never"
    # The engine drops to the course's grader account itself (runuser), as on one machine.
    pod["securityContext"] = {"runAsUser": 0, "fsGroup": USERS_GID}
    pod["containers"][0]["securityContext"] = {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"], "add": ["SETUID", "SETGID", "CHOWN", "FOWNER", "DAC_OVERRIDE"]},
    }
    name = f"airclass-grade-{course_id}-{assignment_id}".lower()[:63].rstrip("-")
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name, "labels": _labels("grading")},
        "spec": {
            "backoffLimit": 1,
            "activeDeadlineSeconds": 3600,
            "ttlSecondsAfterFinished": 86400,
            "template": {"metadata": {"labels": _labels("grading")}, "spec": pod},
        },
    }


def to_yaml(documents: list[dict]) -> str:
    """YAML documents as kubectl and helm read them (Chinese text kept readable)."""
    return yaml.safe_dump_all(documents, allow_unicode=True, sort_keys=False, width=110)
