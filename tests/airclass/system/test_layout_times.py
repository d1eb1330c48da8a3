"""The formgrader shows deadlines and submission times in Beijing time, not UTC."""

from airclass.core.settings import Settings, validate
from airclass.system.layout import course_nbgrader_config


def test_formgrader_displays_beijing_time(tmp_path):
    config = course_nbgrader_config(Settings(validate({"data_dir": str(tmp_path)}), None), "labor-law")
    assert "c.NbGraderAPI.timezone = 'Asia/Shanghai'" in config
    assert "c.NbGraderAPI.timestamp_format = '%Y-%m-%d %H:%M'" in config
    assert "Exchange.timezone" not in config, "exchange timestamps stay UTC (what the pages parse)"
