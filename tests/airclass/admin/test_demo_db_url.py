"""`airclass demo --db-url`: the demo's settings put every database on PostgreSQL."""

from airclass.admin import cli
from airclass.admin.demo import write_settings
from airclass.core import dburls
from airclass.core.settings import load

PG = "postgresql://demo:pw@127.0.0.1:5432/airclass_demo"


def test_demo_settings_carry_the_database_url(tmp_path):
    settings = load(write_settings(tmp_path, 8000, PG))
    assert settings.database_url == PG
    assert dburls.schema_of(settings.hub_db_url) == "hub"
    assert dburls.schema_of(settings.gradebook_url("labor-law")) == "gradebook_labor_law"
    assert load(write_settings(tmp_path, 8000)).platform_db_url.startswith("sqlite:///")


def test_demo_accepts_db_url_option():
    args = cli.build_parser().parse_args(["demo", "--db-url", PG, "--port", "8123"])
    assert args.db_url == PG and args.func is cli.cmd_demo
