"""Database URLs derived from `[database] url` (no driver needed)."""

from airclass.core import dburls
from airclass.core.settings import Settings, validate
from airclass.system import layout

PG = "postgresql://airclass:s%3Ac%40ret@db.internal:5433/airclass"


def test_sqlite_by_default_and_one_schema_each_on_postgresql(tmp_path):
    local = Settings(validate({"data_dir": str(tmp_path)}), None)
    assert local.platform_db_url == f"sqlite:///{tmp_path}/platform/platform.sqlite"
    assert local.gradebook_url("labor-law") == f"sqlite:///{tmp_path}/courses/labor-law/gradebook.db"
    assert dburls.sqlite_path(local.gradebook_url("x")) == tmp_path / "courses" / "x" / "gradebook.db"
    pg = Settings(validate({"data_dir": str(tmp_path), "database": {"url": PG}}), None)
    schemas = [
        dburls.schema_of(u) for u in (pg.hub_db_url, pg.platform_db_url, pg.gradebook_url("labor-law"))
    ]
    assert schemas == ["hub", "platform", "gradebook_labor_law"]
    assert dburls.base_url(pg.gradebook_url("labor-law")) == PG
    assert dburls.sqlite_path(pg.platform_db_url) is None


def test_hub_db_url_setting_still_wins(tmp_path):
    raw = {"data_dir": str(tmp_path), "hub": {"db_url": "postgresql://h@x/hub"}, "database": {"url": PG}}
    assert Settings(validate(raw), None).hub_db_url == "postgresql://h@x/hub"


def test_password_kept_out_of_the_course_config(tmp_path):
    """Trainers read their course's nbgrader_config.py; the password is only in a libpq
    password file the grader account owns."""
    url = dburls.in_schema(PG, "gradebook_x")
    bare, password = dburls.split_password(url)
    assert (
        password == "s:c@ret" and "s%3A" not in bare and bare.startswith("postgresql://airclass@db.internal")
    )
    assert dburls.pgpass_line(url) == "db.internal:5433:airclass:airclass:s\\:c@ret\n"
    settings = Settings(validate({"data_dir": str(tmp_path), "database": {"url": PG}}), None)
    text = layout.course_nbgrader_config(settings, "labor-law")
    assert "c%40ret" not in text and "s:c@ret" not in text
    assert str(layout.gradebook_password_file(settings, "labor-law")) in text
    assert "gradebook_labor_law" in text
    local = Settings(validate({"data_dir": str(tmp_path)}), None)
    assert "PGPASSFILE" not in layout.course_nbgrader_config(local, "labor-law")
