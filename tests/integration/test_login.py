"""NativeAuthenticator through the real hub: Chinese login page, login, lockout."""

import pytest

from tests.integration.conftest import PASSWORD

pytestmark = pytest.mark.integration


def test_login_page_is_chinese(classroom):
    page = classroom.user("anyone").web.get(classroom.base_url + "/hub/login", timeout=30)
    assert page.status_code == 200
    assert "空中课堂" in page.text and "学员编号" in page.text


def test_roster_user_logs_in_and_wrong_password_fails(classroom):
    good = classroom.user("it-cadre2")
    assert good.login(PASSWORD).status_code == 302 and good.logged_in()
    bad = classroom.user("it-cadre2")
    reply = bad.login("not-the-password")
    assert reply.status_code == 200 and "学员编号或密码错误" in reply.text
    assert not bad.logged_in()


def test_unknown_user_cannot_log_in(classroom):
    stranger = classroom.user("it-nobody")
    assert stranger.login(PASSWORD).status_code != 302
    assert not stranger.logged_in()


def test_lockout_after_repeated_failures(classroom):
    # Settings: allowed_failed_logins = 3, seconds_before_next_try = 600.
    victim = classroom.user("it-locked")
    for _ in range(3):
        assert victim.login("wrong-password").status_code != 302
    locked = classroom.user("it-locked")
    assert locked.login(PASSWORD).status_code != 302, "the right password is refused while locked"
    assert not locked.logged_in()
    # The control case: the same right password works for an account that is not locked.
    assert classroom.user("it-trainer-b").login(PASSWORD).status_code == 302


def test_signup_page_is_chinese(classroom):
    page = classroom.user("anyone").web.get(classroom.base_url + "/hub/signup", timeout=30)
    assert page.status_code == 200 and "设置密码" in page.text
