"""Trainers and managers get no personal server unless the settings allow it."""

import pytest

from airclass.core.platform_db import PlatformDB
from airclass.core.settings import Settings, validate
from airclass.hub import spawner

PEOPLE = [
    dict(user_id=uid, name="测试", city="济南", city_code="3701", union_name="济南市总工会", role=role)
    for uid, role in (("t1", "trainer"), ("m1", "manager"))
]


@pytest.mark.parametrize("user", ["t1", "m1"])
def test_staff_are_refused_before_any_account_is_made(tmp_path, user):
    settings = Settings(validate({"data_dir": str(tmp_path)}), None)
    with PlatformDB(settings.platform_db_url) as db:
        db.upsert_people(PEOPLE)
    with pytest.raises(spawner.NoServerForRole, match="不需要个人学习空间"):
        spawner.prepare_account(settings, user)
