"""Issue 9, finding 7: passwords never on a command line; demo personal data private."""

from __future__ import annotations

import pytest

from airclass.admin import cli
from airclass.admin.demo import demo_roster, write_private_roster


def test_demo_roster_file_is_private_even_if_it_existed(tmp_path):
    path = tmp_path / "demo-roster.csv"
    path.write_text("old")
    path.chmod(0o644)
    write_private_roster(path, demo_roster(["c1"]))
    assert path.stat().st_mode & 0o777 == 0o600
    assert "cadre48" in path.read_text(encoding="utf-8-sig")


def test_roster_import_takes_no_password_argument(capsys):
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["roster", "import", "r.csv", "--initial-password", "secret-1"])
    assert "unrecognized arguments" in capsys.readouterr().err


def test_initial_password_comes_from_a_file_or_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv(cli.INITIAL_PASSWORD_ENV, raising=False)
    assert cli._initial_password(None) is None
    secret = tmp_path / "pw.txt"
    secret.write_text("from-a-file-9\n")
    assert cli._initial_password(str(secret)) == "from-a-file-9"
    monkeypatch.setenv(cli.INITIAL_PASSWORD_ENV, "from-the-env-9")
    assert cli._initial_password(None) == "from-the-env-9"
    (tmp_path / "empty.txt").write_text("\n")
    with pytest.raises(ValueError, match="empty"):
        cli._initial_password(str(tmp_path / "empty.txt"))
