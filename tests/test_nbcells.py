"""tests.nbcells: the helpers the course generators share, on hand-built cells."""

import json

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell

from tests.nbcells import KERNELSPEC, nbgrader_cell, python_notebook, write_notebook


def test_nbgrader_cell_writes_schema_3_metadata_and_returns_the_cell():
    cell = new_code_cell("assert f(1) == 2")
    same = nbgrader_cell(cell, "test_f", grade=True, points=2, locked=True)
    assert same is cell
    assert cell.metadata["nbgrader"] == {
        "grade": True,
        "grade_id": "test_f",
        "locked": True,
        "points": 2,
        "schema_version": 3,
        "solution": False,
        "task": False,
    }


def test_nbgrader_cell_defaults_and_task():
    meta = nbgrader_cell(new_markdown_cell("intro"), "intro").metadata["nbgrader"]
    assert not any(meta[key] for key in ("grade", "solution", "locked", "task", "points"))
    task = nbgrader_cell(new_markdown_cell("describe"), "t1", task=True, points=3)
    assert task.metadata["nbgrader"]["task"] is True


def test_python_notebook_kernelspec_is_a_copy():
    nb = python_notebook([new_markdown_cell("# hi")])
    assert nb.metadata == {"kernelspec": KERNELSPEC}
    nb.metadata["kernelspec"]["name"] = "other"
    assert KERNELSPEC["name"] == "python3"
    assert python_notebook([], language_info=True).metadata["language_info"] == {"name": "python"}


def test_write_notebook_strips_outputs_and_numbers_cells(tmp_path):
    run = new_code_cell("print(1)", execution_count=3)
    run.outputs = [nbformat.v4.new_output("stream", text="1\n")]
    nb = python_notebook([new_markdown_cell("# hi"), run])
    path = tmp_path / "sub" / "a.ipynb"
    write_notebook(nb, path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert [c["id"] for c in data["cells"]] == ["cell-00", "cell-01"]
    assert data["cells"][1]["outputs"] == [] and data["cells"][1]["execution_count"] is None
    before = path.read_bytes()
    write_notebook(nbformat.read(path, as_version=4), path)
    assert path.read_bytes() == before  # a rebuild leaves the file as it was


def test_write_notebook_without_ids(tmp_path):
    path = tmp_path / "b.ipynb"
    write_notebook(python_notebook([new_code_cell("x = 1")]), path, cell_ids=False)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["nbformat_minor"] == 4
    assert "id" not in data["cells"][0]
