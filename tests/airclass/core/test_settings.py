import pytest

from airclass.core.settings import DEFAULTS, SettingsError, load, validate


def test_defaults_are_embedded_sqlite_and_local(monkeypatch):
    monkeypatch.delenv("AIRCLASS_SETTINGS", raising=False)
    settings = load(None)
    assert settings.hub_db_url == f"sqlite:///{settings.hub_dir / 'jupyterhub.sqlite'}"
    assert settings["auth"]["type"] == "native"


def test_loading_does_not_mutate_defaults():
    merged = validate({"hub": {"admin_users": ["boss"]}})
    merged["hub"]["admin_users"].append("other")
    assert DEFAULTS["hub"]["admin_users"] == []


def test_file_values_override_defaults(tmp_path):
    path = tmp_path / "airclass.toml"
    path.write_text('data_dir = "/srv/x"\n[hub]\nport = 9000\n', encoding="utf-8")
    settings = load(path)
    assert settings.data_dir.as_posix() == "/srv/x"
    assert settings["hub"]["port"] == 9000
    assert settings["hub"]["hub_port"] == DEFAULTS["hub"]["hub_port"]
    assert settings.course_root("labor-law").as_posix() == "/srv/x/courses/labor-law"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("[hub]\nport = 'eighty'\n", "hub.port: 'eighty' is not of type 'integer'"),
        ("[hub]\nprot = 80\n", "hub: Additional properties are not allowed ('prot' was unexpected)"),
        ("[auth]\ntype = 'ldap'\n", "auth.type: 'ldap' is not allowed; use one of ['native', 'oauth']"),
        ("data_dir = 'relative/path'\n", "data_dir: 'relative/path' does not match '^/'"),
        ("[auth]\ntype = 'oauth'\n", "auth.oauth is missing client_id, authorize_url"),
        ("[hub\nport = 1\n", "not valid TOML"),
    ],
)
def test_bad_settings_name_file_and_field(tmp_path, text, expected):
    path = tmp_path / "airclass.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError) as err:
        load(path)
    assert str(path) in str(err.value)
    assert expected in str(err.value)


def test_env_variable_selects_the_file(tmp_path, monkeypatch):
    path = tmp_path / "a.toml"
    path.write_text("[hub]\nport = 8123\n", encoding="utf-8")
    monkeypatch.setenv("AIRCLASS_SETTINGS", str(path))
    assert load()["hub"]["port"] == 8123


def test_nbgrader_timeout_reaches_the_course_config(tmp_path):
    from airclass.core.settings import Settings
    from airclass.system.layout import course_nbgrader_config

    settings = Settings(validate({"data_dir": str(tmp_path), "nbgrader": {"execute_timeout": 45}}), None)
    config = course_nbgrader_config(settings, "labor-law")
    assert "c.ExecutePreprocessor.timeout = 45\n" in config
    assert f"c.CourseDirectory.root = '{tmp_path}/courses/labor-law'" in config


def test_city_targets_are_checked_against_the_16_cities(tmp_path):
    path = tmp_path / "airclass.toml"
    path.write_text('[dashboard.city_targets]\n"济南" = 0.9\n"莱芜" = 0.7\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="莱芜"):
        load(path)
    path.write_text(
        '[dashboard]\ncompletion_target = 0.75\n[dashboard.city_targets]\n"济南" = 0.9\n', encoding="utf-8"
    )
    dashboard = load(path)["dashboard"]
    assert dashboard == {
        "completion_target": 0.75,
        "city_targets": {"济南": 0.9},
        "refresh_every": 30,
        "kernel_idle_timeout": 45,
        "kernels_per_user": 3,
    }
