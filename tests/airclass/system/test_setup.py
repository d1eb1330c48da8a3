"""`airclass setup` provisions; the hub config file only reads what setup left. (As root, like
the whole suite: setup creates the service accounts.)"""

from __future__ import annotations

import runpy
import stat

import pytest
from traitlets.config import Config

from airclass.admin.setup import setup
from airclass.core import settings as settings_mod
from airclass.core.settings import Settings, validate
from airclass.system import layout
from tests.paths import REPO

HUB_CONFIG = REPO / "hub_config" / "jupyterhub_config.py"


def make_settings(tmp_path) -> Settings:
    return Settings(validate({"data_dir": str(tmp_path / "data")}), None)


def run_hub_config(settings_file, monkeypatch) -> Config:
    """Execute the hub's config file the way JupyterHub does (get_config in its globals)."""
    monkeypatch.setenv("AIRCLASS_SETTINGS", str(settings_file))
    settings_mod.current.cache_clear()
    c = Config()
    try:
        runpy.run_path(str(HUB_CONFIG), {"get_config": lambda: c, "load_subconfig": lambda _p: None})
    finally:
        settings_mod.current.cache_clear()
    return c


@pytest.fixture
def settings_file(tmp_path):
    path = tmp_path / "airclass.toml"
    path.write_text(f'data_dir = "{tmp_path / "data"}"\n', encoding="utf-8")
    return path


def test_hub_config_refuses_an_unprepared_data_dir_and_creates_nothing(settings_file, tmp_path, monkeypatch):
    with pytest.raises(SystemExit, match="airclass setup"):
        run_hub_config(settings_file, monkeypatch)
    assert not (tmp_path / "data").exists()


def test_setup_is_idempotent_and_then_the_hub_config_only_maps(settings_file, tmp_path, monkeypatch):
    settings = settings_mod.load(settings_file)
    setup(settings, with_runtime=False)
    secrets_before = {n: layout.hub_secret(settings, n) for n in layout.HUB_SECRETS}
    modes = {p: stat.S_IMODE(p.stat().st_mode) for p in (settings.hub_dir, settings.exchange_dir)}
    setup(settings, with_runtime=False)
    assert {n: layout.hub_secret(settings, n) for n in layout.HUB_SECRETS} == secrets_before
    assert {p: stat.S_IMODE(p.stat().st_mode) for p in modes} == modes
    assert modes[settings.hub_dir] == 0o700

    listing = sorted(p.relative_to(tmp_path) for p in (tmp_path / "data").rglob("*"))
    c = run_hub_config(settings_file, monkeypatch)
    assert c.ConfigurableHTTPProxy.auth_token == secrets_before["proxy_token"]
    assert c.JupyterHub.spawner_class == "airclass.hub.spawner.AirclassSpawner"
    # loading the config wrote nothing into the data dir
    assert sorted(p.relative_to(tmp_path) for p in (tmp_path / "data").rglob("*")) == listing


def test_hub_secret_names_the_fix_when_missing(tmp_path):
    with pytest.raises(FileNotFoundError, match="airclass setup"):
        layout.hub_secret(make_settings(tmp_path), "proxy_token")
