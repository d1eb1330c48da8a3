"""Per-cadre cgroups: limits written where the kernel reads them (v1 and v2 layouts)."""

from airclass.system import limits


def test_v2_limits_and_oom_count(tmp_path):
    (tmp_path / "cgroup.controllers").write_text("cpu memory\n")
    (tmp_path / "cgroup.subtree_control").write_text("")
    dirs = limits.prepare("jn0001", 1 << 30, 1.5, root=tmp_path)
    group = tmp_path / "airclass" / "jn0001"
    assert dirs == [group]
    assert (group / "memory.max").read_text() == str(1 << 30)
    assert (group / "cpu.max").read_text() == "150000 100000"
    (group / "memory.events").write_text("low 0\nhigh 0\nmax 4\noom 1\noom_kill 1\n")
    assert limits.oom_kills("jn0001", root=tmp_path) == 1


def test_v1_limits_join_and_oom_count(tmp_path):
    dirs = limits.prepare("jn0001", 512 << 20, 1.0, root=tmp_path)
    memory, cpu = tmp_path / "memory" / "airclass" / "jn0001", tmp_path / "cpu" / "airclass" / "jn0001"
    assert dirs == [memory, cpu]
    assert (memory / "memory.limit_in_bytes").read_text() == str(512 << 20)
    assert (cpu / "cpu.cfs_quota_us").read_text() == "100000"
    limits.join(dirs, pid=4242)
    assert limits.members("jn0001", root=tmp_path) == {4242}
    (memory / "memory.oom_control").write_text("oom_kill_disable 0\nunder_oom 0\noom_kill 2\n")
    assert limits.oom_kills("jn0001", root=tmp_path) == 2


def test_unwritable_cgroups_are_a_clear_error(tmp_path):
    root = tmp_path / "ro"
    root.write_text("not a directory")
    try:
        limits.prepare("jn0001", 1 << 30, 1.0, root=root)
    except limits.LimitError as exc:
        assert "spawner.mem_limit" in str(exc)
    else:
        raise AssertionError("limits that cannot be enforced must not pass silently")


def test_remove_drops_empty_groups_and_keeps_busy_ones(tmp_path):
    (tmp_path / "memory" / "airclass" / "gone").mkdir(parents=True)
    (tmp_path / "cpu" / "airclass" / "gone").mkdir(parents=True)
    limits.remove("gone", root=tmp_path, wait=0)
    assert not (tmp_path / "memory" / "airclass" / "gone").exists()
    busy = tmp_path / "memory" / "airclass" / "busy"
    busy.mkdir(parents=True)
    (busy / "cgroup.procs").write_text("4242")  # a real cgroup cannot be removed while used
    limits.remove("busy", root=tmp_path, wait=0.3)
    assert busy.exists()
