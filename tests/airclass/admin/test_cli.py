"""The `airclass` command line keeps its commands and options (scripts depend on them)."""

from __future__ import annotations

import pytest

from airclass.admin import cli

COMMANDS = [
    ["demo", "--port", "8000", "--data-dir", "/srv/x", "--password", "p"],
    ["setup"],
    ["hub"],
    ["roster", "import", "r.csv", "--dry-run", "--passwords-out", "pw.csv"],
    ["course", "validate", "courses/enrollment"],
    ["course", "deploy", "enrollment", "--courses", "courses"],
    ["course", "release", "enrollment", "a1"],
    ["grade", "enrollment", "a1"],
    ["report", "progress", "--out", "p.xlsx", "--city", "济南", "--course", "enrollment"],
]


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_commands_parse(argv):
    args = cli.build_parser().parse_args(["--settings", "/etc/airclass/airclass.toml", *argv])
    assert callable(args.func)


def test_a_user_error_exits_2_with_one_line(tmp_path, capsys):
    missing = tmp_path / "nope.toml"
    assert cli.main(["--settings", str(missing), "course", "release", "x", "y"]) == 2
    err = capsys.readouterr().err
    assert "nope.toml" in err and "Traceback" not in err
