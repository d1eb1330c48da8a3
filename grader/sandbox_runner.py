"""Runs INSIDE the grading sandbox, as a throwaway account: execute one notebook, report cells.

    python -m grader.sandbox_runner --timeout 120 < notebook.json

Reads one notebook on stdin and runs it top to bottom in a fresh python3 kernel with nbclient,
set up as nbgrader's `Execute` preprocessor sets it up (allow errors, interrupt on timeout, a
`CellTimeoutError` output on timeout, an error output when the kernel replied "error" but
printed none). nbgrader itself is not imported here: it costs ~2 s of CPU per notebook.
One JSON line per executed cell goes to stdout as soon as the cell finishes — so a run
stopped by a limit still reports what ran. Ends with {"done": true}, or {"dead": "..."}
when the kernel died.

Nothing this process says is trusted: the cadre's code runs as the same account and can
rewrite it. The grader takes only outputs from here and puts them on its own copy of the
notebook (see grader/sandbox.py).
"""

from __future__ import annotations

import argparse
import json
import os
import sys

# jsonschema's optional URI checker compiles a grammar on import (~1-2 s per notebook);
# nbformat's schemas use no URI formats (cf. airclass/core/settings.py).
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
os.environ.setdefault("NBFORMAT_VALIDATOR", "fastjsonschema")

import nbformat  # noqa: E402
from nbclient import NotebookClient  # noqa: E402
from nbclient.exceptions import DeadKernelError  # noqa: E402
from nbformat.notebooknode import NotebookNode  # noqa: E402
from traitlets.config import Config  # noqa: E402

_report = sys.stdout


def emit(message: dict) -> None:
    _report.write(json.dumps(message, ensure_ascii=False) + "\n")
    _report.flush()


def _keep_stdout_private() -> None:
    """Report on a private copy of stdout; the kernel (our child) gets /dev/null on 1 and 2."""
    global _report
    _report = os.fdopen(os.dup(1), "w", encoding="utf-8")  # os.dup: not inherited by children
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)


class StreamingClient(NotebookClient):
    """nbclient with nbgrader's execute settings, reporting each cell as soon as it has run."""

    def __init__(self, nb, timeout: int, **kwargs):
        super().__init__(
            nb,
            timeout=timeout,
            interrupt_on_timeout=True,
            allow_errors=True,
            raise_on_iopub_timeout=True,
            error_on_timeout={
                "ename": "CellTimeoutError",
                "evalue": "",
                "traceback": ["CellTimeoutError: No reply from kernel before timeout"],
            },
            on_cell_executed=self._cell_executed,
            # Every cell is reported already: kill the kernel instead of waiting for a
            # graceful shutdown (the sandbox is torn down right after anyway).
            shutdown_kernel="immediate",
            **kwargs,
        )

    def _cell_executed(self, cell, cell_index, execute_reply, **_):
        content = execute_reply.get("content", {}) if execute_reply else {}
        if content.get("status") == "error":
            # as nbgrader's Execute.on_cell_executed: an error reply without an error
            # output (showtraceback disabled or patched) still counts as an error
            recorded = any(
                o.get("output_type") == "error" and o.get("ename") == content.get("ename")
                for o in cell.outputs
            )
            if not recorded:
                cell.outputs.append(
                    NotebookNode(
                        output_type="error",
                        ename=content.get("ename", ""),
                        evalue=content.get("evalue", ""),
                        traceback=content.get("traceback") or ["ERROR: showtraceback was disabled"],
                    )
                )
        emit(
            {
                "cell": cell_index,
                "outputs": cell.get("outputs", []),
                "execution_count": cell.get("execution_count"),
            }
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--timeout", type=int, default=120)
    args = parser.parse_args(argv)
    nb = nbformat.reads(sys.stdin.read(), as_version=4)
    _keep_stdout_private()
    config = Config()
    config.KernelManager.transport = "ipc"  # no network inside the sandbox; sockets in cwd
    client = StreamingClient(
        nb, args.timeout, config=config, kernel_name="python3", resources={"metadata": {"path": os.getcwd()}}
    )
    try:
        client.execute()
    except DeadKernelError as exc:
        emit({"dead": str(exc)[:500]})
        return 0
    emit({"done": True})
    return 0


if __name__ == "__main__":
    sys.exit(main())
