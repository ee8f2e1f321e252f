"""The course notebooks as a whole: unfilled exercises fail every check as "not attempted" and
nothing else; solutions pass every check; ``nncourse execute`` is reproducible and loud.

(nbval also runs lessons/ and solutions/ live through pytest's testpaths; exercises/ is not
collected by nbval, because its checks fail by design: this file runs it instead.)
"""

import contextlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook, new_output

from coursetools.execute import (
    WIDGET_TEXT,
    ExecutionFailed,
    execute_notebook,
    kernel_manager,
    normalise,
)
from coursetools.notebooks import KERNELSPEC, exercise_of

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = sorted((ROOT / "exercises").glob("*.ipynb"))
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))


def checks_of(nb):
    return [c for c in nb.cells
            if c.cell_type == "code" and exercise_of(c) and exercise_of(c)["role"] == "check"]


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.name)
def test_unfilled_exercises_fail_every_check_as_not_attempted_and_nothing_else(path):
    """Run top to bottom as Run All does: ``allow_errors=False`` stops at any failing cell that
    is not tagged raises-exception, so this also shows that every failing check lets the run go
    on to the score table, which counts each failure as not attempted."""
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, km=kernel_manager(), allow_errors=False, timeout=120,
                   resources={"metadata": {"path": str(path.parent)}}).execute(cleanup_kc=True)
    checks = checks_of(nb)
    assert checks, f"{path.name} has no check cells"
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        if cell in checks:
            eid = exercise_of(cell)["id"]
            assert len(errors) == 1, f"{eid}: the unfilled check did not fail"
            assert errors[0].ename == "NotAttempted", f"{eid}: {errors[0].evalue}"
            [line] = errors[0].traceback
            assert line.startswith(f"… {eid}: not attempted yet; "), line
        else:
            assert not errors, (f"{path.name}, cell {cell.get('id')}: "
                                f"{errors[0].ename}: {errors[0].evalue}")
    last = [c for c in nb.cells if c.cell_type == "code"][-1]
    table = "".join(o.get("text", "") for o in last.outputs if o.output_type == "stream")
    assert "summary(" in last.source and table.splitlines()[-1].startswith("total"), table
    for cell in checks:
        eid = exercise_of(cell)["id"]
        assert re.search(rf"^{re.escape(eid)} +… not attempted +0/", table, re.M), (eid, table)


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.name)
def test_solutions_are_committed_executed_with_every_check_passing(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.execution_count is not None, f"{path.name} is not committed executed"
            assert not [o for o in cell.outputs if o.output_type == "error"], cell.get("id")
    for cell in checks_of(nb):
        meta = exercise_of(cell)
        text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        unit = "point" if meta["points"] == 1 else "points"
        assert f"✓ {meta['id']} ({meta['points']} {unit})" in text, (path.name, meta["id"])


# --------------------------------------------------------------------------- nncourse execute
def test_executing_a_lesson_twice_gives_identical_bytes(tmp_path):
    (tmp_path / "lessons").mkdir()
    (tmp_path / "data").symlink_to(ROOT / "data")
    target = tmp_path / "lessons" / "00_welcome.ipynb"
    shutil.copy(ROOT / "lessons" / "00_welcome.ipynb", target)
    execute_notebook(target)
    first = target.read_bytes()
    assert execute_notebook(target) is False  # nothing changed: the file is not rewritten
    assert target.read_bytes() == first
    nb = nbformat.reads(first.decode(), as_version=4)
    assert any("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code"
               for o in c.outputs), "the lesson's figure is missing"
    assert "widgets" not in nb.metadata  # no widget state: no slider that moves without a kernel
    assert not any("application/vnd.jupyter.widget-view+json" in o.get("data", {})
                   for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert nb.metadata["kernelspec"] == KERNELSPEC  # what JupyterLab writes: opens unmodified
    assert all(c.get("execution") is None for c in nb.cells)


def test_execute_shuts_down_each_kernel_it_starts(tmp_path):
    """``nncourse execute`` over many notebooks must not keep one kernel per notebook alive."""
    def kernels():  # ipykernel processes started by this one, alive (not zombies)
        found = set()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError):
                fields = stat.read_text().rsplit(")", 1)[1].split()
                cmdline = (stat.parent / "cmdline").read_bytes()
                if (fields[0] != "Z" and int(fields[1]) == os.getpid()
                        and b"ipykernel" in cmdline):
                    found.add(int(stat.parent.name))
        return found

    if not Path("/proc/self/stat").exists():
        pytest.skip("needs Linux's /proc")
    before = kernels()
    path = tmp_path / "tiny.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("x = 1", id="a")]), path)
    execute_notebook(path)
    execute_notebook(path)
    assert kernels() - before == set()


def test_an_error_stops_execution_loudly_and_leaves_the_file_unchanged(tmp_path):
    nb = new_notebook(cells=[new_code_cell("x = 1", id="a"), new_code_cell("1 / 0", id="b")])
    path = tmp_path / "broken.ipynb"
    nbformat.write(nb, path)
    before = path.read_bytes()
    with pytest.raises(ExecutionFailed, match=r"cell 2 \(id b\) raised an error") as info:
        execute_notebook(path)
    assert "ZeroDivisionError" in str(info.value)
    assert path.read_bytes() == before
    cli = subprocess.run([sys.executable, "-m", "coursetools.cli", "execute", str(path)],
                         capture_output=True, text=True)
    assert cli.returncode == 1 and "ZeroDivisionError" in cli.stderr


def test_normalise_drops_widget_state_masks_addresses_and_merges_streams():
    """A widget is kept as its text form: a course explorer's sentence as it is, a plain
    ipywidgets repr replaced by the generic one; the state and the widget view are dropped."""
    view = {"model_id": "b" * 32, "version_major": 2, "version_minor": 0}
    cell = new_code_cell("w", id="w", outputs=[
        new_output("stream", name="stdout", text="<function f at 0x7f3a12345678>\n"),
        new_output("stream", name="stdout", text="more\n"),
        new_output("display_data", data={"application/vnd.jupyter.widget-view+json": view,
                                         "text/plain": "VBox(children=(IntSlider(),))"}),
        new_output("display_data", data={"application/vnd.jupyter.widget-view+json": view,
                                         "text/plain": "[interactive explorer: run ...]"}),
    ])
    nb = new_notebook(cells=[cell])
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    normalise(nb)
    outputs = nb.cells[0].outputs
    assert len(outputs) == 3 and outputs[0].text == "<function f at 0x...>\nmore\n"
    assert outputs[1].data == {"text/plain": WIDGET_TEXT}
    assert outputs[2].data == {"text/plain": "[interactive explorer: run ...]"}
    assert "widgets" not in nb.metadata
