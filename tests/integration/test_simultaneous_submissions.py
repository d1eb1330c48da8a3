"""48 cadres submit the same assignment at the same moment through the real nbgrader
exchange, each as their own unix account (what the Assignments tab runs): every submission is
collected exactly once, none is mixed up with another cadre's, all are graded — also when the
first grading run is killed halfway and run again."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from airclass.admin.roster_import import import_roster
from airclass.hub.spawner import prepare_account
from airclass.system import accounts
from tests.integration.conftest import PASSWORD, write_roster

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # 48 accounts, 48 autogrades: minutes

COUNT = 48
NAMES = [f"it-sub{i:02d}" for i in range(1, COUNT + 1)]
CORRECT = "def monthly_dues(wage):\n    return round(wage * 0.005, 2)\n"
WRONG = "def monthly_dues(wage):\n    return 0\n"

# Runs as the cadre: import nbgrader first (the slow part), say so, wait for "go", submit.
SUBMITTER = """
import sys
from nbgrader.apps.submitapp import SubmitApp
print("ready", flush=True)
sys.stdin.readline()
import time
start = time.time()
try:
    SubmitApp.launch_instance(["hw1", "--course", "itbasics"])
except SystemExit as exc:
    code = exc.code or 0
else:
    code = 0
print(f"done {start:.6f} {time.time():.6f}", flush=True)
sys.exit(code)
"""


def answer_for(name: str) -> str:
    return CORRECT if int(name[-2:]) % 2 == 0 else WRONG


def cadre_env(classroom, name: str, token: str) -> dict[str, str]:
    settings = classroom.settings
    return {
        "PATH": f"{settings.runtime_prefix / 'bin'}:/usr/bin:/bin",
        "HOME": f"/home/{name}",
        "LANG": "C.UTF-8",
        "JUPYTER_CONFIG_PATH": str(settings.jupyter_config_dir),
        "JUPYTERHUB_USER": name,
        "JUPYTERHUB_API_TOKEN": token,
        "JUPYTERHUB_API_URL": f"http://127.0.0.1:{settings['hub']['hub_port']}/hub/api",
    }


def as_cadre(name: str, env: dict[str, str], args: list[str], **kwargs) -> subprocess.Popen:
    env_args = [f"{k}={v}" for k, v in env.items()]
    return subprocess.Popen(
        ["runuser", "-u", name, "--", "env", "-i", *env_args, *args], cwd=f"/home/{name}", **kwargs
    )


@pytest.fixture(scope="module")
def cadres(classroom):
    rows = [(n, f"并发学员{n[-2:]}", "济南", "济南市总工会", "学员", "itbasics", "") for n in NAMES]
    roster = write_roster(classroom.settings.data_dir / "sub-roster.csv", rows)
    try:
        import_roster(classroom.settings, roster, initial_password=PASSWORD)
        for name in NAMES:  # what the spawner does before a first start
            prepare_account(classroom.settings, name)
        tokens = {}
        for name in NAMES:
            user = classroom.user(name)
            assert user.login(PASSWORD).status_code == 302
            tokens[name] = user.make_token()
        yield tokens
    finally:
        for name in NAMES:
            accounts.delete_user(name)


def fetch_and_answer(classroom, name: str, token: str) -> None:
    proc = as_cadre(
        name,
        cadre_env(classroom, name, token),
        ["nbgrader", "fetch_assignment", "hw1", "--course", "itbasics"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    out, _ = proc.communicate(timeout=300)
    path = Path(f"/home/{name}/itbasics/hw1/dues.ipynb")
    assert proc.returncode == 0 and path.is_file(), out.decode()
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if grade_id == "dues":
            cell["source"] = answer_for(name)
        elif grade_id == "why_dues":
            cell["source"] = f"我是{name}：按工资比例缴纳，量力负担，体现公平。"
    path.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")


def airclass(classroom, *args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "airclass.admin.cli", "--settings", str(classroom.settings.source), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def test_48_cadres_submit_in_the_same_second(classroom, cadres):
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda n: fetch_and_answer(classroom, n, cadres[n]), NAMES))

    procs = {
        name: as_cadre(
            name,
            cadre_env(classroom, name, cadres[name]),
            ["python", "-c", SUBMITTER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in NAMES
    }
    for proc in procs.values():
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
    for proc in procs.values():  # go: all at once
        proc.stdin.write("go\n")
        proc.stdin.flush()
    starts, ends = [], []
    for name, proc in procs.items():
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, f"{name}: {err}"
        _, start, end = out.strip().splitlines()[-1].split()
        starts.append(float(start))
        ends.append(float(end))
    print(
        f"\n{COUNT} submissions started within {max(starts) - min(starts):.3f} s, "
        f"all done {max(ends) - min(starts):.2f} s after the first started"
    )
    assert max(starts) - min(starts) < 1.0, "the submissions did not start in the same second"

    inbound = classroom.settings.exchange_dir / "itbasics" / "inbound"
    for name in NAMES:
        mine = [p for p in inbound.iterdir() if p.name.startswith(f"{name}+hw1+")]
        assert len(mine) == 1, f"{name}: {len(mine)} submissions in the exchange"

    # Grading killed halfway (an admin's Ctrl-C, a crash), then run again.
    first = airclass(classroom, "grade", "itbasics", "hw1", start_new_session=True)
    time.sleep(20)
    if first.poll() is None:
        os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    second = airclass(classroom, "grade", "itbasics", "hw1")
    _, err = second.communicate(timeout=1800)
    assert second.returncode == 0, err

    root = classroom.settings.course_root("itbasics")
    with Gradebook(classroom.settings.gradebook_url("itbasics")) as gb:
        assignment = gb.find_assignment("hw1")
        subs = [s for s in assignment.submissions if s.student.id in NAMES]
        assert sorted(s.student.id for s in subs) == NAMES, "each cadre collected exactly once"
        for sub in subs:
            expected = 2.0 if answer_for(sub.student.id) == CORRECT else 0.0
            assert sub.code_score == expected, f"{sub.student.id}: {sub.code_score} != {expected}"
            assert sub.needs_manual_grade, "the written answer waits for the trainer"
    for name in NAMES:
        submitted = root / "submitted" / name / "hw1" / "dues.ipynb"
        autograded = root / "autograded" / name / "hw1" / "dues.ipynb"
        assert autograded.is_file(), f"{name} not graded"
        for path in (submitted, autograded):
            text = path.read_text(encoding="utf-8")
            assert f"我是{name}：" in text, f"{path} does not hold {name}'s own answer"
            others = [n for n in NAMES if n != name and f"我是{n}：" in text]
            assert not others, f"{path} holds answers of {others}"
