"""Execute notebooks in place, so that re-running an unchanged notebook gives identical bytes.

``nncourse execute lessons/03_activations.ipynb solutions/03_activations.ipynb`` runs each notebook
top to bottom on a fresh ``python3`` kernel of this environment, in the notebook's own folder, and
writes it back. Any cell error stops the command with the notebook, the cell and the error (the
file is then left untouched); a cell that must fail on purpose carries the ``raises-exception`` tag.

What changes from run to run is normalised before writing:

* widget model ids (random UUIDs) in outputs and in the saved widget state are renumbered in
  the order they are first reached, and the state is written in that order;
* memory addresses in text outputs (``<function f at 0x7f3a...>``) become ``0x...``;
* consecutive stream outputs of one cell are merged (the kernel may split them at random points);
* timing metadata (``execution``, ``ExecuteTime``) is dropped.

And it is written the way JupyterLab writes it, so that opening the notebook in JupyterLab and
saving it without an edit changes no byte (``tests/test_browser.py`` checks both):

* the kernelspec is ``coursetools.notebooks.KERNELSPEC``, the display name JupyterLab records
  ("Python 3 (ipykernel)"); with another one JupyterLab marks the notebook modified on opening;
* whole numbers in the saved widget state are written as JavaScript writes them (``8``, not
  ``8.0``): JupyterLab re-serialises that state when it saves. (Python and JavaScript also
  disagree on the notation of non-whole numbers below 1e-4, such as ``1e-05`` and ``0.00001``;
  no widget of the course has one.)

Matplotlib's PNGs need nothing: with the same versions, Agg draws the same bytes every time
(``tests/test_notebooks.py`` executes a lesson twice and compares).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbformat import NotebookNode

from .notebooks import (
    VOLATILE_CELL_METADATA,
    deterministic_cell_ids,
    read_notebook,
    set_kernelspec,
    write_notebook,
)

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
ADDRESS = re.compile(r"\b0x[0-9a-fA-F]{6,16}\b")
MODEL_REF = re.compile(r"IPY_MODEL_([0-9a-f]{32})")


class ExecutionFailed(Exception):
    """A notebook stopped with an error; the message says which notebook and which cell."""


def kernel_manager():
    """A kernel manager for a python3 kernel of *this* Python, whatever kernelspecs exist."""
    import ipykernel.kernelspec
    from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
    from jupyter_client.manager import KernelManager

    class ThisPython(KernelSpecManager):
        def get_kernel_spec(self, kernel_name):
            return KernelSpec(resource_dir=ipykernel.kernelspec.RESOURCES,
                              **ipykernel.kernelspec.get_kernel_dict())

    return KernelManager(kernel_name="python3", kernel_spec_manager=ThisPython())


def execute_notebook(path: str | Path, timeout: int = 600) -> bool:
    """Execute ``path`` in place; returns True if the file changed. Raises ExecutionFailed."""
    path = Path(path)
    nb = read_notebook(path)
    deterministic_cell_ids(nb)
    client = NotebookClient(nb, km=kernel_manager(), timeout=timeout, kernel_name="python3",
                            allow_errors=False, record_timing=False, store_widget_state=True,
                            resources={"metadata": {"path": str(path.parent.resolve())}})
    try:
        # cleanup_kc: shut the kernel down when done (nbclient keeps a kernel it did not start
        # alive, so executing ten notebooks would otherwise hold ten kernels' memory at once);
        # stderr: the kernel's own log lines are noise here
        client.execute(cleanup_kc=True, stderr=subprocess.DEVNULL)
    except CellExecutionError as err:
        index = _failed_cell(nb)
        where = "a cell" if index is None else f"cell {index + 1} (id {nb.cells[index].get('id')})"
        raise ExecutionFailed(f"{path}: {where} raised an error; the file was not changed\n"
                              f"{_strip_ansi(str(err))}") from None
    except Exception as err:  # kernel died, timeout, ...
        raise ExecutionFailed(f"{path}: execution failed ({type(err).__name__}: {err}); the file "
                              "was not changed") from None
    normalise(nb)
    set_kernelspec(nb)
    return write_notebook(nb, path)


def _failed_cell(nb: NotebookNode) -> int | None:
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and any(o.output_type == "error" for o in cell.outputs):
            return i
    return None


def _strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


# --------------------------------------------------------------------------- normalisation
def normalise(nb: NotebookNode) -> NotebookNode:
    """Remove what differs between two runs of the same notebook (in place; returns ``nb``)."""
    for cell in nb.cells:
        for key in VOLATILE_CELL_METADATA:
            cell.metadata.pop(key, None)
        if cell.cell_type == "code":
            cell.outputs = _merge_streams(cell.outputs)
            for out in cell.outputs:
                _mask_addresses(out)
    _renumber_widgets(nb)
    if "widgets" in nb.metadata:
        nb.metadata["widgets"] = nbformat.from_dict(_js_numbers(nb.metadata["widgets"]))
    return nb


def _js_numbers(obj):
    """``obj`` with every whole float made an int, as JSON.stringify writes it (8.0 -> 8)."""
    if isinstance(obj, dict):
        return {k: _js_numbers(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_js_numbers(v) for v in obj]
    if isinstance(obj, float) and obj.is_integer() and abs(obj) < 1e21:
        return int(obj)  # from 1e21 on both write 1e+21
    return obj


def _merge_streams(outputs: list) -> list:
    merged = []
    for out in outputs:
        prev = merged[-1] if merged else None
        if (prev is not None and out.output_type == "stream" and prev.output_type == "stream"
                and prev.name == out.name):
            prev.text += out.text
        else:
            merged.append(out)
    return merged


def _mask_addresses(out: NotebookNode) -> None:
    if out.output_type == "stream":
        out.text = ADDRESS.sub("0x...", out.text)
    elif out.output_type in ("display_data", "execute_result"):
        for mime in ("text/plain", "text/html"):
            if isinstance(out.data.get(mime), str):
                out.data[mime] = ADDRESS.sub("0x...", out.data[mime])


def _renumber_widgets(nb: NotebookNode) -> None:
    """Give widget models ids 000...1, 000...2, ... in the order a reader reaches them.

    Order: models displayed in the outputs (cell by cell), then, breadth first, the models
    they refer to (``IPY_MODEL_<id>`` in their state, keys in sorted order), then any model
    nothing refers to, sorted by its content.
    """
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    shown = [out.data[WIDGET_VIEW]["model_id"]
             for cell in nb.cells if cell.cell_type == "code"
             for out in cell.get("outputs", [])
             if out.get("output_type") in ("display_data", "execute_result")
             and WIDGET_VIEW in out.get("data", {})]
    order, queue = [], list(shown)
    while queue:
        mid = queue.pop(0)
        if mid in order:
            continue
        order.append(mid)
        model = state.get(mid, {})
        queue.extend(MODEL_REF.findall(_dump_sorted(model)))
    rest = sorted((m for m in state if m not in order), key=lambda m: _dump_sorted(state[m]))
    order.extend(rest)
    if not order:
        return
    new_ids = {old: f"{i + 1:032x}" for i, old in enumerate(order)}

    def rename(obj):
        if isinstance(obj, dict):
            return {new_ids.get(k, k): rename(v) for k, v in obj.items()}
        if isinstance(obj, list):
            return [rename(v) for v in obj]
        if isinstance(obj, str):
            if obj in new_ids:
                return new_ids[obj]
            return MODEL_REF.sub(lambda m: "IPY_MODEL_" + new_ids.get(m.group(1), m.group(1)), obj)
        return obj

    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [nbformat.from_dict(rename(out)) for out in cell.outputs]
    if state:
        widgets = nb.metadata["widgets"][WIDGET_STATE]
        widgets["state"] = {new_ids[m]: rename(state[m]) for m in order}
        nb.metadata["widgets"] = nbformat.from_dict(nb.metadata["widgets"])


def _dump_sorted(obj) -> str:
    return json.dumps(obj, sort_keys=True, default=str)


def main(paths: list[str], timeout: int = 600) -> int:
    """``nncourse execute``: returns a process exit code (1 at the first failing notebook)."""
    for path in paths:
        print(f"executing {path} ...", flush=True)
        try:
            changed = execute_notebook(path, timeout=timeout)
        except ExecutionFailed as err:
            print(f"error: {err}", file=sys.stderr)
            return 1
        print(f"  {'written' if changed else 'unchanged'}: {path}")
    return 0
