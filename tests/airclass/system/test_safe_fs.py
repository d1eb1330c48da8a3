"""Root's file operations in folders lower accounts write: links are never followed."""

from __future__ import annotations

import os

import pytest

from airclass.system.safe_fs import handoff_file, own_tree

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="chown needs root")


def test_own_tree_changes_real_files_and_never_a_link_target(tmp_path):
    victim = tmp_path / "outside.txt"
    victim.write_text("root's")
    victim.chmod(0o600)
    outside_dir = tmp_path / "outside-dir"
    outside_dir.mkdir(mode=0o700)
    tree = tmp_path / "tree"
    (tree / "sub").mkdir(parents=True)
    (tree / "sub" / "work.txt").write_text("x")
    (tree / "link-to-file").symlink_to(victim)
    (tree / "sub" / "link-to-dir").symlink_to(outside_dir)
    own_tree(tree, 1234, 2345, dir_mode=0o2770, file_mode=0o660)
    work = os.stat(tree / "sub" / "work.txt")
    assert (work.st_uid, work.st_gid, work.st_mode & 0o7777) == (1234, 2345, 0o660)
    assert os.stat(tree / "sub").st_mode & 0o7777 == 0o2770
    for untouched, mode in ((victim, 0o600), (outside_dir, 0o700)):
        info = os.stat(untouched)
        assert (info.st_uid, info.st_mode & 0o777) == (0, mode), untouched


def test_own_tree_of_a_link_does_nothing(tmp_path):
    victim = tmp_path / "victim"
    victim.mkdir(mode=0o700)
    (tmp_path / "link").symlink_to(victim)
    own_tree(tmp_path / "link", 1234, 1234, dir_mode=0o777)
    assert os.stat(victim).st_uid == 0 and os.stat(victim).st_mode & 0o777 == 0o700


def test_handoff_file_is_private_to_the_account_and_removed():
    with handoff_file("a,b\n", 1234, "x.csv") as path:
        info = os.stat(path)
        assert (info.st_uid, info.st_mode & 0o777) == (1234, 0o400)
        assert os.stat(path.parent).st_mode & 0o777 == 0o711 and os.stat(path.parent).st_uid == 0
        assert path.read_text() == "a,b\n"
    assert not path.parent.exists()
