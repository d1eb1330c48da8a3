"""Account, group and service names are spelled once, in airclass.core.names.

Scans the code of both packages and the hub config for string literals that spell one
of those names (docstrings and log text aside), so a rename cannot miss a copy.
"""

from __future__ import annotations

import ast

import pytest

from airclass.core import names
from tests.paths import REPO

EXACT = {
    names.DASH_USER,
    names.API_USER,
    names.ADMIN_SERVICE,
    names.DASHBOARD_REFRESH_SERVICE,
    *names.ROLE_GROUPS.values(),
}
PREFIXES = (names.FORMGRADE_PREFIX, names.NBGRADER_PREFIX, *names.SYSTEM_ACCOUNT_PREFIXES)


def code_files():
    files = [
        *REPO.glob("airclass/**/*.py"),
        *REPO.glob("grader/**/*.py"),
        REPO / "hub_config" / "jupyterhub_config.py",
    ]
    return [f for f in files if f.name != "names.py"]


def docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            if isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def spelled_names(path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):  # judged as a whole below
            skip.update(id(v) for v in node.values)
    hits = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            if node.value in EXACT or node.value in PREFIXES:
                hits.append(f"{path.name}:{node.lineno}: {node.value!r}")
        elif isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
            if str(node.values[0].value).startswith(PREFIXES):
                hits.append(f"{path.name}:{node.lineno}: f{node.values[0].value!r}…")
    return hits


def test_the_scan_finds_a_spelled_name(tmp_path):
    planted = tmp_path / "planted.py"
    planted.write_text(
        '"""formgrade- in a docstring is fine."""\nGROUP = f"formgrade-{1}"\nUSER = "airclass-dash"\n',
        encoding="utf-8",
    )
    assert len(spelled_names(planted)) == 2


@pytest.mark.parametrize("path", code_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_names_are_spelled_only_in_names_module(path):
    assert spelled_names(path) == []
