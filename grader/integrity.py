"""Tamper-proof scoring: detect a submission that interferes with its own tests.

The threat. nbgrader runs the tests in the cadre's own kernel, after the cadre's code, and
scores a test cell by its outputs: no error output means full points. The cadre's code
therefore owns the process the tests run in: it can patch IPython (`run_cell`,
`showtraceback`), rebind builtins (`isinstance = lambda *a: True`), redefine the test helpers
the locked cells define (`_close`), patch library functions the tests call (`math.isclose`),
or reach any of these indirectly (`__import__`, `getattr`, `exec`, `globals()`, `ctypes`).
No check that runs inside that process can be trusted, so scores cannot be made
unforgeable by in-kernel means; they are made *detectably* forged, in two independent layers,
and a detected submission gets 0 automatic points and `needs_manual_grade` on every cell,
so it waits in the formgrader for a trainer, flagged "疑似篡改评分".

1. Static, before anything runs (`check_submission`): every code cell the cadre could edit
   (all but the test and locked cells, which nbgrader restores from the gradebook) is parsed.
   Flagged: imports of the kernel's machinery or of code loaders (IPython, ipykernel, sys,
   builtins, ctypes, gc, inspect, importlib, pickle …) or of modules that do not exist in the
   runtime (a file the cadre wrote at run time); `exec`/`eval`/`compile`/`__import__`/
   `globals`/`vars`/`setattr`/`getattr` with a computed name/`get_ipython`; dunder attribute
   access (`__class__`, `__subclasses__`, `__globals__` …); binding a builtin's name or a
   name defined by a locked cell; assigning an attribute of an imported module. Code that
   does not parse is left to the kernel (a SyntaxError scores nothing). Test cells deleted
   from the submission are flagged "测试单元格被删除" and zeroed too; edited ones are restored
   by nbgrader (flag "测试单元格被修改（已按原样恢复）", no penalty).
2. Canaries at run time (`arm` / `verify`): copies of randomly chosen test cells, each with
   one injected failing assertion on a random nonce, are inserted just before or just after
   the original (at random). A kernel that hides failures hides the canary's too: a canary
   that ran without an AssertionError carrying its nonce flags the submission. Canary outputs
   are removed before scoring.

Limits (stated, not hidden): an attacker who reads this module can write obfuscated code
the parser does not recognise AND patch the kernel to let canary-shaped cells fail while
swallowing the real tests' failures; the per-cell choice and placement of canaries is
random, so such a patch must recognise canaries by their text. Both layers together make
that a deliberate, visible effort — the flagged trail (the notebook is kept as submitted) is
for the trainer. A wrong answer never triggers either layer: honest solutions of every course
are checked in the tests.
"""

from __future__ import annotations

import ast
import builtins
import copy
import importlib.util
import random
import re
import secrets
import sys
from dataclasses import dataclass, field

from IPython.core.inputtransformer2 import TransformerManager
from nbformat.notebooknode import NotebookNode, from_dict
from nbgrader import utils
from nbgrader.api import Gradebook
from nbgrader.preprocessors import ClearHiddenTests

from grader.sandbox import SandboxResult

TAMPERING = "疑似篡改评分"
TESTS_DELETED = "测试单元格被删除"
TESTS_EDITED = "测试单元格被修改（已按原样恢复）"
ZEROING = (TAMPERING, TESTS_DELETED)

FORBIDDEN_MODULES = {
    "IPython", "ipykernel", "jupyter_client", "zmq", "traitlets", "tornado", "nbclient", "nbgrader",
    "sys", "builtins", "ctypes", "cffi", "gc", "inspect", "importlib", "imp", "pkgutil", "runpy",
    "types", "code", "codeop", "dis", "marshal", "pickle", "dill", "cloudpickle", "shelve",
    "copyreg", "sysconfig", "site", "atexit", "faulthandler", "signal", "threading", "_thread",
    "unittest", "pytest", "multiprocessing",
}  # fmt: skip
FORBIDDEN_CALLS = {
    "exec", "eval", "compile", "__import__", "globals", "vars", "locals", "setattr", "delattr",
    "get_ipython", "breakpoint", "open_code",
}  # fmt: skip
FORBIDDEN_ATTRS = {
    "run_cell", "run_cell_async", "showtraceback", "_showtraceback", "showsyntaxerror", "run_code",
    "run_ast_nodes", "events", "ex", "user_ns", "user_global_ns", "displayhook", "excepthook",
    "settrace", "setprofile", "read_pickle", "f_globals", "f_locals", "f_back", "tb_frame",
    "gi_frame", "cr_frame", "modules",
}  # fmt: skip
# Reaching the kernel's machinery through another module's attributes (pd.io.common.sys …).
KERNEL_MODULE_ATTRS = {
    "sys", "builtins", "IPython", "ipykernel", "gc", "inspect", "ctypes", "importlib",
    "get_ipython", "InteractiveShell", "_ih", "_oh", "_dh",
}  # fmt: skip
ALLOWED_MAGIC = re.compile(r"^\s*%matplotlib(\s+\w+)?\s*$")
_TRANSFORMER = TransformerManager()
ALLOWED_DUNDERS = {"__init__", "__name__", "__doc__", "__repr__", "__str__", "__eq__", "__lt__", "__len__"}
BUILTIN_NAMES = set(dir(builtins))


def _is_test(cell) -> bool:
    return utils.is_grade(cell) and not utils.is_solution(cell) and cell.cell_type == "code"


def _restored(cell) -> bool:
    """Cells nbgrader overwrites from the gradebook: the cadre's text there never runs."""
    return _is_test(cell) or utils.is_locked(cell)


def _root_name(node: ast.AST) -> str | None:
    while isinstance(node, ast.Attribute | ast.Subscript):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _bound_names(target: ast.AST) -> list[str]:
    return [n.id for n in ast.walk(target) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)]


def _module_exists(name: str) -> bool:
    top = name.split(".")[0]
    if top in sys.builtin_module_names:
        return True
    try:
        return importlib.util.find_spec(top) is not None
    except (ImportError, ValueError):
        return False


def as_python(cell_source: str) -> str:
    """The Python IPython really runs for a cell: magics and `!` become get_ipython() calls."""
    return _TRANSFORMER.transform_cell(cell_source)


def scan_code(code: str, protected: set[str]) -> list[str]:
    """Reasons this cadre-written code looks like it tampers with grading (empty: none)."""
    code = "\n".join(line for line in code.splitlines() if not ALLOWED_MAGIC.match(line))
    try:
        tree = ast.parse(as_python(code))
    except SyntaxError:
        return []
    reasons: list[str] = []
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
            if isinstance(node, ast.ImportFrom) and node.level:
                reasons.append("relative import")
            for name in names:
                if name.split(".")[0] in FORBIDDEN_MODULES:
                    reasons.append(f"import {name}")
                elif name and not _module_exists(name):
                    reasons.append(f"import of unknown module {name}")
            for alias in node.names:
                bound = alias.asname or alias.name.split(".")[0]
                modules.add(bound)
                if isinstance(node, ast.ImportFrom) and bound in protected | BUILTIN_NAMES:
                    reasons.append(f"rebinds {bound}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in FORBIDDEN_CALLS:
                reasons.append(f"{node.func.id}()")
            elif node.func.id in ("getattr", "hasattr") and not (
                len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
                and isinstance(node.args[1].value, str)
                and not node.args[1].value.startswith("_")
            ):
                reasons.append("getattr with a computed or private name")
        elif isinstance(node, ast.Attribute):
            if node.attr.startswith("__") and node.attr not in ALLOWED_DUNDERS:
                reasons.append(f".{node.attr}")
            elif node.attr in FORBIDDEN_ATTRS or node.attr in KERNEL_MODULE_ATTRS:
                reasons.append(f".{node.attr}")
        elif isinstance(node, ast.Name) and node.id in ("__builtins__", "__loader__", "__spec__"):
            reasons.append(node.id)
    module_level = _module_level_nodes(tree)
    for node in ast.walk(tree):
        targets: list[ast.AST] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            if id(node) in module_level and node.name in protected | BUILTIN_NAMES:
                reasons.append(f"redefines {node.name}")
        elif isinstance(node, ast.For | ast.AsyncFor):
            targets = [node.target]
        elif isinstance(node, ast.With | ast.AsyncWith):
            targets = [item.optional_vars for item in node.items if item.optional_vars is not None]
        elif isinstance(node, ast.Global | ast.Nonlocal):
            reasons += [f"global {n}" for n in node.names if n in protected | BUILTIN_NAMES]
        elif isinstance(node, ast.NamedExpr):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Attribute | ast.Subscript):
                root = _root_name(target)
                if root in modules or root in protected or root in BUILTIN_NAMES:
                    reasons.append(f"assigns into {root}")
                elif root is None and isinstance(target, ast.Attribute):
                    reasons.append("assigns an attribute of a computed object")  # type(x).m = …
            if id(node) not in module_level:
                continue  # a name local to the cadre's own function or comprehension
            for name in _bound_names(target):
                if name in protected or name in BUILTIN_NAMES:
                    reasons.append(f"rebinds {name}")
    # Parameters and names local to the cadre's own functions may shadow builtins harmlessly.
    return list(dict.fromkeys(reasons))


def _module_level_nodes(tree: ast.AST) -> set[int]:
    """ids of the nodes that run at the cell's top level (not inside a def, class, lambda or
    comprehension): only there does binding a name change what the tests see."""
    found: set[int] = set()
    scopes = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda, ast.comprehension)

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            found.add(id(child))
            if not isinstance(child, scopes):
                visit(child)

    visit(tree)
    return found


def _locked_names(cells: list) -> set[str]:
    names: set[str] = set()
    for cell in cells:
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
                for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                    names.update(_bound_names(target))
    return names


def released_text(source: str) -> str:
    """A test cell as the cadre received it (hidden region removed, as generate_assignment does)."""
    cell = from_dict({"cell_type": "code", "source": source, "metadata": {}, "outputs": []})
    ClearHiddenTests(enforce_metadata=False)._remove_hidden_test_region(cell)
    return _norm(cell.source)


def _norm(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def check_submission(nb: NotebookNode, db_url: str, notebook_id: str, assignment: str) -> list[str]:
    """Flags for the notebook as submitted (before nbgrader sanitizes it)."""
    with Gradebook(db_url) as gb:
        source_cells = gb.find_notebook(notebook_id, assignment).source_cells
        trusted = {c.name: (c.source, c.cell_type, c.locked) for c in source_cells}
        tests = {
            c.name for c in gb.find_notebook(notebook_id, assignment).grade_cells if c.cell_type == "code"
        }
        tests -= {c.name for c in gb.find_notebook(notebook_id, assignment).solution_cells}
    present = {
        c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells if "nbgrader" in c.metadata
    }
    flags: list[str] = []
    if tests - set(present):
        flags.append(TESTS_DELETED)
    for name in tests & set(present):
        if _norm(present[name].source) != released_text(trusted[name][0]):
            flags.append(TESTS_EDITED)
            break
    locked_sources = [  # helpers of the locked setup cells (test cells rebind theirs when they run)
        from_dict({"source": src, "cell_type": kind})
        for name, (src, kind, locked) in trusted.items()
        if locked and name not in tests
    ]
    protected = _locked_names([c for c in locked_sources if c.cell_type == "code"])
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in trusted and (grade_id in tests or trusted[grade_id][2]):
            continue  # restored from the gradebook before it runs
        if scan_code(cell.source, protected):
            flags.append(TAMPERING)
            break
    return flags


@dataclass
class Armed:
    nb: NotebookNode
    canaries: dict[int, str] = field(default_factory=dict)  # armed index → nonce
    original_index: dict[int, int] = field(default_factory=dict)  # armed index → index before arming

    def strip(self, cells: dict[int, dict]) -> dict[int, dict]:
        """Reports of the real cells, at their original indices."""
        return {self.original_index[i]: c for i, c in cells.items() if i in self.original_index}


def _canary_source(test_source: str, nonce: str, rng: random.Random) -> str:
    lines = test_source.splitlines() or [""]
    top_level = [
        i for i, line in enumerate(lines) if line and not line[0].isspace() and not line.startswith("#")
    ]
    at = rng.choice(top_level + [len(lines)])
    name = "_" + secrets.token_hex(3)
    injected = [f"{name} = {nonce!r}", f"assert {name} == {nonce[::-1]!r}, {name}"]
    return "\n".join(lines[:at] + injected + lines[at:])


def arm(nb: NotebookNode, count: int = 2) -> Armed:
    """A copy of the sanitized notebook with canary copies of `count` random test cells."""
    rng = random.Random(secrets.randbits(64))
    tests = [i for i, cell in enumerate(nb.cells) if _is_test(cell)]
    chosen = set(rng.sample(tests, min(count, len(tests))))
    armed = copy.deepcopy(nb)
    cells, result = [], Armed(armed)
    for index, cell in enumerate(nb.cells):
        canary = None
        if index in chosen:
            nonce = secrets.token_hex(8)
            canary = from_dict(
                {
                    "cell_type": "code",
                    "metadata": {},
                    "source": _canary_source(cell.source, nonce, rng),
                    "outputs": [],
                    "execution_count": None,
                }
            )
            before = rng.random() < 0.5
        if canary is not None and before:
            result.canaries[len(cells)] = nonce
            cells.append(canary)
        result.original_index[len(cells)] = index
        cells.append(copy.deepcopy(cell))
        if canary is not None and not before:
            result.canaries[len(cells)] = nonce
            cells.append(canary)
    armed.cells = cells
    return result


def verify(armed: Armed, result: SandboxResult) -> list[str]:
    """TAMPERING when a canary ran and showed no error. Any error counts as shown: the
    injected assertion, or an earlier line of the copied test failing on a wrong answer."""
    for index in armed.canaries:
        report = result.cells.get(index)
        if report is None:
            continue  # never reached (a limit stopped the run): nothing to conclude
        if not any(isinstance(o, dict) and o.get("output_type") == "error" for o in report["outputs"]):
            return [TAMPERING]
    return []


def zeroes_scores(flags: list[str]) -> bool:
    return any(flag in ZEROING for flag in flags)
